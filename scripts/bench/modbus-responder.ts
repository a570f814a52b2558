/**
 * The smallest Modbus TCP server that can stand in for a PLC when the polling
 * side is what is being measured: it answers read requests (function codes
 * 1 to 4) at once, with each register holding its own address. The simulator
 * defers every answer to a timer, which caps it near 1,000 requests per second
 * and would hide the gateway's own cost.
 */
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';

const MBAP_BYTES = 7;
const ILLEGAL_FUNCTION = 1;

export interface Responder {
  port: number;
  close(): Promise<void>;
}

function answer(request: Buffer): Buffer {
  const header = request.subarray(0, MBAP_BYTES);
  const functionCode = request[MBAP_BYTES] ?? 0;
  if (functionCode < 1 || functionCode > 4 || request.length < MBAP_BYTES + 5) {
    return frame(header, Buffer.from([(functionCode | 0x80) & 0xff, ILLEGAL_FUNCTION]));
  }
  const start = request.readUInt16BE(MBAP_BYTES + 1);
  const count = request.readUInt16BE(MBAP_BYTES + 3);
  let pdu: Buffer;
  if (functionCode === 3 || functionCode === 4) {
    pdu = Buffer.alloc(2 + 2 * count);
    pdu[1] = 2 * count;
    for (let i = 0; i < count; i++) pdu.writeUInt16BE((start + i) & 0xffff, 2 + 2 * i);
  } else {
    // Coils and discrete inputs all off: the content does not matter here, only the exchange.
    pdu = Buffer.alloc(2 + Math.ceil(count / 8));
    pdu[1] = Math.ceil(count / 8);
  }
  pdu[0] = functionCode;
  return frame(header, pdu);
}

/** The request's header with the length field (unit id plus PDU) set for the answer. */
function frame(header: Buffer, pdu: Buffer): Buffer {
  const response = Buffer.concat([header, pdu]);
  response.writeUInt16BE(1 + pdu.length, 4);
  return response;
}

function serve(socket: net.Socket): void {
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= MBAP_BYTES) {
      const size = 6 + pending.readUInt16BE(4);
      if (pending.length < size) break;
      socket.write(answer(pending.subarray(0, size)));
      pending = pending.subarray(size);
    }
  });
  socket.on('error', () => socket.destroy());
}

export async function startResponder(host = '127.0.0.1'): Promise<Responder> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket);
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
