/** `gateway alarm`: what it refuses before sending, and a send that cannot reach the broker. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { freePort } from '../../scripts/kafka/net.ts';
import { type AlarmCommandOptions, buildCommand } from '../../src/commands/alarm.ts';
import { tempDir } from '../buffer/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';

const TARGET = 'demo/forming/line-1/press-1/oil_temperature/temperature';

async function alarm(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = GatewayProcess.start(['alarm', ...args], env);
  const code = await cli.exited;
  return { code, stdout: cli.lines.join('\n'), stderr: cli.stderr };
}

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
        { action: 'shelve', conditionId: TARGET, duration: '90m' },
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

  const refusals: Array<[string, Partial<AlarmCommandOptions>, RegExp]> = [
    ['an unknown action', { action: 'silence', conditionId: TARGET }, /unknown alarm action "silence"/],
    ['no actor', { action: 'ack', conditionId: TARGET, actor: undefined }, /--actor NAME is required/],
    [
      'a duration that is not one',
      { action: 'shelve', conditionId: TARGET, duration: 'soon' },
      /--duration soon is not a duration/,
    ],
    [
      'a shelve without duration or one-shot',
      { action: 'shelve', conditionId: TARGET },
      /shelve needs duration_ms \(timed\) or one_shot: true/,
    ],
    [
      'a target and a scope',
      { action: 'ack', conditionId: TARGET, scope: 'demo/forming' },
      /has both condition_id and scope/,
    ],
    ['a scope for a reset', { action: 'reset', scope: 'demo/forming' }, /scope is for ack only/],
    ['no target', { action: 'ack' }, /needs condition_id \(one alarm\) or scope/],
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
    const result = await alarm(['shelve', TARGET, '--actor', 'a', '--config', site]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /\[cli\] CLI_USAGE: .*shelve needs duration_ms \(timed\) or one_shot: true/);
    assert.equal(result.stdout, '');
  });

  test('a site file that reads no commands is told so (exit 1)', async () => {
    const result = await alarm(['ack', TARGET, '--actor', 'a', '--config', 'devices/plant.yaml']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /this gateway reads no operator commands; add gateway.commands/);
  });

  test('a broker it cannot reach is COMMAND_SEND (exit 1): nothing was applied', async () => {
    // KAFKA_BROKERS overrides the site file, as it does for the gateway.
    const result = await alarm(['ack', TARGET, '--actor', 'a', '--config', site], { KAFKA_BROKERS: nowhere });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\[cli\] COMMAND_SEND: the operator command could not be published/);
    assert.equal(result.stdout, '');
  });
});
