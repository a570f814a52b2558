/**
 * The Modbus adapter against devices that refuse reads or garble answers:
 * what it logs (once per change, not once per poll), how a refused merged
 * read is split and merged again, and how a garbled answer is counted.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createModbusAdapter } from '../../../src/adapters/modbus/adapter.ts';
import { MERGE_RETRY } from '../../../src/adapters/modbus/read-plan.ts';
import { SimulatedModbusDevice } from '../../../src/simulator/modbus-server.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { modbusDevice } from './fixtures.ts';
import { answerData, frame, startScriptedServer } from './scripted-server.ts';

const device = modbusDevice(
  [
    { id: 'a', register: 'holding', address: 0 },
    { id: 'b', register: 'holding', address: 1 },
    { id: 'c', register: 'holding', address: 2 },
    { id: 'd', register: 'coil', address: 3 },
  ],
  { timeout_ms: 300 },
);

interface LogLine {
  level: string;
  msg: string;
  code?: string;
}

function capture(): { lines: LogLine[]; logger: ReturnType<typeof createLogger> } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as LogLine);
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('Modbus adapter: refused reads', () => {
  let sim: SimulatedModbusDevice;
  const clock = { now: 1_000_000 };

  before(async () => {
    sim = await SimulatedModbusDevice.start(device, { port: 0 });
  });
  beforeEach(() => sim.clearFailures());
  after(async () => {
    await sim.stop();
  });

  function failHolding(code: number): void {
    for (const address of [0, 1, 2]) sim.failAddress('holding', address, code);
  }

  test('a device refusing reads logs once per change, not once per point and poll', async () => {
    const { lines, logger } = capture();
    const adapter = createModbusAdapter({ ...device, port: sim.port }, logger, { now: () => clock.now });
    const pollTimes = async (times: number) => {
      const session = await adapter.connect();
      try {
        for (let i = 0; i < times; i++) {
          const readings = await session.poll();
          assert.equal(readings.length, 4);
        }
      } finally {
        await session.close();
      }
    };
    const warnings = () => lines.filter((line) => line.level === 'warn');

    failHolding(4);
    await pollTimes(10);
    await pollTimes(5); // a new connection is no change either
    assert.equal(warnings().length, 1, JSON.stringify(warnings(), null, 1));
    assert.equal(warnings()[0]?.code, 'MODBUS_EXCEPTION');
    assert.match(
      warnings()[0]?.msg ?? '',
      /exception 4 \(server device failure\) for a \(holding 0\), b \(holding 1\), c \(holding 2\) \(/,
    );

    failHolding(6);
    await pollTimes(5);
    assert.equal(warnings().length, 2, 'a new exception code is a change: one more line');
    assert.match(warnings()[1]?.msg ?? '', /exception 6 \(server device busy\)/);

    const before = lines.length;
    sim.clearFailures();
    await pollTimes(5);
    const recovered = lines.slice(before);
    assert.equal(recovered.length, 1, JSON.stringify(recovered, null, 1));
    assert.equal(recovered[0]?.level, 'info');
    assert.equal(recovered[0]?.msg, 'points answered again: a, b, c');
  });

  test('a refused merged read is read point by point, and merged again after the back-off', async () => {
    const { lines, logger } = capture();
    const adapter = createModbusAdapter({ ...device, port: sim.port }, logger, { now: () => clock.now });
    const session = await adapter.connect();
    try {
      assert.equal(adapter.plan.length, 2, 'holding 0..2 in one read, the coil in another');
      sim.failAddress('holding', 1, 2);
      const refused = await session.poll();
      assert.equal(refused.find((r) => r.pointId === 'b')?.quality, 'bad');
      assert.equal(refused.find((r) => r.pointId === 'a')?.quality, 'good');
      assert.equal(adapter.plan.length, 4, 'split into one read per point');

      sim.clearFailures();
      clock.now += MERGE_RETRY.firstMs - 1;
      await session.poll();
      assert.equal(adapter.plan.length, 4, 'still split within the back-off');

      clock.now += 1;
      const requestsBefore = adapter.counters.requests;
      const merged = await session.poll();
      assert.ok(merged.every((r) => r.quality === 'good'));
      assert.equal(
        adapter.counters.requests - requestsBefore,
        2,
        'the merged read was tried, not the singles',
      );
      assert.equal(adapter.plan.length, 2, 'merged again');
      assert.ok(lines.some((line) => /read together again/.test(line.msg)));
    } finally {
      await session.close();
    }
  });

  test('a trial of the merged read that is refused again keeps it split, without a new line', async () => {
    const { lines, logger } = capture();
    const adapter = createModbusAdapter({ ...device, port: sim.port }, logger, { now: () => clock.now });
    const session = await adapter.connect();
    try {
      sim.failAddress('holding', 1, 2);
      await session.poll();
      const logged = lines.length;
      clock.now += MERGE_RETRY.firstMs;
      const trial = await session.poll();
      assert.equal(trial.length, 4, 'every point is read in the trial poll as well');
      assert.equal(trial.find((r) => r.pointId === 'a')?.quality, 'good');
      assert.equal(adapter.plan.length, 4);
      assert.equal(lines.length, logged, JSON.stringify(lines.slice(logged), null, 1));
    } finally {
      await session.close();
    }
  });
});

describe('Modbus adapter: garbled answers', () => {
  test('an answer with a foreign protocol identifier fails the poll as MODBUS_FRAME and is counted', async () => {
    const server = await startScriptedServer((request) =>
      frame(request, Buffer.concat([Buffer.from([answerData(request).length]), answerData(request)]), {
        protocolId: 7,
      }),
    );
    const adapter = createModbusAdapter({ ...device, port: server.port }, createLogger('silent'));
    try {
      const session = await adapter.connect();
      await assert.rejects(
        session.poll(),
        (error: Error & { code?: string }) => error.code === 'MODBUS_FRAME',
      );
      assert.equal(adapter.counters.frameErrors, 1);
      await session.close();
    } finally {
      await server.close();
    }
  });
});
