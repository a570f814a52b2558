/** The few HTTP chores the listener needs, on plain node:http. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Commands and level changes are tiny; anything larger is not one of them. */
const MAX_BODY_BYTES = 16 * 1024;

export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
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
  });
  res.end(body);
}

/** A JSON object body; the content type must say so, which a plain HTML form cannot send cross-site. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'the body must be JSON (content-type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
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
 */
export function requireLocalHost(req: IncomingMessage, boundHost: string): void {
  if (!isLoopback(boundHost)) return;
  const header = req.headers.host ?? '';
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0];
  if (!isLoopback(name ?? '')) {
    throw new HttpError(403, `this listener answers on loopback names only, not "${header}"`);
  }
}
