/**
 * The broker connection's rules that JSON Schema cannot express: every secret
 * from exactly one place, and a client certificate only together with its key.
 */
import type { CheckContext } from './check-context.ts';
import { isRecord, type Path } from './paths.ts';
import { checkSecret } from './secret-checks.ts';

export function checkKafkaSettings(context: CheckContext, site: Record<string, unknown>): void {
  const gateway = site.gateway;
  const kafka = isRecord(gateway) ? gateway.kafka : undefined;
  if (!isRecord(kafka)) return;
  const path: Path = ['gateway', 'kafka'];
  checkSignIn(context, kafka, path);
  if (isRecord(kafka.provisioning)) checkSignIn(context, kafka.provisioning, [...path, 'provisioning']);
}

function checkSignIn(context: CheckContext, settings: Record<string, unknown>, path: Path): void {
  if (isRecord(settings.sasl)) checkSecret(context, settings.sasl.password, [...path, 'sasl', 'password']);
  const tls = settings.tls;
  if (!isRecord(tls)) return;
  const tlsPath = [...path, 'tls'];
  if (tls.key_passphrase !== undefined)
    checkSecret(context, tls.key_passphrase, [...tlsPath, 'key_passphrase']);
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
    context.report(
      'CONFIG_SCHEMA',
      tlsPath,
      'container',
      'give cert_file and key_file together (mutual TLS)',
    );
  }
  if (tls.key_passphrase !== undefined && tls.key_file === undefined) {
    context.report('CONFIG_SCHEMA', tlsPath, 'container', 'key_passphrase needs key_file');
  }
}
