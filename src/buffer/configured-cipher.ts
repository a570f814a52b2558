import type { SiteFile } from '../config/schema.ts';
import type { Environment } from '../system/state-paths.ts';
import { createPayloadCipher, type PayloadCipher } from './cipher.ts';
import { readKeyFile } from './key-file.ts';

/** The cipher of the buffer when a key is configured: BUFFER_KEY_FILE wins over the site file. */
export function resolveBufferCipher(
  site: SiteFile,
  env: Environment = process.env,
): PayloadCipher | undefined {
  const file = env.BUFFER_KEY_FILE ?? site.gateway.buffer?.encryption_key_file;
  return file === undefined ? undefined : createPayloadCipher(readKeyFile(file));
}
