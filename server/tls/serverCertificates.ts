// The certificates this server presents for AWS's host names: one per region, covering
// codeartifact.{region}.amazonaws.com and *.d.codeartifact.{region}.amazonaws.com, signed by the local CA.
// Minted on first use and kept in memory; renewed before they expire. Built to pass strict verification
// (OpenSSL -x509_strict, Python 3.13's VERIFY_X509_STRICT): v3, AKID/SKID, critical basicConstraints and
// keyUsage, serverAuth, every name in the SAN.
import { webcrypto } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { regionHostNames } from '../../core/awsHosts.js';
import type { CertificateAuthority } from './authority.js';
import { EC_P256, importSigningKey, loadX509, privateKeyPem, randomSerial } from './x509.js';

const DAY_MS = 24 * 3600_000;
const LIFETIME_MS = 90 * DAY_MS;
const RENEW_BEFORE_MS = 7 * DAY_MS;
/** Regions are a short list; the bound only stops made-up ones from growing the cache without end. */
const MAX_CACHED = 64;

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

/** The CA parsed and its key imported once: together a third of a mint's time when redone per region. */
const signers = new WeakMap<CertificateAuthority, ReturnType<typeof prepareSigner>>();

async function prepareSigner(ca: CertificateAuthority) {
  const { x509 } = await loadX509();
  return { x509, caCert: new x509.X509Certificate(ca.certPem), signer: await importSigningKey(ca.keyPem) };
}

/** Mints the certificate for one region's host names. */
export const mintServerCertificate = (ca: CertificateAuthority, region: string, now: Date = new Date()) =>
  issueServerCertificate(ca, regionHostNames(region), now);

/** A TLS server certificate for `names` (the first is also the subject CN), signed by the CA. */
export async function issueServerCertificate(
  ca: CertificateAuthority,
  names: string[],
  now: Date = new Date(),
): Promise<ServerCertificate> {
  let prepared = signers.get(ca);
  if (!prepared) signers.set(ca, (prepared = prepareSigner(ca)));
  const { x509, caCert, signer } = await prepared;
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  // Chains are built by matching our AKID to the CA's SKID, so take the CA's own value when it has one.
  const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const notAfter = new Date(Math.min(now.getTime() + LIFETIME_MS, ca.notAfter.getTime()));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${names[0]}`,
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - 3600_000),
    notAfter,
    signingAlgorithm: signer.algorithm,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      caKeyId
        ? new x509.AuthorityKeyIdentifierExtension(caKeyId)
        : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: privateKeyPem(keys.privateKey), notAfter };
}

interface Cached {
  context: SecureContext;
  renewAt: number;
}

/** TLS contexts per region, minted once (concurrent first requests share one mint). */
export class ServerCertificates {
  private readonly cache = new Map<string, Cached>();
  private readonly minting = new Map<string, Promise<SecureContext>>();

  constructor(
    readonly ca: CertificateAuthority,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The context for a region whose certificate is already minted and fresh, if any: no waiting. */
  ready(region: string): SecureContext | undefined {
    const hit = this.cache.get(region);
    return hit && hit.renewAt > this.clock().getTime() ? hit.context : undefined;
  }

  contextFor(region: string): Promise<SecureContext> {
    const hit = this.ready(region);
    if (hit) return Promise.resolve(hit);
    let pending = this.minting.get(region);
    if (!pending) {
      pending = this.mint(region).finally(() => this.minting.delete(region));
      this.minting.set(region, pending);
    }
    return pending;
  }

  private async mint(region: string): Promise<SecureContext> {
    const now = this.clock();
    const leaf = await mintServerCertificate(this.ca, region, now);
    // The chain goes out with the CA, so a user-supplied intermediate CA also verifies.
    const context = createSecureContext({ cert: leaf.certPem + this.ca.certPem, key: leaf.keyPem, minVersion: 'TLSv1.2' });
    this.cache.delete(region);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    // Renew a week ahead; a certificate cut short by a CA near its own end is still used for an hour.
    const end = leaf.notAfter.getTime();
    const renewAt = Math.min(end, Math.max(end - RENEW_BEFORE_MS, now.getTime() + 3600_000));
    this.cache.set(region, { context, renewAt });
    return context;
  }
}
