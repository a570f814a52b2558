/**
 * The user an OPC UA session opens as. Secrets are read when a connection is
 * made, not when the site file loads, so a rotated password file or a
 * corrected environment takes effect on the next reconnect.
 */
import type { UserIdentity } from '../../config/schema.ts';
import { readSecret, readSecretFile } from '../../system/secret.ts';
import type { UaUser } from './client.ts';

export function resolveUser(
  identity: UserIdentity | undefined,
  env: Readonly<Record<string, string | undefined>>,
): UaUser {
  if (identity === undefined || identity.kind === 'anonymous') return { kind: 'anonymous' };
  if (identity.kind === 'certificate') {
    return {
      kind: 'certificate',
      certificatePem: readSecretFile(identity.cert_file, 'OPCUA_CREDENTIALS'),
      privateKeyPem: readSecretFile(identity.key_file, 'OPCUA_CREDENTIALS'),
    };
  }
  const password = readSecret(
    { file: identity.password_file, env: identity.password_env },
    env,
    'OPCUA_CREDENTIALS',
  );
  return { kind: 'username', username: identity.username, password };
}
