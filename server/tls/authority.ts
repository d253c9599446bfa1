// The local certificate authority that vouches for this server's AWS host names.
// Kept in DATA_DIR/tls: ca.pem, ca-key.pem (0600). Created on first start, reused on every start after, and
// safe when two processes start on one data dir at once (the key is published with an exclusive link; the
// loser waits for the winner's certificate). It is name-constrained to amazonaws.com, so trusting it cannot
// let anyone impersonate any other site. A CA of the user's own can be given instead (--tls-ca-cert/-key).
import { X509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AWS_DNS_SUFFIX } from '../../core/awsHosts.js';
import { EC_P256, loadX509, privateKeyPem, randomSerial, signingAlgorithmOf } from './x509.js';

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  /** SHA-256 fingerprint as openssl prints it (AB:CD:...). */
  fingerprint256: string;
  subject: string;
  notAfter: Date;
  /** The certificate's file: DATA_DIR/tls/ca.pem, or the user's own. */
  certFile: string;
  /** Whether this start created it. */
  created: boolean;
}

export class CertificateAuthorityError extends Error {}

const HOUR_MS = 3600_000;
const CA_LIFETIME_MS = 10 * 365 * 24 * HOUR_MS;
/** How long a process waits for another one that is creating the CA at the same moment. */
const PEER_WAIT_MS = 5_000;

/** Opens the user's own CA when both files are given, else the one in `tlsDir` (creating it if absent). */
export async function openCertificateAuthority(
  tlsDir: string,
  own?: { certFile: string; keyFile: string },
): Promise<CertificateAuthority> {
  if (own) return checked(readPem(own.certFile), readPem(own.keyFile), own.certFile, false);
  const certFile = path.join(tlsDir, CA_CERT_FILE);
  const keyFile = path.join(tlsDir, CA_KEY_FILE);
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + PEER_WAIT_MS;
  for (;;) {
    const certPem = readIfExists(certFile);
    const keyPem = readIfExists(keyFile);
    if (certPem && keyPem) return checked(certPem, keyPem, certFile, false);
    if (!certPem && !keyPem) {
      const made = await createAuthority();
      // The key goes first: whoever publishes it owns the creation, and a reader that finds ca.pem can
      // rely on the key being there already.
      if (publishExclusive(keyFile, made.keyPem, 0o600)) {
        if (!publishExclusive(certFile, made.certPem, 0o644))
          throw new CertificateAuthorityError(`${certFile} appeared while this process was creating the CA`);
        return checked(made.certPem, made.keyPem, certFile, true);
      }
      continue; // another process won; read its files
    }
    if (Date.now() > deadline)
      throw new CertificateAuthorityError(
        certPem
          ? `${certFile} exists without its key ${keyFile}: restore the key, or remove ${certFile} to create a new CA`
          : `${keyFile} exists without its certificate ${certFile}: restore it, or remove ${keyFile} to create a new CA`,
      );
    await sleep(50);
  }
}

async function createAuthority(): Promise<{ certPem: string; keyPem: string }> {
  const { x509, permittedDnsNames } = await loadX509();
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    // A distinct name per data dir, so a user who trusts two of them can tell them apart.
    name: `CN=codeartifact-local CA ${randomBytes(4).toString('hex')}, O=codeartifact-local`,
    notBefore: new Date(now - HOUR_MS), // tolerate a client clock a little behind ours
    notAfter: new Date(now + CA_LIFETIME_MS),
    signingAlgorithm: EC_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      permittedDnsNames([AWS_DNS_SUFFIX]),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: privateKeyPem(keys.privateKey) };
}

/** Refuses, with a reason, a pair that cannot act as this server's CA. */
function checked(certPem: string, keyPem: string, certFile: string, created: boolean): CertificateAuthority {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    throw new CertificateAuthorityError(`${certFile} is not a PEM certificate: ${(err as Error).message}`);
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new CertificateAuthorityError(`the CA key of ${certFile} is not a PEM private key: ${(err as Error).message}`);
  }
  if (!cert.ca) throw new CertificateAuthorityError(`${certFile} is not a CA certificate (basicConstraints CA:TRUE)`);
  if (!cert.checkPrivateKey(key)) throw new CertificateAuthorityError(`the CA key does not match ${certFile}`);
  try {
    signingAlgorithmOf(key);
  } catch (err) {
    throw new CertificateAuthorityError(`${certFile}: ${(err as Error).message}`);
  }
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= Date.now()) throw new CertificateAuthorityError(`${certFile} expired on ${cert.validTo}`);
  return { certPem, keyPem, fingerprint256: cert.fingerprint256, subject: cert.subject, notAfter, certFile, created };
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CertificateAuthorityError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes `file` whole, only if it does not exist yet (link(2) fails on an existing name). */
function publishExclusive(file: string, content: string, mode: number): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}
