/**
 * The HTTP door adds only what HTTP callers may leave out (the gateway's site,
 * a command id); the command itself is checked as on the command topic
 * (test/operator/both-doors.test.ts holds both doors to the same verdicts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommandRequest } from '../../src/telemetry/command-request.ts';

const CONDITION = 'site-a/area-1/line-1/asset-1/temperature/temp';
const parse = (body: Record<string, unknown>) => parseCommandRequest(body, 'site-a', () => 'generated-id');

test('a valid acknowledge gets the gateway site and a fresh command id', () => {
  assert.deepEqual(parse({ action: 'ack', condition_id: CONDITION, actor: ' jane ', comment: 'seen' }), {
    ok: true,
    command: {
      command_id: 'generated-id',
      site: 'site-a',
      action: 'ack',
      actor: 'jane',
      condition_id: CONDITION,
      comment: 'seen',
    },
  });
});

test('a shelve keeps its duration, one-shot flag, the id the page sent and the site it names', () => {
  const parsed = parse({
    action: 'shelve',
    condition_id: CONDITION,
    actor: 'jane',
    duration_ms: 3_600_000,
    one_shot: false,
    command_id: 'from-page',
    site: 'other-site',
  });
  assert.ok(parsed.ok);
  assert.equal(parsed.command.command_id, 'from-page');
  // The alarm stage refuses another site's command, saying which site it serves.
  assert.equal(parsed.command.site, 'other-site');
  assert.equal(parsed.command.duration_ms, 3_600_000);
  assert.equal(parsed.command.one_shot, false);
});

test('an invalid command is refused with each issue, and what was received is kept for the record', () => {
  const parsed = parse({ action: 'delete', condition_id: 42, actor: 'j', colour: 'red' });
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.deepEqual(parsed.issues, [
    {
      path: 'action',
      message: 'must be one of ack, shelve, unshelve, remove_from_service, return_to_service, reset',
    },
    { path: 'condition_id', message: 'must be a string' },
    {
      path: 'colour',
      message:
        'unknown field (allowed: command_id, site, action, condition_id, scope, actor, comment, duration_ms, one_shot)',
    },
  ]);
  assert.match(
    parsed.reason,
    /^action: must be one of .*; condition_id: must be a string; colour: unknown field/,
  );
  assert.deepEqual(parsed.received, {
    site: 'site-a',
    command_id: 'generated-id',
    action: 'delete',
    condition_id: 42,
    actor: 'j',
    colour: 'red',
  });
});

test('a command id or site of the wrong type is refused, not replaced', () => {
  const parsed = parse({ action: 'ack', condition_id: CONDITION, actor: 'j', command_id: 7, site: null });
  assert.equal(parsed.ok, false);
  if (parsed.ok) return;
  assert.equal(parsed.reason, 'command_id: must be a string; site: must be a string');
});
