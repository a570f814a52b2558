/**
 * HTTP/1.1 spoken by hand over a TCP socket, for requests no well-behaved
 * client would send: odd request targets, lying Content-Lengths, bodies that
 * never end. Reads the first answer the listener gives, or that it closed.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Exchange {
  /** The first answer, when a whole one arrived. */
  answer: RawAnswer | undefined;
  /** Everything the listener sent. */
  received: Buffer;
  /** The listener closed the connection (or reset it). */
  closed: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The first complete answer in what was received, undefined while it is
 * incomplete or not HTTP. An answer to HEAD has no body, whatever its length says.
 */
export function parseAnswer(received: Buffer, closed: boolean, head = false): RawAnswer | undefined {
  const end = received.indexOf(HEAD_END);
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(`${statusLine} `);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = received.subarray(end + HEAD_END.length);
  if (head) return { status: Number(match[1]), headers, body: '' };
  const length = headers['content-length'];
  if (length === undefined) {
    // No length: the body runs to the close.
    return closed ? { status: Number(match[1]), headers, body: rest.toString('utf8') } : undefined;
  }
  if (rest.length < Number(length)) return undefined;
  return { status: Number(match[1]), headers, body: rest.subarray(0, Number(length)).toString('utf8') };
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Sends the bytes and waits for the first whole answer or the close; gives
 * up after timeoutMs. halfClose ends the sending side at once, so a body
 * shorter than announced ends there (Node then answers 400 itself); it is
 * off by default because Node drops the requests of a client that
 * half-closed before they were answered.
 */
export async function exchange(
  port: number,
  request: string | Buffer,
  { timeoutMs = 10_000, head = false, halfClose = false } = {},
): Promise<Exchange> {
  const socket = await open(port);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no answer and no close within ${timeoutMs} ms to ${JSON.stringify(String(request).slice(0, 200))}`,
        ),
      );
    }, timeoutMs);
    const settle = () => {
      const received = Buffer.concat(chunks);
      const answer = parseAnswer(received, closed, head);
      if (answer === undefined && !closed) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, received, closed });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      settle();
    });
    // A reset after the answer is a close like any other here.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      settle();
    });
    if (halfClose) socket.end(request);
    else socket.write(request);
  });
}

export interface Streamed {
  /** Body bytes handed to the connection before the listener closed it. */
  bodyBytesWritten: number;
  answer: RawAnswer | undefined;
  /** The listener closed the connection, rather than the sender giving up. */
  closedByListener: boolean;
}

/**
 * Sends the head, then streams zero bytes for the body as fast as the
 * connection takes them, up to bodyBytes, and stops when the listener closes.
 */
export async function streamBody(port: number, head: string, bodyBytes: number): Promise<Streamed> {
  const socket = await open(port);
  const chunk = Buffer.alloc(64 * 1024);
  const chunks: Buffer[] = [];
  let hungUp = false;
  let written = 0;
  socket.on('data', (data: Buffer) => chunks.push(data));
  socket.on('error', () => undefined);
  const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(head);
  while (written < bodyBytes && !socket.destroyed) {
    const piece = chunk.subarray(0, Math.min(chunk.length, bodyBytes - written));
    written += piece.length;
    if (!socket.write(piece)) {
      await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), gone]);
    }
  }
  if (!socket.destroyed) {
    // Everything went through: give the listener a moment to answer, then hang up.
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 1000))]);
    hungUp = !socket.destroyed;
    socket.destroy();
  }
  await gone;
  const received = Buffer.concat(chunks);
  return { bodyBytesWritten: written, answer: parseAnswer(received, true), closedByListener: !hungUp };
}
