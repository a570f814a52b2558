/**
 * Modbus TCP answers that do not fit their request, through client.ts over a
 * real socket: each is refused as MODBUS_FRAME within the timeout, never
 * taken for good values, and the connection is given up so the next one
 * starts in step.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { connectModbusTcp, type ModbusConnection } from '../../../src/adapters/modbus/client.ts';
import { GatewayError } from '../../../src/system/errors.ts';
import {
  answerData,
  exceptionAnswer,
  frame,
  goodAnswer,
  type ModbusRequest,
  type ScriptedServer,
  startScriptedServer,
} from './scripted-server.ts';

const TIMEOUT_MS = 150;
const UNIT = 5;

/** A device answering every read with 42s at once; posts its port when listening. */
const PROMPT_DEVICE = `
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.on('data', (request) => {
    const count = request.readUInt16BE(10);
    const answer = Buffer.alloc(9 + 2 * count);
    request.copy(answer, 0, 0, 2);
    answer.writeUInt16BE(3 + 2 * count, 4);
    answer[6] = request[6];
    answer[7] = request[7];
    answer[8] = 2 * count;
    for (let i = 0; i < count; i++) answer.writeUInt16BE(42, 9 + 2 * i);
    socket.write(answer);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

let server: ScriptedServer;
const open: ModbusConnection[] = [];

async function connect(): Promise<ModbusConnection> {
  const connection = await connectModbusTcp({
    host: '127.0.0.1',
    port: server.port,
    unitId: UNIT,
    timeoutMs: TIMEOUT_MS,
  });
  open.push(connection);
  return connection;
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    const value = await promise;
    assert.fail(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    assert.ok(error instanceof GatewayError, `not a GatewayError: ${error}`);
    return error;
  }
}

/** Answers each request wrongly with `wrong`, and rightly once `wrong` returns undefined. */
function answerWith(wrong: (request: ModbusRequest) => Buffer): void {
  server.setAnswer(wrong);
}

/** The read fails with MODBUS_FRAME naming `detail`, in time, and the connection is given up. */
async function assertFrameError(detail: RegExp): Promise<void> {
  const connection = await connect();
  const started = Date.now();
  const error = await rejection(connection.read('holding', 10, 2));
  assert.equal(error.code, 'MODBUS_FRAME', error.message);
  assert.match(error.message, detail);
  assert.ok(Date.now() - started < TIMEOUT_MS + 1000, 'within the timeout');
  assert.equal(connection.isOpen, false, 'the stream is out of step: the connection is given up');
  const next = await rejection(connection.read('holding', 10, 2));
  assert.equal(next.code, 'MODBUS_CONNECT');
  // A new connection starts in step.
  server.setAnswer(goodAnswer);
  const fresh = await connect();
  assert.deepEqual(await fresh.read('holding', 10, 2), [10, 11]);
}

before(async () => {
  server = await startScriptedServer();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((connection) => connection.close()));
  server.setAnswer(goodAnswer);
});

after(async () => {
  await server.close();
});

describe('Modbus TCP framing', () => {
  test('a right answer gives the values', async () => {
    const connection = await connect();
    assert.deepEqual(await connection.read('holding', 10, 3), [10, 11, 12]);
    assert.deepEqual(await connection.read('coil', 3, 3), [false, true, false]);
    assert.equal(server.requests.at(-1)?.protocolId, 0);
    assert.equal(server.requests.at(-1)?.unitId, UNIT);
  });

  test('a protocol identifier other than 0 is not Modbus: refused', async () => {
    answerWith((request) =>
      frame(request, Buffer.concat([Buffer.from([4]), answerData(request)]), { protocolId: 1 }),
    );
    await assertFrameError(/protocol identifier 1/);
  });

  test('an answer from another unit is refused', async () => {
    answerWith((request) =>
      frame(request, Buffer.concat([Buffer.from([4]), answerData(request)]), { unitId: 9 }),
    );
    await assertFrameError(/unit 9/);
  });

  test('an answer to another transaction is refused', async () => {
    answerWith((request) =>
      frame(request, Buffer.concat([Buffer.from([4]), answerData(request)]), {
        transactionId: (request.transactionId + 7) & 0xffff,
      }),
    );
    await assertFrameError(/transaction/);
  });

  test('a length field that promises more bytes than come is refused at the timeout', async () => {
    answerWith((request) =>
      frame(request, Buffer.concat([Buffer.from([4]), answerData(request)]), { length: 12 }),
    );
    await assertFrameError(/incomplete/);
  });

  test('a length field shorter than the answer is refused', async () => {
    answerWith((request) =>
      frame(request, Buffer.concat([Buffer.from([4]), answerData(request)]), { length: 4 }),
    );
    await assertFrameError(/invalid answer/);
  });

  test('a length field no frame can have is refused', async () => {
    answerWith((request) => frame(request, Buffer.alloc(0), { length: 1 }));
    await assertFrameError(/length/);
  });

  test('a byte count that disagrees with the data is refused', async () => {
    answerWith((request) => frame(request, Buffer.concat([Buffer.from([2]), answerData(request)])));
    await assertFrameError(/byte count/);
  });

  test('bytes beyond the frame are refused', async () => {
    answerWith((request) => Buffer.concat([goodAnswer(request), Buffer.from([0, 0, 0])]));
    await assertFrameError(/beyond/);
  });

  test('bytes after the answer, with no request in flight, give up the connection at once', async () => {
    server.setAnswer((request) => [
      { bytes: goodAnswer(request) },
      { bytes: Buffer.from([1, 2]), delayMs: 20 },
    ]);
    const connection = await connect();
    assert.deepEqual(await connection.read('holding', 10, 2), [10, 11]);
    await server.idle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(connection.isOpen, false);
    const next = await rejection(connection.read('holding', 10, 2));
    assert.equal(next.code, 'MODBUS_CONNECT');
    assert.match(next.message, /2 bytes with no request in flight/);
  });

  test('an answer in pieces is put together', async () => {
    server.setAnswer((request) => {
      const whole = goodAnswer(request);
      return [
        { bytes: whole.subarray(0, 3) },
        { bytes: whole.subarray(3, 9), delayMs: 10 },
        { bytes: whole.subarray(9), delayMs: 10 },
      ];
    });
    const connection = await connect();
    assert.deepEqual(await connection.read('holding', 10, 2), [10, 11]);
    assert.equal(connection.isOpen, true);
  });

  test('an exception stays an exception, and the connection stays open', async () => {
    server.setAnswer((request) => exceptionAnswer(request, 2));
    const connection = await connect();
    const error = await rejection(connection.read('holding', 10, 2));
    assert.equal(error.code, 'MODBUS_EXCEPTION');
    assert.equal(connection.isOpen, true);
  });

  test('an answer that came in time counts even when the event loop was too busy to read it before the deadline', async () => {
    // The device runs on its own thread, so it answers while this one is busy.
    const device = new Worker(PROMPT_DEVICE, { eval: true });
    try {
      const port = await new Promise<number>((resolve) => device.once('message', resolve));
      const connection = await connectModbusTcp({ host: '127.0.0.1', port, unitId: UNIT, timeoutMs: 100 });
      open.push(connection);
      const reading = connection.read('holding', 3, 2);
      await new Promise((resolve) => setImmediate(resolve)); // the request is out
      const busyUntil = Date.now() + 500;
      while (Date.now() < busyUntil) {
        // a blocking stretch, as a long synchronous task would cause
      }
      assert.deepEqual(await reading, [42, 42]);
    } finally {
      await device.terminate();
    }
  });

  test('a late answer to a timed-out request is dropped; the next read gets its own', async () => {
    let first = true;
    server.setAnswer((request) => {
      const answer = goodAnswer(request);
      if (!first) return answer;
      first = false;
      return [{ bytes: answer, delayMs: TIMEOUT_MS + 60 }];
    });
    const connection = await connect();
    assert.equal((await rejection(connection.read('holding', 1, 1))).code, 'MODBUS_TIMEOUT');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await connection.read('holding', 20, 2), [20, 21]);
    assert.equal(connection.isOpen, true);
  });
});
