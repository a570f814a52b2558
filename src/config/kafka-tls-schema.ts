/**
 * TLS of the broker connection. Only file paths sit in the site file; the
 * key's passphrase comes from a file or the environment like every secret.
 */
import { type Static, Type } from '@sinclair/typebox';
import { SecretSource, strict } from './schema-common.ts';

const PemFile = (description: string) => Type.Optional(Type.String({ minLength: 1, description }));

export const KafkaTls = strict(
  {
    ca_file: PemFile("PEM CA bundle the broker certificates must chain to; default: the system's CAs."),
    cert_file: PemFile(
      'PEM client certificate (chain) for mutual TLS, with key_file. Without SASL the broker ACLs name User:<its subject DN>, e.g. User:CN=gateway,O=Plant.',
    ),
    key_file: PemFile(
      'PEM private key of cert_file (PKCS#8 or PKCS#1, optionally encrypted: then key_passphrase gives the passphrase, from a file or env).',
    ),
    key_passphrase: Type.Optional(SecretSource),
    server_name: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Name the broker certificates must carry when it differs from the host in brokers (brokers given by address, say).',
      }),
    ),
  },
  {
    title: 'TLS',
    description:
      "Encrypts the broker connection and verifies the broker's certificate (SSL, or SASL_SSL with sasl). tls: {} trusts the system's CAs.",
  },
);
export type KafkaTls = Static<typeof KafkaTls>;
