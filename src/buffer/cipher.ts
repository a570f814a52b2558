/**
 * Encryption at rest of event payloads: AES-256-GCM with a fresh 96-bit nonce
 * per row and the row's seq as associated data, so a row copied onto another
 * seq fails to decrypt instead of being sent as something it is not.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { GatewayError } from '../system/errors.ts';

export interface PayloadCipher {
  seal(seq: number, plaintext: string): string;
  open(seq: number, stored: string): string;
}

/** Marks a sealed payload; an unmarked one is plaintext written before encryption was turned on. */
const PREFIX = 'aesgcm1:';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Sealed under seq 0 in the meta table: proves at start that the key is the one the buffer was written with. */
export const KEY_CHECK_TEXT = 'edge-alarm-gateway buffer key check';

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export function createPayloadCipher(key: Buffer): PayloadCipher {
  if (key.length !== 32)
    throw new GatewayError('BUFFER_KEY', `the key has ${key.length} bytes, AES-256 needs 32`);
  const aad = (seq: number) => Buffer.from(String(seq));
  return {
    seal(seq, plaintext) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(aad(seq));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return PREFIX + Buffer.concat([nonce, body]).toString('base64');
    },
    open(seq, stored) {
      if (!isSealed(stored)) return stored;
      const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
      const nonce = raw.subarray(0, NONCE_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      const body = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce).setAAD(aad(seq)).setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw new GatewayError('BUFFER_KEY', `seq ${seq} does not decrypt with this key`, { cause });
      }
    },
  };
}

/** Without a key: plaintext passes, a sealed payload is a clear error, never garbage sent on. */
export const NO_CIPHER: PayloadCipher = {
  seal: (_seq, plaintext) => plaintext,
  open(seq, stored) {
    if (isSealed(stored))
      throw new GatewayError('BUFFER_KEY', `seq ${seq} is encrypted and no key is configured`);
    return stored;
  },
};
