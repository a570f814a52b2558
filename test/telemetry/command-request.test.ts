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

test('a shelve keeps its duration, one-shot flag and the id the page sent; the site cannot be chosen', () => {
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
  assert.equal(parsed.command.site, 'site-a');
  assert.equal(parsed.command.duration_ms, 3_600_000);
  assert.equal(parsed.command.one_shot, false);
});

test('every malformed field is refused with a reason, and what was received is kept for the record', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ condition_id: CONDITION, actor: 'j' }, /action must be one of ack, shelve/],
    [{ action: 'delete', condition_id: CONDITION, actor: 'j' }, /action must be one of/],
    [{ action: 'ack', actor: 'j' }, /either condition_id .* or scope/],
    [{ action: 'ack', condition_id: CONDITION, scope: 'site-a', actor: 'j' }, /not both/],
    [{ action: 'ack', condition_id: '', actor: 'j' }, /condition_id must be a non-empty text/],
    [{ action: 'ack', condition_id: 42, actor: 'j' }, /condition_id must be/],
    [{ action: 'ack', condition_id: CONDITION }, /actor .* must be a non-empty name/],
    [{ action: 'ack', condition_id: CONDITION, actor: '  ' }, /actor/],
    [{ action: 'ack', condition_id: CONDITION, actor: 'j', comment: 'x'.repeat(501) }, /comment must be/],
    [
      { action: 'shelve', condition_id: CONDITION, actor: 'j', duration_ms: -5 },
      /duration_ms must be a positive/,
    ],
    [{ action: 'shelve', condition_id: CONDITION, actor: 'j', duration_ms: 1.5 }, /duration_ms/],
    [
      { action: 'shelve', condition_id: CONDITION, actor: 'j', one_shot: 'yes' },
      /one_shot must be true or false/,
    ],
  ];
  for (const [body, reason] of cases) {
    const parsed = parse(body);
    assert.equal(parsed.ok, false, JSON.stringify(body));
    if (parsed.ok) continue;
    assert.match(parsed.reason, reason, JSON.stringify(body));
    assert.equal(parsed.received.site, 'site-a');
    assert.equal(parsed.received.action, body.action);
  }
});
