import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problems, withPoints } from './helpers.ts';

/** A valid site with these keys under gateway, the first of them on line 4. */
function site(gatewayKeys: string): string {
  const keys = gatewayKeys
    .split('\n')
    .map((line) => `  ${line}\n`)
    .join('');
  return withPoints('- { id: level, register: holding, address: 0 }').replace(
    '  id: gw-1\n',
    `  id: gw-1\n${keys}`,
  );
}

test('a commands section with defaults, or with its own topic and group, is valid', () => {
  assert.deepEqual(problems(site('commands: {}')), []);
  assert.deepEqual(
    problems(site('commands:\n  topic: plant.commands\n  group_id: gw-1-commands\n  enabled: false')),
    [],
  );
});

test('the command settings are checked like the rest of the file', () => {
  assert.deepEqual(problems(site('commands:\n  topic: ""\n  grupo: x')), [
    'site.yaml:5:12 gateway.commands.topic: must not be empty',
    'site.yaml:6:5 gateway.commands.grupo: unknown key "grupo" (allowed: enabled, topic, group_id)',
  ]);
});

test('commands cannot share the alarm topic: every event would come back as a command', () => {
  assert.deepEqual(problems(site('kafka:\n  topic: plant.alarms\ncommands:\n  topic: plant.alarms')), [
    'site.yaml:7:12 gateway.commands.topic: the command topic and the alarm topic are both plant.alarms; commands need a topic of their own',
  ]);
  assert.deepEqual(problems(site('kafka:\n  topic: iiot.alarm-commands.v1\ncommands: {}')), [
    'site.yaml:5:12 gateway.kafka.topic: the command topic and the alarm topic are both iiot.alarm-commands.v1; commands need a topic of their own',
  ]);
});
