import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveness, type ReadinessInput, readiness, requiredDevices } from '../../src/telemetry/health.ts';

const devices = (...up: boolean[]) => up.map((isUp, i) => ({ deviceId: `plc-${i + 1}`, up: isUp }));
const input = (overrides: Partial<ReadinessInput> = {}): ReadinessInput => ({
  configLoaded: true,
  bufferProblem: undefined,
  devices: devices(true, true),
  minDevicesShare: 0.5,
  brokerUp: true,
  ...overrides,
});

test('live while the worst recent loop lag is within the bound, not beyond', () => {
  assert.deepEqual(liveness(12.4, 2000), { ok: true, loop_lag_ms: 12, max_loop_lag_ms: 2000 });
  assert.equal(liveness(2000, 2000).ok, true);
  assert.equal(liveness(2000.5, 2000).ok, false);
});

test('devices needed: the share rounded up, at least one for any share above 0', () => {
  assert.equal(requiredDevices(4, 0.5), 2);
  assert.equal(requiredDevices(3, 0.5), 2);
  assert.equal(requiredDevices(10, 0.01), 1);
  assert.equal(requiredDevices(3, 1), 3);
  assert.equal(requiredDevices(3, 0), 0);
  assert.equal(requiredDevices(10, 0.3), 3, 'no float error turns 3 into 4');
  assert.equal(requiredDevices(0, 1), 0);
});

test('ready with config, a writable buffer and enough devices; the broker does not count', () => {
  const ready = readiness(input({ brokerUp: false, brokerError: 'connect ECONNREFUSED' }));
  assert.equal(ready.ok, true);
  assert.deepEqual(ready.checks.broker, { up: false, required: false, last_error: 'connect ECONNREFUSED' });
  assert.deepEqual(readiness(input()).checks.broker, { up: true, required: false });
});

test('not ready with too few devices, naming the ones down', () => {
  const ready = readiness(input({ devices: devices(false, true, false), minDevicesShare: 0.5 }));
  assert.equal(ready.ok, false);
  assert.deepEqual(ready.checks.devices, {
    ok: false,
    up: 1,
    total: 3,
    required: 2,
    down: ['plc-1', 'plc-3'],
  });
});

test('not ready while the buffer refuses events, saying why, or before the config is loaded', () => {
  const full = readiness(input({ bufferProblem: '[buffer] BUFFER_WRITE: SQLITE_FULL' }));
  assert.equal(full.ok, false);
  assert.deepEqual(full.checks.buffer, { ok: false, problem: '[buffer] BUFFER_WRITE: SQLITE_FULL' });
  assert.equal(readiness(input({ configLoaded: false })).ok, false);
});
