import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OperatorCommand } from '../../src/alarms/command.ts';
import { COMMAND_LIMITS } from '../../src/operator/command-schema.ts';
import { type ReadCommand, readCommand } from '../../src/operator/read-command.ts';

const ACK: OperatorCommand = {
  command_id: '0193a1b2-0000-7000-8000-000000000001',
  site: 'plant-a',
  action: 'ack',
  condition_id: 'plant-a/forming/line-1/press-1/oil_temperature/temperature',
  actor: 'j.smith',
  comment: 'checked the cooler',
};

function read(message: unknown, key: string | null = 'plant-a'): ReadCommand {
  return readCommand(typeof message === 'string' ? message : JSON.stringify(message), key);
}

function refused(message: unknown, key: string | null = 'plant-a') {
  const result = read(message, key);
  assert.equal(result.ok, false, `expected a refusal of ${JSON.stringify(message)}`);
  if (result.ok) throw new Error('unreachable');
  return result;
}

describe('reading an operator command', () => {
  test('a valid command of every action and target is read as it is', () => {
    const commands: OperatorCommand[] = [
      ACK,
      { ...ACK, condition_id: undefined, scope: 'plant-a/forming' },
      { ...ACK, action: 'shelve', duration_ms: 1_800_000 },
      { ...ACK, action: 'shelve', one_shot: true },
      { ...ACK, action: 'unshelve' },
      { ...ACK, action: 'remove_from_service' },
      { ...ACK, action: 'return_to_service' },
      { ...ACK, action: 'reset', comment: undefined },
    ];
    for (const command of commands) {
      const text = JSON.stringify(command);
      const result = readCommand(text, 'plant-a');
      assert.deepEqual(result, { ok: true, site: 'plant-a', command: JSON.parse(text) }, text);
    }
  });

  test('the site comes from the message, else from the record key', () => {
    assert.equal(read({ ...ACK, site: 'plant-b' }).site, 'plant-b');
    assert.equal(refused('{oops', 'plant-b').site, 'plant-b');
    assert.equal(refused({ ...ACK, site: 7 }, 'plant-c').site, 'plant-c');
    assert.equal(refused('{oops', null).site, undefined, 'no key: it may be ours');
    assert.equal(refused('{oops', ' ').site, undefined);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['an empty message', '', /the message is empty/],
    ['text that is not JSON', 'ack press-1 please', /the message is not JSON \(/],
    ['JSON that is not an object', '[1,2]', /the message is not a JSON object/],
    ['a JSON null', 'null', /the message is not a JSON object/],
    [
      'an unknown action',
      { ...ACK, action: 'silence' },
      /action: must be one of ack, shelve, unshelve, remove_from_service, return_to_service, reset/,
    ],
    ['an action of the wrong type', { ...ACK, action: 1 }, /action: must be one of ack,/],
    ['no actor', { ...ACK, actor: undefined }, /^actor: is required$/],
    ['a blank actor', { ...ACK, actor: '   ' }, /actor: must not be blank/],
    ['an empty actor', { ...ACK, actor: '' }, /actor: must not be empty/],
    [
      'an actor too long',
      { ...ACK, actor: 'x'.repeat(COMMAND_LIMITS.actorChars + 1) },
      /actor: must be at most 128 characters long/,
    ],
    ['no command id', { ...ACK, command_id: undefined }, /^command_id: is required$/],
    ['a command id that is a number', { ...ACK, command_id: 42 }, /command_id: must be a string/],
    ['no site', { ...ACK, site: undefined }, /^site: is required$/],
    [
      'a comment too long',
      { ...ACK, comment: 'x'.repeat(COMMAND_LIMITS.commentChars + 1) },
      /comment: must be at most 1000 characters long/,
    ],
    [
      'an unknown field',
      { ...ACK, comments: 'typo' },
      /^comments: unknown field \(allowed: command_id, site,/,
    ],
    [
      'neither condition_id nor scope',
      { ...ACK, condition_id: undefined },
      /needs condition_id \(one alarm\) or scope/,
    ],
    [
      'both condition_id and scope',
      { ...ACK, scope: 'plant-a/forming' },
      /has both condition_id and scope; give one/,
    ],
    [
      'a scope for another action',
      { ...ACK, action: 'reset', condition_id: undefined, scope: 'plant-a/forming' },
      /^scope: is for ack only; reset needs a condition_id$/,
    ],
    [
      'a zero duration',
      { ...ACK, action: 'shelve', duration_ms: 0 },
      /duration_ms: must be an integer from 1000/,
    ],
    [
      'a negative duration',
      { ...ACK, action: 'shelve', duration_ms: -5 },
      /duration_ms: must be an integer from 1000 to 2147483647$/,
    ],
    [
      'a fractional duration',
      { ...ACK, action: 'shelve', duration_ms: 1.5 },
      /duration_ms: must be an integer from 1000 to 2147483647$/,
    ],
    [
      'a duration as text',
      { ...ACK, action: 'shelve', duration_ms: '30m' },
      /duration_ms: must be an integer from 1000 to 2147483647$/,
    ],
    [
      'a shelve with neither duration nor one-shot',
      { ...ACK, action: 'shelve' },
      /shelve needs duration_ms \(timed\) or one_shot: true/,
    ],
    [
      'a shelve with one_shot false',
      { ...ACK, action: 'shelve', one_shot: false },
      /shelve needs duration_ms/,
    ],
    [
      'a shelve both timed and one-shot',
      { ...ACK, action: 'shelve', duration_ms: 60_000, one_shot: true },
      /timed \(duration_ms\) or one-shot, not both/,
    ],
    ['a duration on an ack', { ...ACK, duration_ms: 60_000 }, /^duration_ms: is for shelve only, not ack$/],
    [
      'one_shot on an unshelve',
      { ...ACK, action: 'unshelve', one_shot: true },
      /^one_shot: is for shelve only, not unshelve$/,
    ],
    [
      'a duration under a second',
      { ...ACK, action: 'shelve', duration_ms: 999 },
      /duration_ms: must be an integer from 1000/,
    ],
    [
      'a condition id of five ids',
      { ...ACK, condition_id: 'plant-a/forming/line-1/press-1/oil_temperature' },
      /^condition_id: must be site\/area\/line\/asset\/point\/alarm: ids of letters, digits/,
    ],
    [
      'a condition id with a space in an id',
      { ...ACK, condition_id: 'plant-a/forming/line 1/press-1/oil_temperature/temperature' },
      /^condition_id: must be site\/area\/line\/asset\/point\/alarm/,
    ],
    [
      'a scope of the site alone',
      { ...ACK, condition_id: undefined, scope: 'plant-a' },
      /^scope: must be site\/area\[\/line\[\/asset\]\]: ids/,
    ],
    [
      'a scope ending in "/"',
      { ...ACK, condition_id: undefined, scope: 'plant-a/forming/' },
      /^scope: must be site\/area\[\/line\[\/asset\]\]/,
    ],
    [
      'one_shot that is not a boolean',
      { ...ACK, action: 'shelve', one_shot: 'yes' },
      /one_shot: must be true or false/,
    ],
  ];
  for (const [what, message, reason] of cases) {
    test(`refuses ${what}, saying why`, () => {
      assert.match(refused(message).reason, reason);
    });
  }

  test('every problem of a message is named at once', () => {
    const { reason } = refused({ ...ACK, action: 'silence', actor: '', extra: 1 });
    assert.match(reason, /action: must be one of/);
    assert.match(reason, /actor: must not be empty/);
    assert.match(reason, /extra: unknown field/);
  });

  test('a message of many unknown fields names ten of them and counts the rest', () => {
    const extra = Object.fromEntries(Array.from({ length: 25 }, (_, n) => [`field_${n}`, n]));
    const { reason } = refused({ ...ACK, ...extra });
    assert.equal(reason.match(/unknown field/g)?.length, 10);
    assert.match(reason, /; and 15 more$/);
  });

  test('an unknown field of a strange name is quoted and cut short', () => {
    const { reason } = refused({ ...ACK, [`a b${'c'.repeat(100)}`]: 1 });
    assert.match(reason, /^"a bc{61}…": unknown field/);
  });

  test('the actor is kept without the spaces around it', () => {
    const result = read({ ...ACK, actor: '  j.smith ' });
    assert.ok(result.ok);
    assert.equal(result.command.actor, 'j.smith');
  });

  test('a refusal hands over what could be read, for the rejection event to name the command', () => {
    const message = { ...ACK, action: 'silence', comment: 'c'.repeat(5000) };
    assert.deepEqual(refused(message).received, message);
    assert.deepEqual(refused('{oops').received, {});
  });
});
