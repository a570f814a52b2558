/**
 * The SASL settings of the broker connection, with the password read from its
 * file or environment variable. Only the client gets the password; nothing
 * here logs it, and errors name where it should come from, never its value.
 */
import { readFileSync } from 'node:fs';
import type { KafkaSasl } from '../config/schema.ts';
import { GatewayError } from '../system/errors.ts';

export interface SaslCredentials {
  mechanism: KafkaSasl['mechanism'];
  username: string;
  password: string;
}

export function readSaslCredentials(
  sasl: KafkaSasl,
  env: Readonly<Record<string, string | undefined>>,
): SaslCredentials {
  return { mechanism: sasl.mechanism, username: sasl.username, password: readPassword(sasl.password, env) };
}

function readPassword(
  source: KafkaSasl['password'],
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (source.env !== undefined) {
    const value = env[source.env];
    if (value === undefined || value === '') {
      throw new GatewayError('PRODUCER_SECRET', `environment variable ${source.env} is not set`);
    }
    return value;
  }
  try {
    return readFileSync(source.file as string, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new GatewayError('PRODUCER_SECRET', `${source.file}: ${reason}`, { cause: error });
  }
}
