/**
 * Operator commands through the whole gateway: a simulated Modbus PLC raises
 * alarms, commands arrive on the command topic (from a sender and from
 * `gateway alarm`), and every answer is an event on the alarm topic, in order
 * with the alarm's other events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OperatorCommand } from '../../src/alarms/command.ts';
import type { AlarmEvent } from '../../src/alarms/event.ts';
import type { SiteFile } from '../../src/config/schema.ts';
import { Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { consumeAll, sharedBrokers, uniqueTopic } from '../harness/kafka.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { until } from '../harness/wait.ts';
import { produce } from './fixtures.ts';

const TEMPERATURE = 'test-site/forming/line-1/press-1/oil_temperature/temperature';
const GUARD = 'test-site/forming/line-1/press-1/guard_open/guard';

/** The press guard latches: it stays in alarm until an operator resets it. */
function withCommands(commandTopic: string) {
  return (site: SiteFile): SiteFile => ({
    ...site,
    gateway: { ...site.gateway, commands: { topic: commandTopic } },
    devices: site.devices.map((device) =>
      device.protocol !== 'modbus-tcp'
        ? device
        : {
            ...device,
            points: device.points.map((point) =>
              point.id === 'guard_open'
                ? { ...point, alarms: point.alarms?.map((alarm) => ({ ...alarm, latch: true })) }
                : point,
            ),
          },
    ),
  });
}

