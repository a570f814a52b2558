/**
 * Whatever a sender writes, the check of a command answers: a command, or
 * issues each naming a field and what is wrong; never an exception, and the
 * same answer on the command topic and over HTTP.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { COMMAND_ACTIONS } from '../../src/alarms/command.ts';
import { readCommand } from '../../src/operator/read-command.ts';
import { validateCommand } from '../../src/operator/validate-command.ts';
import { parseCommandRequest } from '../../src/telemetry/command-request.ts';
import { fuzzBudget, fuzzTimeoutMs } from '../harness/fuzz.ts';

const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: max }),
    fc.constant(''),
    fc.constant('  '),
    fc.string({ minLength: 100, maxLength: 1100 }),
  );

const alarmPath = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/), { minLength: 1, maxLength: 7 })
  .map((ids) => ids.join('/'));

/** Mostly near-valid commands, so the rules about fields that go together are reached too. */
const command = fc.record(
  {
    command_id: fc.oneof(fc.uuid(), text(10), fc.integer()),
    site: fc.oneof(fc.constant('site-a'), text(10)),
    action: fc.oneof(fc.constantFrom(...COMMAND_ACTIONS), text(10), fc.integer()),
    condition_id: fc.oneof(alarmPath, text(20), fc.integer()),
    scope: fc.oneof(alarmPath, text(20)),
    actor: fc.oneof(fc.constant('jane'), text(130), fc.constant(null)),
    comment: text(1001),
    duration_ms: fc.oneof(fc.integer(), fc.double(), fc.constant(2 ** 31), fc.string({ maxLength: 5 })),
    one_shot: fc.oneof(fc.boolean(), fc.string({ maxLength: 5 })),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: ['site', 'command_id'] },
);

const anything = fc.oneof(command, fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string(), fc.jsonValue()));

test('a command or its issues, the same on both doors', { timeout: fuzzTimeoutMs() }, () => {
  fc.assert(
    fc.property(anything, (data) => {
      const validated = validateCommand(data);
      if (validated.ok) {
        assert.equal(validateCommand(validated.command).ok, true, 'a command it let through stays valid');
      } else {
        assert.ok(validated.issues.length > 0);
        for (const issue of validated.issues) assert.ok(issue.message.length > 0);
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
      const body = data as Record<string, unknown>;
      if (body.site === undefined || body.command_id === undefined) return;
      const kafka = readCommand(JSON.stringify(body), 'site-a');
      const http = parseCommandRequest(JSON.parse(JSON.stringify(body)), 'site-a', () => 'unused');
      assert.equal(kafka.ok, http.ok);
      if (kafka.ok && http.ok) assert.deepEqual(kafka.command, http.command);
      if (!kafka.ok && !http.ok) assert.equal(kafka.reason, http.reason);
    }),
    fuzzBudget(),
  );
});
