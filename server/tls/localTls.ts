// Everything TLS the server needs, opened once at start: the CA (DATA_DIR/tls or the user's own), the trust
// bundle written beside it, and the per-region certificates minted from it on demand.
import path from 'node:path';
import { openCertificateAuthority, type CertificateAuthority } from './authority.js';
import { ServerCertificates } from './serverCertificates.js';
import { writeTrustBundle } from './trustBundle.js';

export interface LocalTls {
  ca: CertificateAuthority;
  certificates: ServerCertificates;
  /** Absolute path of DATA_DIR/tls/bundle.pem. */
  bundleFile: string;
}

export const tlsDirOf = (dataDir: string): string => path.join(dataDir, 'tls');

export async function openLocalTls(
  dataDir: string,
  own: { certFile?: string | undefined; keyFile?: string | undefined } = {},
): Promise<LocalTls> {
  const dir = tlsDirOf(dataDir);
  const ownPair = own.certFile && own.keyFile ? { certFile: own.certFile, keyFile: own.keyFile } : undefined;
  const ca = await openCertificateAuthority(dir, ownPair);
  return { ca, certificates: new ServerCertificates(ca), bundleFile: writeTrustBundle(dir, ca.certPem) };
}