describe('operator commands through the gateway', () => {
  let brokers: string;
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let gateway: Gateway;
  const topic = uniqueTopic('alarms');
  const commandTopic = uniqueTopic('commands');
  let counter = 0;

  before(async () => {
    brokers = await sharedBrokers();
    temp = tempDir();
    plant = await startTestSite({ dir: temp.dir, brokers, topic, customize: withCommands(commandTopic) });
    gateway = Gateway.start({
      site: plant.site,
      logger: createLogger(process.env.TEST_LOG ? 'info' : 'silent'),
      env: {},
    });
    await until(() => gateway.status().commands?.reading === true, 'the intake to read', 30_000);
  });

  after(async () => {
    await gateway?.stop();
    await plant?.stopPlant();
    temp?.remove();
  });

  function command(action: OperatorCommand['action'], target: Partial<OperatorCommand>): OperatorCommand {
    counter += 1;
    return {
      command_id: `${commandTopic}-${counter}`,
      site: 'test-site',
      action,
      actor: 'j.smith',
      comment: `step ${counter}`,
      ...target,
    };
  }

  /** Does something and waits until the gateway committed `events` more events. */
  async function expectEvents(events: number, action: () => Promise<void> | void): Promise<void> {
    const before = gateway.status().buffer.lastSeq;
    await action();
    await until(
      () => gateway.status().buffer.lastSeq >= before + events,
      `${events} event(s) after seq ${before}`,
      20_000,
    );
  }

  /** Sends records and waits until the intake handled them (answered, skipped or found them applied). */
  async function send(...records: Parameters<typeof produce>[2]): Promise<void> {
    const handled = () => {
      const stats = gateway.status().commands;
      return stats ? stats.applied + stats.rejected + stats.duplicates + stats.foreign : 0;
    };
    const before = handled();
    await produce(brokers, commandTopic, records);
    await until(() => handled() >= before + records.length, 'the intake to handle what was sent', 20_000);
  }

  test('each command is answered by events in order with the alarm’s own, once, for this site only', async () => {
    await expectEvents(1, () => plant.press.set('guard_open', true));
    const ack = command('ack', { condition_id: GUARD });
    await expectEvents(1, () => send(ack));
    await expectEvents(1, () => plant.press.set('oil_temperature', 85));
    await expectEvents(1, () => send(command('shelve', { condition_id: TEMPERATURE, duration_ms: 600_000 })));
    await expectEvents(1, () => send(command('unshelve', { condition_id: TEMPERATURE })));
    await expectEvents(1, () => send(command('remove_from_service', { condition_id: TEMPERATURE })));
    await expectEvents(1, () => send(command('return_to_service', { condition_id: TEMPERATURE })));
    // The guard closes, but its alarm holds until it is reset.
    const polls = gateway.status().devices[0]?.polls ?? 0;
    plant.press.set('guard_open', false);
    await until(() => (gateway.status().devices[0]?.polls ?? 0) > polls + 2, 'the press polled again');
    await expectEvents(1, () => send(command('reset', { condition_id: GUARD })));
    // Answered with a rejection: not a command, an alarm this gateway does not have.
    await expectEvents(2, () =>
      send(
        {
          key: 'test-site',
          value: JSON.stringify({ ...command('ack', { condition_id: GUARD }), action: 'mute' }),
        },
        command('ack', { condition_id: 'test-site/forming/line-1/press-1/no_such/alarm' }),
      ),
    );
    // Nothing at all: another site's command, and the first ack delivered again.
    const lastSeq = gateway.status().buffer.lastSeq;
    await send({ ...command('ack', { condition_id: GUARD }), site: 'other-site' }, ack);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(gateway.status().buffer.lastSeq, lastSeq, 'no event for another site or a redelivery');
    assert.deepEqual(
      { ...gateway.status().commands, reading: true },
      { reading: true, applied: 6, rejected: 2, duplicates: 1, foreign: 1 },
    );

    const records = await consumeAll(brokers, topic, { expected: lastSeq, timeoutMs: 30_000 });
    const events = records.map((r) => JSON.parse(r.value) as AlarmEvent).sort((a, b) => a.seq - b.seq);
    const short = (e: AlarmEvent) =>
      [e.alarm, e.transition, e.actor ?? '-', e.comment ?? '-', e.command_id ?? '-'].join(' ');
    assert.deepEqual(events.map(short), [
      'guard raise - - -',
      `guard ack j.smith step 1 ${commandTopic}-1`,
      'temperature raise - - -',
      `temperature shelve j.smith step 2 ${commandTopic}-2`,
      `temperature unshelve j.smith step 3 ${commandTopic}-3`,
      `temperature out_of_service j.smith step 4 ${commandTopic}-4`,
      `temperature in_service j.smith step 5 ${commandTopic}-5`,
      `guard reset j.smith step 6 ${commandTopic}-6`,
      `command_rejected command_rejected j.smith step 7 ${commandTopic}-7`,
      `command_rejected command_rejected j.smith step 8 ${commandTopic}-8`,
    ]);
    const reset = events.find((e) => e.transition === 'reset');
    assert.deepEqual(
      [reset?.state.active, reset?.state.latched],
      [false, false],
      'the reset clears the latch',
    );
    const [invalid, unknown] = events.slice(-2).map((e) => e.reason.text);
    assert.match(invalid ?? '', /action: must be one of ack, shelve/);
    assert.match(
      unknown ?? '',
      /no alarm test-site\/forming\/line-1\/press-1\/no_such\/alarm on this gateway/,
    );
  });

  test('gateway alarm sends a command from the shell; the gateway applies it', async () => {
    await expectEvents(1, () => plant.press.set('oil_temperature', 95));
    const lastSeq = gateway.status().buffer.lastSeq;
    const cli = GatewayProcess.start([
      'alarm',
      'ack',
      '--scope',
      'test-site/forming',
      '--config',
      plant.file,
      '--actor',
      'night shift',
      '--comment',
      'seen from the panel',
    ]);
    assert.equal(await cli.exited, 0, cli.stderr);
    const printed = /^command (\S+): ack test-site\/forming by night shift, sent to /.exec(
      cli.lines[0] ?? '',
    );
    assert.ok(printed, cli.lines.join('\n'));
    await until(() => gateway.status().buffer.lastSeq > lastSeq, 'the ack committed', 20_000);
    const records = await consumeAll(brokers, topic, { expected: lastSeq + 1, timeoutMs: 30_000 });
    const ack = records.map((r) => JSON.parse(r.value) as AlarmEvent).find((e) => e.seq === lastSeq + 1);
    assert.equal(ack?.transition, 'ack');
    assert.equal(ack?.condition_id, TEMPERATURE);
    assert.equal(ack?.actor, 'night shift');
    assert.equal(ack?.command_id, printed[1]);
  });
});
