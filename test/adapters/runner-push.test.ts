import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { PushAdapter, PushLink, PushSession, RunnerSink } from '../../src/adapters/adapter.ts';
import type { Reading } from '../../src/adapters/reading.ts';
import { DeviceRunner } from '../../src/adapters/runner.ts';
import { Backoff } from '../../src/system/backoff.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { until } from '../harness/wait.ts';

/** A subscription-style device stand-in: the test pushes values, drops the link or ends the session. */
class PushDevice implements PushAdapter {
  readonly deviceId = 'ua-1';
  readonly mode = 'push';
  reachable = true;
  connects = 0;
  closes = 0;
  link: PushLink | undefined;
  #end: (() => void) | undefined;

  async connect(link: PushLink): Promise<PushSession> {
    this.connects += 1;
    if (!this.reachable) throw new Error('connect ECONNREFUSED');
    this.link = link;
    const ended = new Promise<void>((resolve) => {
      this.#end = resolve;
    });
    return {
      ended,
      close: async () => {
        this.closes += 1;
      },
    };
  }

  push(value: number): boolean {
    const reading: Reading = {
      deviceId: this.deviceId,
      pointId: 'p',
      value,
      quality: 'good',
      gatewayTime: 0,
    };
    return this.link?.deliver([reading]) ?? false;
  }

  endSession(): void {
    this.#end?.();
  }
}

class RecordingSink implements RunnerSink {
  readonly values: unknown[] = [];
  readonly comm: boolean[] = [];
  accept = true;
  readings(readings: readonly Reading[]): boolean {
    if (!this.accept) return false;
    for (const reading of readings) this.values.push(reading.value);
    return true;
  }
  communication(_deviceId: string, lost: boolean): boolean {
    this.comm.push(lost);
    return true;
  }
}

const started: DeviceRunner[] = [];

function runner(device: PushDevice, sink: RecordingSink, commLossAfter = 2) {
  const created = new DeviceRunner({
    adapter: device,
    pollIntervalMs: 1000,
    commLossAfter,
    sink,
    logger: createLogger('silent'),
    backoff: new Backoff({ initialMs: 2, maxMs: 10 }),
  });
  started.push(created);
  return created;
}

describe('DeviceRunner with a push device', () => {
  // A failed assertion must not leave a runner reconnecting for ever and the test process alive.
  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.stop()));
  });

  test('connects once, reports communication, and passes pushed readings through', async () => {
    const device = new PushDevice();
    const sink = new RecordingSink();
    const r = runner(device, sink);
    r.start();
    await until(() => sink.comm.length === 1);
    assert.equal(device.push(1), true);
    assert.equal(device.push(2), true);
    await r.stop();
    assert.deepEqual(sink.values, [1, 2]);
    assert.deepEqual(sink.comm, [false]);
    assert.equal(device.connects, 1);
    assert.equal(device.closes, 1, 'stop closes the session');
  });

  test('deliver says false when the sink could not commit, so the adapter acknowledges nothing', async () => {
    const device = new PushDevice();
    const sink = new RecordingSink();
    const r = runner(device, sink);
    r.start();
    await until(() => device.link !== undefined);
    sink.accept = false;
    assert.equal(device.push(1), false);
    await r.stop();
  });

  test('a link that drops is lost at once and restored when the library reconnects', async () => {
    const device = new PushDevice();
    const sink = new RecordingSink();
    const r = runner(device, sink, 5);
    r.start();
    await until(() => sink.comm.length === 1);
    device.link?.link(false, 'keep-alive failed');
    assert.equal(r.status.lost, true);
    assert.equal(r.status.connected, false);
    device.link?.link(false, 'still down');
    device.link?.link(true, 'reconnected');
    await r.stop();
    assert.deepEqual(sink.comm, [false, true, false]);
    assert.equal(device.connects, 1, 'the library reconnected, not the runner');
  });

  test('an ended session is connected again from scratch, with backoff, and lost after N failed connects', async () => {
    const device = new PushDevice();
    const sink = new RecordingSink();
    const r = runner(device, sink, 2);
    r.start();
    await until(() => sink.comm.length === 1);
    device.reachable = false;
    device.endSession();
    await until(() => sink.comm.includes(true), 'lost');
    assert.ok(
      device.connects >= 2,
      'the ended session counts as one failure, the refused connect as the next',
    );
    device.reachable = true;
    await until(() => sink.comm.length === 3, 'restored');
    await r.stop();
    assert.deepEqual(sink.comm, [false, true, false]);
    assert.equal(device.closes, 2, 'the ended session and the last one are both closed');
  });
});
