/**
 * An operator command gets the same verdict whichever door it comes through:
 * the same commands, valid and invalid, are posted to the HTTP listener and
 * written to the command topic of a real broker, and each door must hand the
 * alarm stage the same command, or refuse it with the same words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CommandIntake } from '../../src/operator/intake.ts';
import { createRecordConsumer } from '../../src/producer/kafka-client.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createTopic, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { until } from '../harness/wait.ts';
import { type StartedListener, startListener } from '../telemetry/listener-fixture.ts';
import { produce, RecordingSink } from './fixtures.ts';

const SITE = 'site-a';
const TOKEN = 'doors-token';
const CONDITION = 'site-a/forming/line-1/press-1/oil_temperature/temperature';

interface Case {
  what: string;
  fields: Record<string, unknown>;
  /** undefined: a valid command; else what the refusal must say. */
  refused?: RegExp;
}

const base = { site: SITE, action: 'ack', condition_id: CONDITION, actor: 'j.smith' };

const CASES: Case[] = [
  { what: 'an ack', fields: base },
  { what: 'an ack of a scope', fields: { ...base, condition_id: undefined, scope: 'site-a/forming' } },
  { what: 'a timed shelve', fields: { ...base, action: 'shelve', duration_ms: 1_800_000 } },
  { what: 'a one-shot shelve', fields: { ...base, action: 'shelve', one_shot: true } },
  { what: 'an unshelve', fields: { ...base, action: 'unshelve' } },
  { what: 'a removal from service', fields: { ...base, action: 'remove_from_service' } },
  { what: 'a return to service', fields: { ...base, action: 'return_to_service' } },
  { what: 'a reset', fields: { ...base, action: 'reset' } },
  { what: 'an actor of 120 characters', fields: { ...base, actor: 'a'.repeat(120) } },
  { what: 'an actor of 128 characters', fields: { ...base, actor: 'a'.repeat(128) } },
  {
    what: 'an actor of 129 characters',
    fields: { ...base, actor: 'a'.repeat(129) },
    refused: /^actor: must be at most 128 characters long$/,
  },
  { what: 'an empty actor', fields: { ...base, actor: '' }, refused: /^actor: must not be empty$/ },
  { what: 'a blank actor', fields: { ...base, actor: '   ' }, refused: /^actor: must not be blank$/ },
  { what: 'no actor', fields: { ...base, actor: undefined }, refused: /^actor: is required/ },
  { what: 'a comment of 1000 characters', fields: { ...base, comment: 'c'.repeat(1000) } },
  {
    what: 'a comment of 1001 characters',
    fields: { ...base, comment: 'c'.repeat(1001) },
    refused: /^comment: must be at most 1000 characters long$/,
  },
  {
    what: 'an unknown field',
    fields: { ...base, comments: 'typo' },
    refused: /^comments: unknown field \(allowed: command_id, site, action, /,
  },
  {
    what: 'an unknown action',
    fields: { ...base, action: 'silence' },
    refused: /^action: must be one of ack, shelve, unshelve, remove_from_service, return_to_service, reset$/,
  },
  {
    what: 'a condition id that is not six ids',
    fields: { ...base, condition_id: 'site-a/forming/press-1' },
    refused: /^condition_id: must be site\/area\/line\/asset\/point\/alarm/,
  },
  {
    what: 'a scope deeper than an asset',
    fields: { ...base, condition_id: undefined, scope: 'site-a/forming/line-1/press-1/oil_temperature' },
    refused: /^scope: must be site\/area\[\/line\[\/asset\]\]/,
  },
  {
    what: 'neither condition_id nor scope',
    fields: { ...base, condition_id: undefined },
    refused: /^the command: needs condition_id \(one alarm\) or scope/,
  },
  {
    what: 'both condition_id and scope',
    fields: { ...base, scope: 'site-a/forming' },
    refused: /^the command: has both condition_id and scope; give one$/,
  },
  {
    what: 'a scope for a reset',
    fields: { ...base, action: 'reset', condition_id: undefined, scope: 'site-a/forming' },
    refused: /^scope: is for ack only; reset needs a condition_id$/,
  },
  {
    what: 'a zero duration',
    fields: { ...base, action: 'shelve', duration_ms: 0 },
    refused: /^duration_ms: must be an integer from 1000 to 2147483647/,
  },
  {
    what: 'a negative duration',
    fields: { ...base, action: 'shelve', duration_ms: -5 },
    refused: /^duration_ms: must be an integer from 1000/,
  },
  {
    what: 'a fractional duration',
    fields: { ...base, action: 'shelve', duration_ms: 1500.5 },
    refused: /^duration_ms: must be an integer from 1000/,
  },
  {
    what: 'a duration as text',
    fields: { ...base, action: 'shelve', duration_ms: '30m' },
    refused: /^duration_ms: must be an integer from 1000/,
  },
  {
    what: 'a duration longer than a timer can wait',
    fields: { ...base, action: 'shelve', duration_ms: 2 ** 31 },
    refused: /^duration_ms: must be an integer from 1000 to 2147483647/,
  },
  {
    what: 'a shelve with neither duration nor one-shot',
    fields: { ...base, action: 'shelve' },
    refused: /^the command: shelve needs duration_ms \(timed\) or one_shot: true$/,
  },
  {
    what: 'a shelve both timed and one-shot',
    fields: { ...base, action: 'shelve', duration_ms: 60_000, one_shot: true },
    refused: /^the command: shelve is timed \(duration_ms\) or one-shot, not both$/,
  },
  {
    what: 'a duration on an ack',
    fields: { ...base, duration_ms: 60_000 },
    refused: /^duration_ms: is for shelve only, not ack$/,
  },
  {
    what: 'one_shot that is not a boolean',
    fields: { ...base, action: 'shelve', one_shot: 'yes' },
    refused: /^one_shot: must be true or false$/,
  },
  {
    what: 'several problems at once',
    fields: { ...base, action: 'silence', actor: '', extra: 1 },
    refused: /^action: must be one of .*; actor: must not be empty; extra: unknown field/,
  },
];

interface Verdict {
  accepted: boolean;
  reason?: string;
  /** The command the alarm stage was handed. */
  command?: unknown;
}

function verdictOf(sink: RecordingSink, commandId: string): Verdict | undefined {
  const command = sink.applied.get(commandId);
  if (command) return { accepted: true, command };
  const rejected = sink.rejected.find((r) => r.received.command_id === commandId);
  return rejected && { accepted: false, reason: rejected.reason };
}

describe('the same command through the listener and through the command topic', () => {
  const run = uniqueTopic('doors');
  const commands = CASES.map(({ fields }, n) => ({ command_id: `${run}-${n}`, ...fields }));
  const viaKafka = new RecordingSink();
  const viaHttp = new RecordingSink();
  let listener: StartedListener;
  let intake: CommandIntake;

  before(async () => {
    const brokers = await sharedBrokers();
    const topic = uniqueTopic('commands');
    await createTopic(brokers, topic, 1);
    intake = new CommandIntake({
      site: SITE,
      consumer: createRecordConsumer(
        {
          brokers: [brokers],
          clientId: 'doors-test',
          requestTimeoutMs: 2000,
          logger: createLogger('silent'),
        },
        { topic, groupId: uniqueTopic('group') },
      ),
      sink: viaKafka,
      logger: createLogger('silent'),
    });
    intake.start();
    await until(() => intake.stats.reading, 'the intake to join its group', 30_000);
    listener = await startListener({ token: TOKEN, commands: viaHttp, site: SITE });

    await produce(
      brokers,
      topic,
      commands.map((command) => ({ key: SITE, value: JSON.stringify(command) })),
    );
    for (const command of commands) {
      const response = await fetch(`${listener.base}/api/commands`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(command),
      });
      const answer = (await response.json()) as { accepted: boolean; reason?: string };
      assert.equal(response.status, answer.accepted ? 200 : 400, JSON.stringify(command).slice(0, 200));
    }
    await until(
      () => viaKafka.applied.size + viaKafka.rejected.length === commands.length,
      'an answer to every record',
      20_000,
    );
  });

  after(async () => {
    await intake?.stop();
    await listener?.listener.stop();
  });

  for (const [n, { what, refused }] of CASES.entries()) {
    test(`${what}: ${refused ? 'refused' : 'accepted'}, alike on both doors`, () => {
      const commandId = `${run}-${n}`;
      const http = verdictOf(viaHttp, commandId);
      const kafka = verdictOf(viaKafka, commandId);
      assert.deepEqual(http, kafka, 'the listener and the command topic disagree');
      assert.equal(kafka?.accepted, refused === undefined, kafka?.reason);
      if (refused) assert.match(kafka?.reason ?? '', refused);
    });
  }
});
