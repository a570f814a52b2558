import { listCertificates, trustCertificate } from '../adapters/opcua/pki.ts';
import { formatIssue, loadSiteFile } from '../config/load.ts';
import { GatewayError } from '../system/errors.ts';
import { resolvePkiDir } from '../system/state-paths.ts';

/**
 * `gateway certs list` and `gateway certs trust <thumbprint|file>`: the OPC UA
 * server certificates the gateway refused or trusts, in the PKI of the state
 * directory the site file (or STATE_DIRECTORY) names.
 */
export function certsCommand(file: string, action: string | undefined, target: string | undefined): number {
  const result = loadSiteFile(file);
  if (!result.ok) {
    for (const issue of result.issues) process.stderr.write(`${formatIssue(issue)}\n`);
    return 1;
  }
  const pkiDir = resolvePkiDir(result.site);
  if (action === 'list') {
    const certificates = listCertificates(pkiDir);
    if (certificates.length === 0) process.stdout.write(`no server certificates in ${pkiDir}\n`);
    for (const c of certificates) {
      process.stdout.write(`${c.state.padEnd(8)} ${c.thumbprint}  ${c.subject}  (valid to ${c.validTo})\n`);
    }
    return 0;
  }
  try {
    const trusted = trustCertificate(pkiDir, target as string);
    process.stdout.write(`trusted ${trusted.thumbprint}  ${trusted.subject}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    process.stderr.write(`${error.describe()}\n`);
    return 1;
  }
}
