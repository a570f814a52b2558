/** The few HTTP chores the listener needs, on plain node:http. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from './listener-limits.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/**
 * An answer given before the request's body was read ends the connection
 * (Node closes it once the answer is sent): keeping it open would mean
 * reading the rest of the body only to throw it away, however large it is.
 */
function connectionHeader(res: ServerResponse): { connection?: string } {
  const req = res.req;
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
  return hasBody && !req.readableEnded ? { connection: 'close' } : {};
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...connectionHeader(res),
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
    ...connectionHeader(res),
  });
  res.end(body);
}

/** A JSON object body; the content type must say so, which a plain HTML form cannot send cross-site. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'the body must be JSON (content-type: application/json)');
  }
  const text = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

const tooLarge = () => new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
const closedEarly = () => new HttpError(400, 'the connection closed before the body was complete');

/**
 * The body as text, refused with 413 as soon as it is announced or found to
 * be over the limit. Reading stops there: the answer closes the connection
 * rather than take in the rest.
 */
function readBody(req: IncomingMessage): Promise<string> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  if (req.destroyed) return Promise.reject(closedEarly());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      stop();
      req.pause();
      reject(tooLarge());
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    // Closed before the end: the sender gave up, and nobody is left to answer.
    const onClose = () => {
      stop();
      reject(closedEarly());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

/**
 * The token comes in the Authorization header, never a cookie: a page of
 * another site cannot make the browser send it, so there is nothing to forge.
 * Compared by hash in constant time, so timing tells nothing about it.
 */
export function requireBearer(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined) {
    throw new HttpError(
      403,
      'operator actions are disabled: no gateway.listener.operator_token is configured',
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1] || !sameSecret(match[1], token)) {
    throw new HttpError(401, 'missing or wrong operator token (Authorization: Bearer <token>)', {
      'www-authenticate': 'Bearer realm="gateway"',
    });
  }
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * A listener bound to loopback answers only requests addressed to a loopback
 * name. A web page elsewhere could otherwise point its own domain name at
 * 127.0.0.1 (DNS rebinding) and read the status through a browser on this machine.
 * The host is the Host header, or the one an absolute-form target names.
 */
export function requireLocalHost(host: string, boundHost: string): void {
  if (!isLoopback(boundHost)) return;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  if (!isLoopback(name ?? '')) {
    throw new HttpError(403, `this listener answers on loopback names only, not "${host.slice(0, 100)}"`);
  }
}
