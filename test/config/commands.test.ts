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
    'site.yaml:5:12 gateway.commands.topic: must be a Kafka topic name: letters, digits, ".", "_" and "-", at most 249 characters',
    'site.yaml:6:5 gateway.commands.grupo: unknown key "grupo" (allowed: enabled, topic, group_id)',
  ]);
});

test('commands need a topic the gateway does not write: every event would come back as a command', () => {
  const mine = 'commands need a topic of their own';
  assert.deepEqual(problems(site('kafka:\n  topic: plant.alarms\ncommands:\n  topic: plant.alarms')), [
    `site.yaml:7:12 gateway.commands.topic: the gateway writes alarm events or states to plant.alarms; ${mine}`,
  ]);
  assert.deepEqual(problems(site('kafka:\n  topic: iiot.alarm-commands.v1\ncommands: {}')), [
    `site.yaml:5:12 gateway.kafka.topic: the gateway writes alarm events or states to iiot.alarm-commands.v1; ${mine} (the default command topic)`,
  ]);
  const routed =
    'kafka:\n  routes:\n    - { when: { priority: [critical] }, topic: plant.critical }\ncommands:\n  topic: plant.critical';
  assert.deepEqual(problems(site(routed)), [
    `site.yaml:8:12 gateway.commands.topic: the gateway writes alarm events or states to plant.critical; ${mine}`,
  ]);
  const state = 'kafka:\n  state_topic: plant.states\ncommands:\n  topic: plant.states';
  assert.deepEqual(problems(site(state)), [
    `site.yaml:7:12 gateway.commands.topic: the gateway writes alarm events or states to plant.states; ${mine}`,
  ]);
});
