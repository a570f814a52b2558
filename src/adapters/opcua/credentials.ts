/**
 * The user an OPC UA session opens as. Secrets are read when a connection is
 * made, not when the site file loads, so a rotated password file or a
 * corrected environment takes effect on the next reconnect.
 */
import { readFileSync } from 'node:fs';
import type { UserIdentity } from '../../config/schema.ts';
import { GatewayError } from '../../system/errors.ts';
import type { UaUser } from './client.ts';

export function resolveUser(
  identity: UserIdentity | undefined,
  env: Readonly<Record<string, string | undefined>>,
): UaUser {
  if (identity === undefined || identity.kind === 'anonymous') return { kind: 'anonymous' };
  if (identity.kind === 'certificate') {
    return {
      kind: 'certificate',
      certificatePem: readSecret(identity.cert_file),
      privateKeyPem: readSecret(identity.key_file),
    };
  }
  if (identity.password_env !== undefined) {
    const password = env[identity.password_env];
    if (password === undefined) {
      throw new GatewayError('OPCUA_CREDENTIALS', `environment variable ${identity.password_env} is not set`);
    }
    return { kind: 'username', username: identity.username, password };
  }
  const file = identity.password_file as string;
  return { kind: 'username', username: identity.username, password: readSecret(file).replace(/\r?\n$/, '') };
}

function readSecret(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewayError('OPCUA_CREDENTIALS', `${path}: ${(error as Error).message}`, { cause: error });
  }
}
