/**
 * Reads the buffer encryption key: 32 raw bytes, or 64 hex digits, or base64
 * of 32 bytes (trailing newline allowed), as `openssl rand` or
 * `systemd-creds` produce them.
 */
import { readFileSync } from 'node:fs';
import { GatewayError } from '../system/errors.ts';

export function readKeyFile(path: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (cause) {
    throw new GatewayError('BUFFER_KEY', `cannot read the key file ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (raw.length === 32) return raw;
  const text = raw.toString('utf8').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return Buffer.from(text, 'base64');
  throw new GatewayError(
    'BUFFER_KEY',
    `${path} holds ${raw.length} bytes: expected 32 raw bytes, 64 hex digits or 44 characters of base64`,
  );
}
