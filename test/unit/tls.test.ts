// The local CA and the certificates minted from it, checked by the verifiers real clients use: OpenSSL's
// `verify -x509_strict` and Python's ssl with VERIFY_X509_STRICT (Python 3.13's default). The name constraint
// is checked the same way: a certificate for any other site, signed by our CA key, must be refused.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAwsHost } from '../../core/awsHosts.js';
import { CertificateAuthorityError, openCertificateAuthority, type CertificateAuthority } from '../../server/tls/authority.js';
import { openLocalTls } from '../../server/tls/localTls.js';
import { ServerCertificates, issueServerCertificate, mintServerCertificate } from '../../server/tls/serverCertificates.js';
import { systemRoots, writeTrustBundle } from '../../server/tls/trustBundle.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tls-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function openssl(args: string[]) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `openssl verify -x509_strict` of `certPem` against the CA alone (no system roots). */
function strictVerify(caPem: string, certPem: string, extra: string[] = []) {
  const ca = path.join(dir, `verify-ca-${Math.random()}.pem`);
  const leaf = path.join(dir, `verify-leaf-${Math.random()}.pem`);
  writeFileSync(ca, caPem);
  writeFileSync(leaf, certPem);
  return openssl(['verify', '-x509_strict', '-no-CApath', '-no-CAstore', '-CAfile', ca, ...extra, leaf]);
}

describe('the local CA', () => {
  it('is created once in the tls dir, key 0600, and reused with the same fingerprint', async () => {
    const first = await openCertificateAuthority(dir);
    expect(first.created).toBe(true);
    expect(statSync(path.join(dir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'ca.pem'), 'utf8')).toBe(first.certPem);
    const again = await openCertificateAuthority(dir);
    expect(again.created).toBe(false);
    expect(again.fingerprint256).toBe(first.fingerprint256);
    expect(again.fingerprint256).toBe(new X509Certificate(readFileSync(path.join(dir, 'ca.pem'))).fingerprint256);
  });

  it('is a strict-valid CA, constrained to amazonaws.com', async () => {
    const ca = await openCertificateAuthority(dir);
    const text = openssl(['x509', '-noout', '-text', '-in', path.join(dir, 'ca.pem')]).out;
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/Name Constraints: critical\s+Permitted:\s+DNS:amazonaws\.com/);
    expect(text).toMatch(/Subject Key Identifier/);
    // A self-signed CA verifies against itself under the strict flags.
    expect(strictVerify(ca.certPem, ca.certPem).code).toBe(0);
  });

  it('can only vouch for amazonaws.com: a certificate it signs for another site is refused', async () => {
    const ca = await openCertificateAuthority(dir);
    const forged = await signWithCa(ca, ['pypi.org']);
    const r = strictVerify(ca.certPem, forged);
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toMatch(/permitted subtree violation/i);
    // The same signing path for an amazonaws.com name is fine, so the refusal is the constraint's doing.
    expect(strictVerify(ca.certPem, await signWithCa(ca, ['codeartifact.us-east-1.amazonaws.com'])).code).toBe(0);
  });

  it('two starts on one empty data dir at once end with one CA', async () => {
    const all = await Promise.all([1, 2, 3, 4].map(() => openCertificateAuthority(dir)));
    expect(new Set(all.map((c) => c.fingerprint256)).size).toBe(1);
    expect(all.filter((c) => c.created)).toHaveLength(1);
  });

  it('refuses a key without its certificate, a mismatched pair and a non-CA, with the file named', async () => {
    const ca = await openCertificateAuthority(dir);
    const other = mkdtempSync(path.join(dir, 'other-'));
    writeFileSync(path.join(other, 'ca-key.pem'), ca.keyPem, { mode: 0o600 });
    await expect(openCertificateAuthority(other)).rejects.toThrow(/ca-key\.pem exists without its certificate/);

    const stranger = await openCertificateAuthority(mkdtempSync(path.join(dir, 'stranger-')));
    const mixed = { certFile: path.join(dir, 'ca.pem'), keyFile: path.join(dir, 'mixed-key.pem') };
    writeFileSync(mixed.keyFile, stranger.keyPem);
    await expect(openCertificateAuthority(dir, mixed)).rejects.toThrow(/does not match/);

    const leafFile = path.join(dir, 'leaf.pem');
    const leafKey = path.join(dir, 'leaf-key.pem');
    const leaf = await mintServerCertificate(ca, 'us-east-1');
    writeFileSync(leafFile, leaf.certPem);
    writeFileSync(leafKey, leaf.keyPem);
    await expect(openCertificateAuthority(dir, { certFile: leafFile, keyFile: leafKey })).rejects.toThrow(
      /not a CA certificate/,
    );
    await expect(openCertificateAuthority(dir, { certFile: path.join(dir, 'nope.pem'), keyFile: leafKey })).rejects.toThrow(
      CertificateAuthorityError,
    );
  });

  it("takes the user's own CA (RSA, made by openssl) and mints certificates that chain to it", async () => {
    const certFile = path.join(dir, 'own-ca.pem');
    const keyFile = path.join(dir, 'own-ca-key.pem');
    const made = openssl([
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=Team CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', keyFile, '-out', certFile,
    ]);
    expect(made.code, made.out).toBe(0);
    const ca = await openCertificateAuthority(path.join(dir, 'unused'), { certFile, keyFile });
    expect(ca.subject).toContain('CN=Team CA');
    const leaf = await mintServerCertificate(ca, 'eu-west-1');
    const r = strictVerify(ca.certPem, leaf.certPem, ['-verify_hostname', 'my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com']);
    expect(r.code, r.out).toBe(0);
  });
});

