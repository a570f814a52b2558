/**
 * `gateway run` as systemd runs it: readiness and watchdog over a real
 * notification socket, and SIGHUP reloads of the site file against a running
 * gateway process, simulated PLCs and a real Kafka broker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import type { ModbusTcpDevice, SiteFile } from '../../src/config/schema.ts';
import { SimulatedModbusDevice } from '../../src/simulator/modbus-server.ts';
import { tempDir } from '../harness/fixtures.ts';
import { GatewayProcess, type LogLine } from '../harness/gateway-process.ts';
import { sharedBrokers } from '../harness/kafka.ts';
import { NotifySocket } from '../harness/notify-socket.ts';
import { requiredTool } from '../harness/required-tool.ts';
import { startTestSite, type TestSite } from '../harness/site.ts';
import { hasSocat } from '../harness/socat.ts';
import { until } from '../harness/wait.ts';

describe('gateway run under systemd', {
  skip: requiredTool(!hasSocat() && 'socat (Debian package socat)'),
}, () => {
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let socket: NotifySocket;
  let gateway: GatewayProcess;

  before(async () => {
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: await sharedBrokers(),
      topic: `alarms-${randomUUID()}`,
    });
    socket = await NotifySocket.bind(temp.dir);
  });

  after(async () => {
    await gateway?.kill();
    await socket.close();
    await plant.stopPlant();
    temp.remove();
  });

  test('READY=1 after the start, WATCHDOG=1 while running, STOPPING=1 on SIGTERM', async () => {
    // 400 ms watchdog period: a ping every 200 ms.
    gateway = GatewayProcess.run(plant.file, { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: '400000' });
    await until(() => socket.count('READY=1') > 0, 'READY=1', 20_000);
    assert.ok(
      gateway.logs.some((line) => line.msg === 'gateway started'),
      'readiness comes after the gateway started',
    );
    assert.match(socket.received, /READY=1\nSTATUS=2\/2 devices reachable; 0 events buffered/);
    const readyAt = socket.received.indexOf('READY=1');
    await until(() => socket.count('WATCHDOG=1') >= 5, 'five watchdog pings', 10_000);
    assert.ok(socket.received.indexOf('WATCHDOG=1') > readyAt, 'no ping before readiness');

    assert.equal(await gateway.stop(), 0);
    await until(() => socket.count('STOPPING=1') === 1, 'STOPPING=1', 5000);
    const pings = socket.count('WATCHDOG=1');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(socket.count('WATCHDOG=1'), pings, 'no ping after the gateway stopped');
  });
});

describe('SIGHUP reloads the site file', () => {
  let temp: ReturnType<typeof tempDir>;
  let plant: TestSite;
  let extra: SimulatedModbusDevice;
  let gateway: GatewayProcess;

  before(async () => {
    temp = tempDir();
    plant = await startTestSite({
      dir: temp.dir,
      brokers: await sharedBrokers(),
      topic: `alarms-${randomUUID()}`,
    });
    gateway = GatewayProcess.run(plant.file);
    await gateway.waitForLog((line) => line.msg === 'gateway started', 'the start');
  });

  after(async () => {
    await gateway?.kill();
    await plant.stopPlant();
    await extra?.stop();
    temp.remove();
  });

  /** condition_id is site/area/line/asset/point/alarm. */
  const transition = (point: string, kind: string) => (line: LogLine) =>
    String(line.condition_id ?? '').split('/')[4] === point && line.transition === kind;

  function hangUp(site: unknown): void {
    writeFileSync(plant.file, typeof site === 'string' ? site : stringify(site));
    gateway.child.kill('SIGHUP');
  }

  test('an invalid map is refused with its errors and the running configuration stays', async () => {
    plant.press.set('oil_temperature', 85);
    await gateway.waitForLog(transition('oil_temperature', 'raise'), 'the H alarm');
    const broken = structuredClone(plant.site) as SiteFile;
    (broken.devices[0] as unknown as Record<string, unknown>).poll_interval_ms = 'fast';
    hangUp(broken);
    const refused = await gateway.waitForLog((line) => line.code === 'CONFIG_RELOAD', 'the refusal');
    assert.ok(
      (refused.problems as string[]).some((problem) => problem.includes('poll_interval_ms')),
      JSON.stringify(refused.problems),
    );
    // Still polling with the old map: the alarm clears.
    plant.press.set('oil_temperature', 60);
    await gateway.waitForLog(transition('oil_temperature', 'clear'), 'the clear after the refused reload');
    assert.equal(gateway.child.exitCode, null);
  });

  test('a valid map: unchanged devices keep connection and alarm state, changed and added ones (re)start', async () => {
    plant.press.set('oil_temperature', 85);
    await gateway.waitForLog(
      (line) => transition('oil_temperature', 'raise')(line) && Number(line.seq) > 2,
      'the H alarm again',
    );
    const pressConnections = plant.press.openConnections();
    const pumpConnections = plant.pump.openConnections();
    assert.equal(pressConnections.size, 1);

    const [press, pump] = plant.site.devices as [ModbusTcpDevice, ModbusTcpDevice];
    extra = await SimulatedModbusDevice.start(
      { ...pump, id: 'mixer-plc', asset: 'mixer-1', port: 0 },
      { port: 0 },
    );
    extra.set('flow', 2);
    hangUp({
      ...plant.site,
      devices: [
        press,
        { ...pump, poll_interval_ms: 60 },
        { ...pump, id: 'mixer-plc', asset: 'mixer-1', port: extra.port },
      ],
    });
    const reloaded = await gateway.waitForLog((line) => line.msg === 'site file reloaded', 'the reload');
    assert.deepEqual(reloaded.added, ['mixer-plc']);
    assert.deepEqual(reloaded.changed, ['pump-plc']);
    assert.deepEqual(reloaded.removed, []);
    assert.equal(reloaded.unchanged, 1);

    // The added device is polled and raises its own alarm.
    await gateway.waitForLog(
      (line) => line.transition === 'raise' && String(line.condition_id).includes('/mixer-1/flow/'),
      'the low flow alarm of the added device',
    );
    await until(
      () =>
        plant.pump.openConnections().size === 1 &&
        ![...plant.pump.openConnections()].some((s) => pumpConnections.has(s)),
      'the changed device to reconnect',
    );
    assert.deepEqual(
      plant.press.openConnections(),
      pressConnections,
      'the unchanged device kept its connection',
    );
    // The unchanged device kept its alarm state: going back to normal clears the alarm raised before the reload.
    plant.press.set('oil_temperature', 60);
    await gateway.waitForLog(
      (line) => transition('oil_temperature', 'clear')(line) && Number(line.seq) > 3,
      'the clear of the alarm raised before the reload',
    );
  });

  test('a removed device stops being polled', async () => {
    const [press] = plant.site.devices as [ModbusTcpDevice];
    hangUp({ ...plant.site, devices: [press] });
    const reloaded = await gateway.waitForLog(
      (line) => line.msg === 'site file reloaded' && (line.removed as string[]).length > 0,
      'the second reload',
    );
    assert.deepEqual([...(reloaded.removed as string[])].sort(), ['mixer-plc', 'pump-plc']);
    await until(
      () => plant.pump.connections === 0 && extra.connections === 0,
      'the removed devices to be let go',
    );
  });
});
