/**
 * Secrets (passwords, keys) come from a file or an environment variable, never
 * from the site file: systemd credentials are files, containers pass
 * variables. Each stage reports a missing secret under its own error code.
 */
import { readFileSync } from 'node:fs';
import { type ErrorCode, GatewayError } from './errors.ts';

export interface SecretSource {
  file?: string | undefined;
  env?: string | undefined;
}

/** The secret's text; a file's single trailing newline (as `echo` writes it) is not part of it. */
export function readSecret(
  source: SecretSource,
  env: Readonly<Record<string, string | undefined>>,
  code: ErrorCode,
): string {
  if (source.env !== undefined) {
    const value = env[source.env];
    if (value === undefined || value === '') {
      throw new GatewayError(code, `environment variable ${source.env} is not set`);
    }
    return value;
  }
  return readSecretFile(source.file as string, code).replace(/\r?\n$/, '');
}

/** A whole file (a certificate, a key), as it is. */
export function readSecretFile(path: string, code: ErrorCode): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new GatewayError(code, `${path}: ${reason}`, { cause: error });
  }
}
