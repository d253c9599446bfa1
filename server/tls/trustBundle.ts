// DATA_DIR/tls/bundle.pem: the system's trusted roots plus the local CA. The client variables that point at
// it (REQUESTS_CA_BUNDLE, AWS_CA_BUNDLE, PIP_CERT, npm_config_cafile) replace a client's trust store rather
// than add to it, so the bundle must keep every other site working too.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import path from 'node:path';

export const BUNDLE_FILE = 'bundle.pem';

/** Where distributions keep the system trust store, most common first. */
const SYSTEM_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Alpine, Arch
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS, Alpine, BSDs
];

/** The system's roots as PEM text, or Node's built-in Mozilla list where the system has no bundle file. */
export function systemRoots(candidates: string[] = SYSTEM_BUNDLES): { pem: string; source: string } {
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const pem = readFileSync(file, 'utf8');
    if (pem.includes('-----BEGIN CERTIFICATE-----')) return { pem, source: file };
  }
  return { pem: rootCertificates.join('\n'), source: "Node.js's built-in root list" };
}

/** Writes the bundle (atomically, and only when its text changed); returns its absolute path. */
export function writeTrustBundle(tlsDir: string, caPem: string, roots = systemRoots()): string {
  const file = path.resolve(tlsDir, BUNDLE_FILE);
  const text =
    `# codeartifact-local trust bundle: the system's roots (${roots.source}) plus this server's CA, last.\n` +
    `${roots.pem.trimEnd()}\n\n# codeartifact-local CA\n${caPem.trimEnd()}\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return file;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
  return file;
}
