/**
 * A Modbus TCP server that answers whatever a test scripts: each request is
 * parsed and handed to `answer`, which returns the bytes to send back (in
 * pieces with pauses, to split writes) or nothing at all. For answers no
 * well-behaved device gives: wrong headers, wrong lengths, stray bytes.
 */
import net, { type AddressInfo } from 'node:net';

export interface ModbusRequest {
  transactionId: number;
  protocolId: number;
  unitId: number;
  functionCode: number;
  start: number;
  count: number;
  /** The request as it came, MBAP header included. */
  raw: Buffer;
}

/** One write of the answer, sent after `delayMs`. */
export interface AnswerPiece {
  bytes: Buffer;
  delayMs?: number;
}

/** The bytes to send (one write or several), or undefined to stay silent. */
export type Answer = Buffer | readonly AnswerPiece[] | undefined;

export interface ScriptedServer {
  readonly port: number;
  /** Requests received so far, over every connection. */
  readonly requests: ModbusRequest[];
  /** Connections opened so far. */
  readonly connections: number;
  /** Settles once every answer scripted so far has been written (or its connection closed). */
  idle(): Promise<void>;
  setAnswer(answer: (request: ModbusRequest) => Answer): void;
  close(): Promise<void>;
}

const MBAP_HEADER = 7;

export async function startScriptedServer(
  answer: (request: ModbusRequest) => Answer = goodAnswer,
): Promise<ScriptedServer> {
  let respond = answer;
  const requests: ModbusRequest[] = [];
  const sockets = new Set<net.Socket>();
  const sending = new Set<Promise<void>>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let pending = Buffer.alloc(0);
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= MBAP_HEADER) {
        const size = 6 + pending.readUInt16BE(4);
        if (pending.length < size) return;
        const raw = pending.subarray(0, size);
        pending = pending.subarray(size);
        const request = parseRequest(Buffer.from(raw));
        requests.push(request);
        // Each answer on its own clock: a late one does not hold up the answers after it.
        const sent = send(socket, piecesOf(respond(request)));
        sending.add(sent);
        void sent.finally(() => sending.delete(sent));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    get connections() {
      return connections;
    },
    setAnswer(next) {
      respond = next;
    },
    async idle() {
      while (sending.size > 0) await Promise.all(sending);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseRequest(raw: Buffer): ModbusRequest {
  return {
    transactionId: raw.readUInt16BE(0),
    protocolId: raw.readUInt16BE(2),
    unitId: raw[6] ?? 0,
    functionCode: raw[7] ?? 0,
    start: raw.length >= 10 ? raw.readUInt16BE(8) : 0,
    count: raw.length >= 12 ? raw.readUInt16BE(10) : 0,
    raw,
  };
}

function piecesOf(answer: Answer): readonly AnswerPiece[] {
  if (answer === undefined) return [];
  return Buffer.isBuffer(answer) ? [{ bytes: answer }] : answer;
}

async function send(socket: net.Socket, pieces: readonly AnswerPiece[]): Promise<void> {
  for (const piece of pieces) {
    if ((piece.delayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, piece.delayMs));
    if (socket.destroyed) return;
    await written(socket, piece.bytes);
  }
}

/** Settles when the bytes are handed to the system, or the connection closes first. */
function written(socket: net.Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('close', done);
      resolve();
    };
    socket.once('close', done);
    socket.write(bytes, done);
  });
}

/** The data of a right answer: `count` registers (value = address) or bits (on at even addresses). */
export function answerData(request: ModbusRequest): Buffer {
  if (request.functionCode === 1 || request.functionCode === 2) {
    const bytes = Buffer.alloc(Math.ceil(request.count / 8));
    for (let i = 0; i < request.count; i++) {
      if ((request.start + i) % 2 === 0) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
    }
    return bytes;
  }
  const words = Buffer.alloc(2 * request.count);
  for (let i = 0; i < request.count; i++) words.writeUInt16BE((request.start + i) & 0xffff, 2 * i);
  return words;
}

/** The words a right answer carries for registers, the bits for coils and discrete inputs. */
export function expectedValues(functionCode: number, start: number, count: number): number[] | boolean[] {
  if (functionCode === 1 || functionCode === 2) {
    return Array.from({ length: count }, (_, i) => (start + i) % 2 === 0);
  }
  return Array.from({ length: count }, (_, i) => (start + i) & 0xffff);
}

export interface FrameFields {
  transactionId?: number;
  protocolId?: number;
  /** The MBAP length field; by default the length of what follows it. */
  length?: number;
  unitId?: number;
  functionCode?: number;
}

/** An MBAP frame around `body` (the PDU after the function code), with any header field overridden. */
export function frame(request: ModbusRequest, body: Buffer, fields: FrameFields = {}): Buffer {
  const out = Buffer.alloc(8 + body.length);
  out.writeUInt16BE(fields.transactionId ?? request.transactionId, 0);
  out.writeUInt16BE(fields.protocolId ?? 0, 2);
  out.writeUInt16BE(fields.length ?? 2 + body.length, 4);
  out[6] = fields.unitId ?? request.unitId;
  out[7] = fields.functionCode ?? request.functionCode;
  body.copy(out, 8);
  return out;
}

/** A right answer: byte count and data. */
export function goodAnswer(request: ModbusRequest): Buffer {
  const data = answerData(request);
  return frame(request, Buffer.concat([Buffer.from([data.length]), data]));
}

/** An exception response with `code`. */
export function exceptionAnswer(request: ModbusRequest, code: number): Buffer {
  return frame(request, Buffer.from([code]), { functionCode: request.functionCode | 0x80 });
}
