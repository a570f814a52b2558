import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  DeviceSession,
  PollingAdapter,
  RunnerObserver,
  RunnerSink,
} from '../../src/adapters/adapter.ts';
import type { Reading } from '../../src/adapters/reading.ts';
import { DeviceRunner } from '../../src/adapters/runner.ts';
import { Backoff } from '../../src/system/backoff.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { until } from '../harness/wait.ts';

/** A device stand-in whose reachability the test switches; it counts connects and closes. */
class SwitchableDevice implements PollingAdapter {
  readonly deviceId = 'plc-1';
  reachable = true;
  connects = 0;
  closes = 0;
  polls = 0;

  async connect(): Promise<DeviceSession> {
    this.connects += 1;
    if (!this.reachable) throw new Error('connect ECONNREFUSED');
    return {
      poll: async (): Promise<Reading[]> => {
        this.polls += 1;
        if (!this.reachable) throw new Error('socket closed');
        return [
          { deviceId: 'plc-1', pointId: 'p', value: this.polls, quality: 'good', gatewayTime: Date.now() },
        ];
      },
      close: async () => {
        this.closes += 1;
      },
    };
  }
}

class RecordingSink implements RunnerSink {
  readonly values: unknown[] = [];
  readonly comm: boolean[] = [];
  readings(readings: readonly Reading[]): boolean {
    for (const reading of readings) this.values.push(reading.value);
    return true;
  }
  communication(_deviceId: string, lost: boolean): boolean {
    this.comm.push(lost);
    return true;
  }
}

function runner(device: SwitchableDevice, sink: RecordingSink, commLossAfter = 3, observer?: RunnerObserver) {
  return new DeviceRunner({
    ...(observer ? { observer } : {}),
    adapter: device,
    pollIntervalMs: 5,
    commLossAfter,
    sink,
    logger: createLogger('silent'),
    backoff: new Backoff({ initialMs: 2, maxMs: 10 }),
  });
}

/** A sink whose buffer refuses the first commits of a communication change, as a full buffer does. */
class RefusingSink extends RecordingSink {
  refusals = 0;
  readonly committed: boolean[] = [];
  override communication(deviceId: string, lost: boolean): boolean {
    super.communication(deviceId, lost);
    if (this.refusals > 0) {
      this.refusals -= 1;
      return false;
    }
    this.committed.push(lost);
    return true;
  }
}

describe('DeviceRunner', () => {
  test('a loss and a recovery the buffer refused are asked again until committed', async () => {
    const device = new SwitchableDevice();
    const sink = new RefusingSink();
    const r = runner(device, sink, 2);
    r.start();
    await until(() => sink.committed.length === 1);
    assert.deepEqual(sink.committed, [false]);
    sink.refusals = 2;
    device.reachable = false;
    await until(() => sink.committed.length === 2);
    assert.deepEqual(sink.committed, [false, true], 'the loss was committed after two refusals');
    assert.ok(sink.comm.length >= 4, 'asked three times for the loss');
    sink.refusals = 1;
    device.reachable = true;
    await until(() => sink.committed.length === 3);
    await r.stop();
    assert.deepEqual(sink.committed, [false, true, false]);
  });

  test('a loss that was refused and then overtaken by the recovery reports nothing', async () => {
    const device = new SwitchableDevice();
    const sink = new RefusingSink();
    const r = runner(device, sink, 1);
    r.start();
    await until(() => sink.committed.length === 1);
    sink.refusals = 1_000;
    device.reachable = false;
    await until(() => sink.comm.length >= 2);
    device.reachable = true;
    const before = sink.values.length;
    await until(() => sink.values.length >= before + 2);
    sink.refusals = 0;
    const asked = sink.comm.length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    await r.stop();
    assert.equal(sink.comm.length, asked, 'nothing left to ask once the device is back');
    assert.deepEqual(sink.committed, [false], 'the recovery matches what was last committed');
  });

  test('an observer sees every poll with its outcome and the readings, and changes nothing', async () => {
    const device = new SwitchableDevice();
    const sink = new RecordingSink();
    const polls: boolean[] = [];
    const seen: unknown[] = [];
    const r = runner(device, sink, 2, {
      polled: (deviceId, durationMs, ok) => {
        assert.equal(deviceId, 'plc-1');
        assert.ok(durationMs >= 0);
        polls.push(ok);
      },
      readings: (_deviceId, readings) => seen.push(...readings.map((reading) => reading.value)),
    });
    r.start();
    await until(() => sink.values.length >= 2);
    device.reachable = false;
    await until(() => polls.includes(false));
    await r.stop();
    assert.deepEqual(seen, sink.values, 'the observer saw exactly what the alarm stage got');
    assert.equal(polls.filter(Boolean).length, sink.values.length);
  });

  test('polls on schedule over one connection and reports communication once after the first success', async () => {
    const device = new SwitchableDevice();
    const sink = new RecordingSink();
    const r = runner(device, sink);
    r.start();
    await until(() => sink.values.length >= 5);
    await r.stop();
    assert.equal(device.connects, 1);
    assert.deepEqual(sink.comm, [false]);
    assert.deepEqual(sink.values.slice(0, 5), [1, 2, 3, 4, 5]);
    assert.equal(device.closes, 1, 'stop closes the session');
  });

  test('declares the device lost after N failures in a row, reconnects, and reports it restored', async () => {
    const device = new SwitchableDevice();
    const sink = new RecordingSink();
    const r = runner(device, sink, 3);
    r.start();
    await until(() => sink.values.length >= 1);
    device.reachable = false;
    await until(() => sink.comm.includes(true));
    assert.equal(r.status.lost, true);
    assert.ok(r.status.consecutiveFailures >= 3);
    const connectsWhileDown = device.connects;
    await until(() => device.connects >= connectsWhileDown + 2);
    device.reachable = true;
    await until(() => sink.comm.at(-1) === false && sink.comm.length === 3);
    await r.stop();
    assert.deepEqual(sink.comm, [false, true, false]);
    assert.equal(r.status.lost, false);
    assert.equal(r.status.consecutiveFailures, 0);
  });

  test('fewer failures than the threshold do not count as lost', async () => {
    const device = new SwitchableDevice();
    const sink = new RecordingSink();
    const r = runner(device, sink, 1000);
    r.start();
    await until(() => sink.values.length >= 1);
    device.reachable = false;
    await until(() => r.status.consecutiveFailures >= 3);
    device.reachable = true;
    await until(() => r.status.consecutiveFailures === 0);
    await r.stop();
    assert.deepEqual(sink.comm, [false]);
  });

  test('a device unreachable from the start is reported lost without a prior success', async () => {
    const device = new SwitchableDevice();
    device.reachable = false;
    const sink = new RecordingSink();
    const r = runner(device, sink, 2);
    r.start();
    await until(() => sink.comm.length === 1);
    await r.stop();
    assert.deepEqual(sink.comm, [true]);
  });
});