describe('server certificates', () => {
  let ca: CertificateAuthority;
  beforeEach(async () => {
    ca = await openCertificateAuthority(dir);
  });

  it("cover one region's control plane and repository hosts and pass strict verification", async () => {
    const leaf = await mintServerCertificate(ca, 'eu-central-1');
    for (const host of ['codeartifact.eu-central-1.amazonaws.com', 'my-domain-000000000000.d.codeartifact.eu-central-1.amazonaws.com']) {
      const r = strictVerify(ca.certPem, leaf.certPem, ['-purpose', 'sslserver', '-verify_hostname', host]);
      expect(r.code, `${host}: ${r.out}`).toBe(0);
    }
    const wrongRegion = strictVerify(ca.certPem, leaf.certPem, ['-verify_hostname', 'codeartifact.us-east-1.amazonaws.com']);
    expect(wrongRegion.code).not.toBe(0);
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.ca).toBe(false);
    expect(cert.subjectAltName).toBe('DNS:codeartifact.eu-central-1.amazonaws.com, DNS:*.d.codeartifact.eu-central-1.amazonaws.com');
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    const text = openssl(['x509', '-noout', '-text', '-in', writeTemp('leaf.pem', leaf.certPem)]).out;
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text).toMatch(/Authority Key Identifier/);
  });

  it("pass Python's ssl with VERIFY_X509_STRICT and hostname checking", async () => {
    const leaf = await mintServerCertificate(ca, 'us-west-2');
    const script = [
      'import ssl, sys',
      'ctx = ssl.create_default_context(cafile=sys.argv[1])',
      'ctx.verify_flags |= ssl.VERIFY_X509_STRICT',
      'ctx.verify_flags |= getattr(ssl, "VERIFY_X509_PARTIAL_CHAIN", 0)',
      // Load the leaf into an in-memory server context and handshake over a memory BIO pair.
      'srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); srv.load_cert_chain(sys.argv[2], sys.argv[3])',
      'a, b, c, d = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()',
      'cli = ctx.wrap_bio(a, b, server_hostname="my-domain-000000000000.d.codeartifact.us-west-2.amazonaws.com")',
      'ser = srv.wrap_bio(c, d, server_side=True)',
      'for _ in range(10):',
      '    for s, inb, outb in ((cli, a, b), (ser, c, d)):',
      '        try: s.do_handshake()',
      '        except ssl.SSLWantReadError: pass',
      '    c.write(b.read()); a.write(d.read())',
      'print(cli.version(), cli.getpeercert()["subjectAltName"])',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, writeTemp('ca.pem', ca.certPem), writeTemp('l.pem', leaf.certPem), writeTemp('k.pem', leaf.keyPem)], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('*.d.codeartifact.us-west-2.amazonaws.com');
  });

  it('are minted once per region, even for concurrent first requests', async () => {
    const certs = new ServerCertificates(ca);
    const [a, b] = await Promise.all([certs.contextFor('us-east-1'), certs.contextFor('us-east-1')]);
    expect(a).toBe(b);
    expect(await certs.contextFor('us-east-1')).toBe(a);
    expect(certs.ready('us-east-1')).toBe(a);
    expect(certs.ready('eu-west-1')).toBeUndefined();
    expect(await certs.contextFor('eu-west-1')).not.toBe(a);
  });

  it('are renewed a week before they expire', async () => {
    let now = new Date();
    const certs = new ServerCertificates(ca, () => now);
    const first = await certs.contextFor('us-east-1');
    now = new Date(now.getTime() + 84 * 24 * 3600_000);
    expect(certs.ready('us-east-1')).toBeUndefined();
    expect(await certs.contextFor('us-east-1')).not.toBe(first);
  });
});

