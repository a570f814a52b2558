/**
 * The SASL settings of the broker connection, with the password read from its
 * file or environment variable. Only the client gets the password; nothing
 * here logs it, and errors name where it should come from, never its value.
 */
import type { KafkaSasl } from '../config/schema.ts';
import { readSecret } from '../system/secret.ts';

export interface SaslCredentials {
  mechanism: KafkaSasl['mechanism'];
  username: string;
  password: string;
}

export function readSaslCredentials(
  sasl: KafkaSasl,
  env: Readonly<Record<string, string | undefined>>,
): SaslCredentials {
  return {
    mechanism: sasl.mechanism,
    username: sasl.username,
    password: readSecret(sasl.password, env, 'PRODUCER_SECRET'),
  };
}
