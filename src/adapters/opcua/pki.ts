/**
 * The gateway's certificate store on disk, in the folder layout node-opcua's
 * certificate manager keeps (own/, trusted/certs/, rejected/). Plain files,
 * so the `gateway certs` command can list and trust certificates without
 * opening a connection or loading the protocol library.
 */
import { createHash, X509Certificate } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { GatewayError } from '../../system/errors.ts';

export interface StoredCertificate {
  /** SHA-1 of the DER encoding, lower-case hex: what OPC UA tools show. */
  thumbprint: string;
  subject: string;
  validTo: string;
  file: string;
  state: 'rejected' | 'trusted';
  /** When the file was written (a rejected certificate: when it was last refused). */
  modified: number;
}

export function trustedDir(pkiDir: string): string {
  return join(pkiDir, 'trusted', 'certs');
}

export function rejectedDir(pkiDir: string): string {
  return join(pkiDir, 'rejected');
}

export function listCertificates(pkiDir: string): StoredCertificate[] {
  return [
    ...certificatesIn(rejectedDir(pkiDir), 'rejected'),
    ...certificatesIn(trustedDir(pkiDir), 'trusted'),
  ];
}

/**
 * The refused certificate a server presented, to name it in the error of a
 * refused connect: found by its thumbprint, or else the one refused last.
 */
export function rejectedCertificate(
  pkiDir: string,
  presented: Buffer | undefined,
): StoredCertificate | undefined {
  const rejected = certificatesIn(rejectedDir(pkiDir), 'rejected');
  if (presented !== undefined) {
    const thumbprint = createHash('sha1').update(presented).digest('hex');
    const match = rejected.find((certificate) => certificate.thumbprint === thumbprint);
    if (match) return match;
  }
  return rejected.sort((a, b) => b.modified - a.modified)[0];
}

/**
 * Moves a rejected certificate (by thumbprint, or any prefix of at least 8
 * hex digits) to trusted, or copies a certificate file there.
 */
export function trustCertificate(pkiDir: string, thumbprintOrFile: string): StoredCertificate {
  const target = trustedDir(pkiDir);
  mkdirSync(target, { recursive: true });
  if (existsSync(thumbprintOrFile) && statSync(thumbprintOrFile).isFile()) {
    const certificate = describe(thumbprintOrFile, 'trusted');
    if (!certificate)
      throw new GatewayError('CERTS_UNKNOWN', `${thumbprintOrFile} is not a PEM or DER certificate`);
    const file = join(target, `${certificate.thumbprint}${extension(thumbprintOrFile)}`);
    copyFileSync(thumbprintOrFile, file);
    return { ...certificate, file };
  }
  const wanted = thumbprintOrFile.toLowerCase().replace(/:/g, '');
  if (!/^[0-9a-f]{8,40}$/.test(wanted)) {
    throw new GatewayError(
      'CERTS_UNKNOWN',
      `${thumbprintOrFile} is neither a thumbprint nor a certificate file`,
    );
  }
  const matches = certificatesIn(rejectedDir(pkiDir), 'rejected').filter((c) =>
    c.thumbprint.startsWith(wanted),
  );
  if (matches.length === 0) {
    const trusted = certificatesIn(target, 'trusted').find((c) => c.thumbprint.startsWith(wanted));
    if (trusted) return trusted;
    throw new GatewayError('CERTS_UNKNOWN', `no rejected certificate has thumbprint ${thumbprintOrFile}`);
  }
  if (matches.length > 1) {
    throw new GatewayError(
      'CERTS_UNKNOWN',
      `${thumbprintOrFile} matches ${matches.length} certificates; give more digits`,
    );
  }
  const [match] = matches as [StoredCertificate];
  const file = join(target, basename(match.file));
  renameSync(match.file, file);
  return { ...match, file, state: 'trusted' };
}

function certificatesIn(dir: string, state: StoredCertificate['state']): StoredCertificate[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.(pem|der|crt|cer)$/i.test(name))
    .flatMap((name) => {
      const certificate = describe(join(dir, name), state);
      return certificate ? [certificate] : [];
    });
}

function describe(file: string, state: StoredCertificate['state']): StoredCertificate | undefined {
  try {
    const certificate = new X509Certificate(readFileSync(file));
    return {
      thumbprint: certificate.fingerprint.replace(/:/g, '').toLowerCase(),
      subject: certificate.subject.replace(/\n/g, ', '),
      validTo: new Date(certificate.validTo).toISOString(),
      file,
      state,
      modified: statSync(file).mtimeMs,
    };
  } catch {
    return undefined;
  }
}

function extension(file: string): string {
  return /\.der$|\.cer$/i.test(file) ? '.der' : '.pem';
}