describe('the trust bundle', () => {
  it('is the system roots followed by our CA, rewritten only when it changes', async () => {
    const tls = await openLocalTls(dir);
    const text = readFileSync(tls.bundleFile, 'utf8');
    const roots = systemRoots();
    expect(text).toContain(roots.pem.trim().split('\n').slice(0, 3).join('\n'));
    expect(text.trimEnd().endsWith(tls.ca.certPem.trimEnd())).toBe(true);
    const before = statSync(tls.bundleFile).mtimeMs;
    writeTrustBundle(path.dirname(tls.bundleFile), tls.ca.certPem);
    expect(statSync(tls.bundleFile).mtimeMs).toBe(before);
    // openssl trusts a minted certificate through the bundle alone.
    const leaf = await mintServerCertificate(tls.ca, 'us-east-1');
    const r = openssl(['verify', '-x509_strict', '-CAfile', tls.bundleFile, writeTemp('leaf.pem', leaf.certPem)]);
    expect(r.code, r.out).toBe(0);
  });

  it("falls back to Node's root list where the system has no bundle file", () => {
    const roots = systemRoots([path.join(dir, 'none.pem')]);
    expect(roots.source).toMatch(/Node/);
    expect(roots.pem.match(/BEGIN CERTIFICATE/g)!.length).toBeGreaterThan(50);
  });
});

describe('AWS host names', () => {
  it('recognises the control plane and repository hosts of any region, and nothing else', () => {
    expect(parseAwsHost('codeartifact.us-east-1.amazonaws.com')).toEqual({ kind: 'control-plane', region: 'us-east-1' });
    expect(parseAwsHost('My-Domain-111122223333.d.codeartifact.ap-southeast-2.amazonaws.com.')).toEqual({
      kind: 'repository',
      domain: 'my-domain',
      owner: '111122223333',
      region: 'ap-southeast-2',
    });
    for (const h of [
      'pypi.org',
      'codeartifact.us-east-1.amazonaws.com.evil.com',
      'codeartifact.nowhere.amazonaws.com',
      'x-111122223333.d.codeartifact.us-east-1.amazonaws.com', // domain too short
      'my-domain-1111.d.codeartifact.us-east-1.amazonaws.com', // owner not 12 digits
      's3.us-east-1.amazonaws.com',
    ])
      expect(parseAwsHost(h), h).toBeUndefined();
  });
});

function writeTemp(name: string, text: string): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(file, text);
  return file;
}

/** A certificate for `names` signed by the CA, whatever the names: what the name constraint must stop. */
const signWithCa = async (ca: CertificateAuthority, names: string[]) => (await issueServerCertificate(ca, names)).certPem;
