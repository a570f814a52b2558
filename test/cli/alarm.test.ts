/**
 * `gateway alarm`: the command it builds, the way it chooses, what it refuses
 * before sending, a broker or listener it cannot reach, and the deprecated
 * spellings that still work.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { freePort } from '../../scripts/kafka/net.ts';
import { type AlarmCommandOptions, buildCommand, parseDuration, transportOf } from '../../src/cli/alarm.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';

const TARGET = 'demo/forming/line-1/press-1/oil_temperature/temperature';

async function alarm(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = GatewayProcess.start(args, env);
  const code = await cli.exited;
  return { code, stdout: cli.lines.join('\n'), stderr: cli.stderr };
}

test('durations for shelving read as people write them', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('1d'), 86_400_000);
  assert.equal(parseDuration('1500'), 1500);
  assert.equal(parseDuration('250ms'), 250);
  for (const bad of ['', '0', '-5m', '1.5h', 'soon', '5 weeks'])
    assert.equal(parseDuration(bad), undefined, bad);
});

describe('building a command from the command line', () => {
  const base = { config: 'site.yaml', actor: 'j.smith' };

  test('each action, with its target and options, as the gateway reads it', () => {
    const cases: Array<[Partial<AlarmCommandOptions>, Record<string, unknown>]> = [
      [
        { action: 'ack', conditionId: TARGET, comment: 'seen' },
        { action: 'ack', condition_id: TARGET, comment: 'seen' },
      ],
      [
        { action: 'ack', scope: 'demo/forming' },
        { action: 'ack', scope: 'demo/forming' },
      ],
      [
        { action: 'shelve', conditionId: TARGET, for: '90m' },
        { action: 'shelve', condition_id: TARGET, duration_ms: 5_400_000 },
      ],
      [
        { action: 'shelve', conditionId: TARGET, oneShot: true },
        { action: 'shelve', condition_id: TARGET, one_shot: true },
      ],
      [
        { action: 'unshelve', conditionId: TARGET },
        { action: 'unshelve', condition_id: TARGET },
      ],
      [
        { action: 'remove-from-service', conditionId: TARGET },
        { action: 'remove_from_service', condition_id: TARGET },
      ],
      [
        { action: 'return-to-service', conditionId: TARGET },
        { action: 'return_to_service', condition_id: TARGET },
      ],
      [
        { action: 'reset', conditionId: TARGET },
        { action: 'reset', condition_id: TARGET },
      ],
    ];
    for (const [options, expected] of cases) {
      const { command_id, ...command } = buildCommand('demo', { ...base, action: 'ack', ...options });
      assert.match(
        command_id,
        /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        'a UUIDv7',
      );
      assert.deepEqual(command, { site: 'demo', actor: 'j.smith', ...expected });
    }
  });

  test('without --actor the actor is the user who ran it', () => {
    const options = { config: 'site.yaml', action: 'ack', conditionId: TARGET };
    assert.equal(buildCommand('demo', options, { SUDO_USER: 'night.shift' }).actor, 'night.shift');
  });

  const refusals: Array<[string, Partial<AlarmCommandOptions>, RegExp]> = [
    ['an unknown action', { action: 'silence', conditionId: TARGET }, /unknown alarm action "silence"/],
    ['an action as the message spells it', { action: 'remove_from_service', conditionId: TARGET }, /unknown/],
    [
      'a duration that is not one',
      { action: 'shelve', conditionId: TARGET, for: 'soon' },
      /--for soon is not a duration/,
    ],
    [
      'a shelve without duration or one-shot',
      { action: 'shelve', conditionId: TARGET },
      /shelve needs duration_ms \(timed\) or one_shot: true/,
    ],
    ['a shelve under a second', { action: 'shelve', conditionId: TARGET, for: '500ms' }, /from 1000/],
    [
      'a target and a scope',
      { action: 'ack', conditionId: TARGET, scope: 'demo/forming' },
      /has both condition_id and scope/,
    ],
    ['a scope for a reset', { action: 'reset', scope: 'demo/forming' }, /scope: is for ack only/],
    ['no target', { action: 'ack' }, /needs condition_id \(one alarm\) or scope/],
    [
      'an actor longer than any door takes',
      { action: 'ack', conditionId: TARGET, actor: 'a'.repeat(129) },
      /actor: must be at most 128 characters long/,
    ],
  ];
  for (const [what, options, reason] of refusals) {
    test(`refuses ${what}`, () => {
      assert.throws(
        () => buildCommand('demo', { ...base, action: 'ack', ...options }),
        (error: Error & { code?: string }) => error.code === 'CLI_USAGE' && reason.test(error.message),
      );
    });
  }
});

describe('the way a command goes', () => {
  const site = (listener?: Record<string, unknown>) =>
    ({ site: 'demo', gateway: { id: 'gw', ...(listener ? { listener } : {}) } }) as unknown as SiteFile;
  const options = (more: Partial<AlarmCommandOptions> = {}): AlarmCommandOptions => ({
    config: 'site.yaml',
    action: 'ack',
    ...more,
  });
  const token = { operator_token: { file: '/run/credentials/token' } };

  test('the listener when the site file gives it an operator token, else the broker', () => {
    assert.equal(transportOf(site(token), options()), 'listener');
    assert.equal(transportOf(site(), options()), 'broker');
    assert.equal(transportOf(site({ port: 9330 }), options()), 'broker', 'no token: actions are off');
    assert.equal(transportOf(site({ ...token, enabled: false }), options()), 'broker');
  });

  test('--url or --token-file name a listener; --via decides', () => {
    assert.equal(transportOf(site(), options({ url: 'http://10.0.0.5:9330/' })), 'listener');
    assert.equal(transportOf(site(), options({ tokenFile: 'token' })), 'listener');
    assert.equal(transportOf(site(token), options({ via: 'broker' })), 'broker');
    assert.equal(transportOf(site(), options({ via: 'listener' })), 'listener');
  });

  test('a --via that is neither, or a broker with listener options, is a usage error', () => {
    const usage = (more: Partial<AlarmCommandOptions>, reason: RegExp) =>
      assert.throws(
        () => transportOf(site(), options(more)),
        (error: Error & { code?: string }) => error.code === 'CLI_USAGE' && reason.test(error.message),
      );
    usage({ via: 'mqtt' }, /--via mqtt: give listener or broker/);
    usage({ via: 'broker', url: 'http://x/' }, /--url and --token-file are for --via listener/);
  });
});

describe('gateway alarm', () => {
  let temp: ReturnType<typeof tempDir>;
  let site: string;
  let nowhere: string;

  before(async () => {
    temp = tempDir();
    site = join(temp.dir, 'site.yaml');
    nowhere = `127.0.0.1:${await freePort()}`;
    writeFileSync(
      site,
      stringify({
        site: 'demo',
        gateway: { id: 'gw-1', kafka: { brokers: [nowhere] }, commands: {} },
        devices: [
          {
            id: 'plc',
            protocol: 'modbus-tcp',
            host: '127.0.0.1',
            area: 'forming',
            line: 'line-1',
            asset: 'press-1',
            points: [{ id: 'oil_temperature', register: 'holding', address: 0 }],
          },
        ],
      }),
    );
  });
  after(() => temp.remove());

  test('a command line is refused before anything is sent (exit 2)', async () => {
    const result = await alarm(['alarm', 'shelve', TARGET, '--actor', 'a', '--config', site]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /\[cli\] CLI_USAGE: .*shelve needs duration_ms \(timed\) or one_shot: true/);
    assert.match(result.stderr, /Usage: gateway alarm <ack\|shelve\|/);
    assert.equal(result.stdout, '');
  });

  test('a site file that takes commands neither way is told so (exit 1)', async () => {
    const result = await alarm(['alarm', 'ack', TARGET, '--config', 'devices/plant.yaml']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /reads no operator commands from the broker; add gateway.commands to the site file, or gateway.listener.operator_token/,
    );
  });

  test('a broker it cannot reach is COMMAND_SEND (exit 1): nothing was applied', async () => {
    // KAFKA_BROKERS overrides the site file, as it does for the gateway.
    const result = await alarm(['alarm', 'ack', TARGET, '--config', site], { KAFKA_BROKERS: nowhere });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\[cli\] COMMAND_SEND: the operator command could not be published/);
    assert.equal(result.stdout, '');
  });

  test('--via listener goes to the listener, and says so when nothing answers', async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const result = await alarm(['alarm', 'ack', TARGET, '--config', site, '--via', 'listener', '--url', url]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /\[cli\] CLI_GATEWAY: the running gateway did not take the request: no answer from/,
    );
  });

  test('alarm list takes only the listener', async () => {
    const result = await alarm(['alarm', 'list', '--config', site, '--via', 'broker']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /alarm list asks the running gateway/);
  });

  test('--duration still works, with a one-line deprecation note', async () => {
    const result = await alarm(['alarm', 'shelve', TARGET, '--duration', '30m', '--config', site], {
      KAFKA_BROKERS: nowhere,
    });
    const notes = result.stderr.split('\n').filter((line) => line.includes('deprecated'));
    assert.deepEqual(notes, [
      '[cli] deprecated: --duration is now --for; the old spelling goes in the next release',
    ]);
    assert.match(result.stderr, /COMMAND_SEND/, 'the command was valid and on its way');
  });

  test('gateway alarms still works as alarm --via listener, with a one-line deprecation note', async () => {
    // No operator token: alarm would choose the broker; alarms keeps to the listener.
    const quiet = join(temp.dir, 'quiet-listener.yaml');
    writeFileSync(
      quiet,
      readFileSync(site, 'utf8').replace('commands: {}', `listener:\n    port: ${await freePort()}`),
    );
    const result = await alarm(['alarms', 'ack', TARGET, '--config', quiet]);
    assert.equal(result.code, 1);
    const notes = result.stderr.split('\n').filter((line) => line.includes('deprecated'));
    assert.deepEqual(notes, [
      '[cli] deprecated: "gateway alarms" is now "gateway alarm" (with --via listener); the old spelling goes in the next release',
    ]);
    assert.match(result.stderr, /CLI_GATEWAY: .*no answer from/, 'through the listener, not the broker');
  });
});
