// The server as an HTTPS proxy for AWS's own host names, against the real server process: CONNECT tunnels to
// codeartifact.{region}.amazonaws.com and {domain}-{owner}.d.codeartifact.{region}.amazonaws.com with TLS ended
// in-process (keep-alive, Host kept, ALPN http/1.1 only), refusals for every other target with nothing dialled
// out, absolute-form requests, /_local/env and the `env` command, the CA kept across restarts, the direct
// HTTPS port, the `aws` endpoint style, and shutdown with tunnels open. Clients: Node's tls/https, curl,
// openssl and @aws-sdk/client-codeartifact with its default AWS endpoint.
import { Codeartifact } from '@aws-sdk/client-codeartifact';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startServer, type RunningServer } from '../support/server.js';
import { ConnectRefused, TunnelAgent, connectRaw, httpsVia, openTunnel } from '../support/tunnel.js';

const CONTROL = 'codeartifact.us-east-1.amazonaws.com';
const DOMAIN = 'tls-domain';
const REPO_HOST = `${DOMAIN}-000000000000.d.codeartifact.us-east-1.amazonaws.com`;

let server: RunningServer;
let ca: string;

const caFile = () => path.join(server.dataDir, 'tls', 'ca.pem');

function sdkThroughTunnel(agent: TunnelAgent, region = 'us-east-1') {
  // No endpoint: the SDK resolves AWS's own https://codeartifact.{region}.amazonaws.com.
  return new Codeartifact({
    region,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
  });
}

function curl(args: string[]) {
  const r = spawnSync('curl', ['-s', '-S', '--max-time', '20', ...args], {
    encoding: 'utf8',
    // Only what the test sets: no CA or proxy variables from the machine.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir() },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * One raw HTTP/1.1 exchange on a fresh TCP connection to the server (for absolute-form targets). The request
 * says Connection: close and the socket stays open for writing until the server closes it, as clients do
 * (Node's HTTP server drops a request whose client half-closes before the answer is ready).
 */
function rawExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  });
}

/** A local listener that counts connections: the server would reach it if it ever forwarded a request. */
async function bait(host: string): Promise<{ port: number; dialled: () => number; close: () => void }> {
  let dialled = 0;
  const listener = net.createServer((s) => {
    dialled++;
    s.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, host, r));
  return { port: (listener.address() as net.AddressInfo).port, dialled: () => dialled, close: () => listener.close() };
}

beforeAll(async () => {
  server = await startServer();
  ca = readFileSync(caFile(), 'utf8');
});
afterAll(async () => {
  await server?.destroy();
});

describe('CONNECT tunnels to AWS host names', () => {
  it('the JS SDK, with no endpoint override, runs the control plane through a tunnel with keep-alive', async () => {
    const agent = new TunnelAgent(server.url, ca);
    const sdk = sdkThroughTunnel(agent);
    await sdk.createDomain({ domain: DOMAIN });
    await sdk.createRepository({ domain: DOMAIN, repository: 'repo' });
    const domains = await sdk.listDomains({});
    expect(domains.domains?.map((d) => d.name)).toContain(DOMAIN);
    const endpoint = await sdk.getRepositoryEndpoint({ domain: DOMAIN, repository: 'repo', format: 'pypi' });
    expect(endpoint.repositoryEndpoint).toBe(`${server.url}/pypi/d/${DOMAIN}-000000000000/repo/`);
    // Three calls, one tunnel: the TLS connection was kept alive.
    expect(agent.tunnels).toBe(1);
    agent.destroy();
  });

  it('keeps the Host: a repository host reaches its repository through the virtual-host rewrite', async () => {
    const agent = new TunnelAgent(server.url, ca);
    const page = await httpsVia(agent, `https://${REPO_HOST}/pypi/repo/simple/`);
    // 401 naming the domain/repository (not 404): the Host header picked the repository.
    expect(page.status, page.text).toBe(401);
    expect(page.headers['www-authenticate']).toContain(`realm="${DOMAIN}/repo"`);
    const missing = await httpsVia(agent, `https://${REPO_HOST}/pypi/no-such-repo/simple/`);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toContain(`realm="${DOMAIN}/no-such-repo"`);
    expect(agent.tunnels).toBe(1);
    // The certificate is the region's, verified against the CA file.
    const cert = page.socket.getPeerX509Certificate()!;
    expect(cert.subjectAltName).toContain('DNS:*.d.codeartifact.us-east-1.amazonaws.com');
    expect(cert.checkIssued(new X509Certificate(ca))).toBe(true);
    expect(page.socket.alpnProtocol).toBe('http/1.1');
    agent.destroy();
  });

  it('mints a certificate per region: another region’s host verifies too', async () => {
    const socket = await openTunnel({ proxyUrl: server.url, host: 'codeartifact.ap-southeast-2.amazonaws.com', ca });
    expect(socket.getPeerX509Certificate()!.subjectAltName).toContain('codeartifact.ap-southeast-2.amazonaws.com');
    socket.destroy();
  });

  it('speaks HTTP/1.1 only: a client offering only h2 is not given h2', async () => {
    const result = await openTunnel({ proxyUrl: server.url, host: CONTROL, ca, alpn: ['h2'] }).then(
      (s) => {
        const p = s.alpnProtocol;
        s.destroy();
        return `negotiated ${String(p)}`;
      },
      (err: Error) => `refused: ${err.message}`,
    );
    expect(result).not.toBe('negotiated h2');
  });

  it('a client that does not trust the CA fails the handshake; the tunnel is then closed', async () => {
    await expect(openTunnel({ proxyUrl: server.url, host: CONTROL, ca: tls.rootCertificates.join('\n') })).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)|certificate/i,
    );
    // The server is still fine.
    const again = await openTunnel({ proxyUrl: server.url, host: CONTROL, ca });
    again.destroy();
  });

  it('refuses every other target with 403 and a one-line reason, and never connects anywhere', async () => {
    const local = await bait('127.0.0.1');
    const baitPort = local.port;
    const targets = [
      'pypi.org:443',
      'example.com:443',
      '127.0.0.1:22',
      `127.0.0.1:${baitPort}`,
      `localhost:${baitPort}`,
      `${CONTROL}:80`,
      `${CONTROL}:${baitPort}`,
      'codeartifact.us-east-1.amazonaws.com.evil.example:443',
      's3.us-east-1.amazonaws.com:443',
      '[::1]:443',
      'no-port-here',
    ];
    for (const target of targets) {
      const err = await connectRaw(server.url, target).then(
        (s) => {
          s.destroy();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err, target).toBeInstanceOf(ConnectRefused);
      const refused = err as ConnectRefused;
      expect(refused.status, target).toBe(403);
      expect(refused.body.trim().split('\n'), target).toHaveLength(1);
      expect(refused.body, target).toMatch(/^CONNECT refused: /);
    }
    expect(local.dialled()).toBe(0);
    local.close();
  });

  it('curl --proxy: CONNECT to pypi.org, 127.0.0.1:22 and example.com is refused with 403', () => {
    for (const url of ['https://pypi.org/simple/', 'https://127.0.0.1:22/', 'https://example.com/']) {
      const r = curl(['--proxy', server.url, '-o', '/dev/null', '-w', '%{http_connect}', url]);
      expect(r.code, `${url}: ${r.stderr}`).not.toBe(0);
      expect(r.stdout, url).toBe('403');
    }
    // And the allowed host works for curl with only the CA file.
    const ok = curl(['--proxy', server.url, '--cacert', caFile(), `https://${CONTROL}/health`]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ status: 'ok' });
  });

  it('the certificate in the tunnel passes `openssl verify -x509_strict -CAfile ca.pem`', () => {
    const sc = spawnSync(
      'openssl',
      ['s_client', '-proxy', `127.0.0.1:${server.port}`, '-connect', `${REPO_HOST}:443`, '-servername', REPO_HOST, '-CAfile', caFile()],
      { input: '', encoding: 'utf8', timeout: 20_000 },
    );
    const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(sc.stdout)?.[0];
    expect(leaf, sc.stdout + sc.stderr).toBeDefined();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leaf-'));
    writeFileSync(path.join(dir, 'leaf.pem'), `${leaf}\n`);
    const v = spawnSync('openssl', ['verify', '-x509_strict', '-CAfile', caFile(), '-verify_hostname', REPO_HOST, path.join(dir, 'leaf.pem')], {
      encoding: 'utf8',
    });
    rmSync(dir, { recursive: true, force: true });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(sc.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });
});

describe('requests in absolute form (HTTP_PROXY clients)', () => {
  it('are routed like origin-form requests, virtual host included', async () => {
    const health = await rawExchange(server.port, `GET http://${CONTROL}/health HTTP/1.1\r\nHost: ${CONTROL}\r\nConnection: close\r\n\r\n`);
    expect(health).toMatch(/^HTTP\/1\.1 200 /);
    expect(health).toContain('{"status":"ok"}');
    // The authority wins over a different Host header (RFC 9112 3.2.2), and picks the repository.
    const page = await rawExchange(
      server.port,
      `GET http://${REPO_HOST}/pypi/repo/simple/ HTTP/1.1\r\nHost: elsewhere\r\nConnection: close\r\n\r\n`,
    );
    expect(page).toMatch(/^HTTP\/1\.1 401 /);
    expect(page).toContain(`realm="${DOMAIN}/repo"`);
    const own = await rawExchange(server.port, `GET http://127.0.0.1:${server.port}/health?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(own).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('for any other host are refused with 403, never forwarded', async () => {
    const local = await bait('127.0.0.2');
    for (const url of ['http://example.com/', 'http://pypi.org/simple/', `http://user:pw@10.0.0.1:${local.port}/`]) {
      const r = await rawExchange(server.port, `GET ${url} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`);
      expect(r, url).toMatch(/^HTTP\/1\.1 403 /);
      expect(r, url).toContain('is not an AWS CodeArtifact host');
    }
    // A loopback address is this server's own: answered by the app itself (here a 404), not forwarded.
    const loop = await rawExchange(server.port, `GET http://127.0.0.2:${local.port}/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(loop).toMatch(/^HTTP\/1\.1 404 /);
    expect(local.dialled()).toBe(0);
    local.close();
  });
});

describe('telling the user what to set', () => {
  const bundle = () => path.resolve(server.dataDir, 'tls', 'bundle.pem');

  it('GET /_local/env answers shell lines for this server and its bundle', async () => {
    const r = await fetch(`${server.url}/_local/env`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    const vars = Object.fromEntries([...text.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
    expect(vars).toEqual({
      HTTPS_PROXY: server.url,
      https_proxy: server.url,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      REQUESTS_CA_BUNDLE: bundle(),
      AWS_CA_BUNDLE: bundle(),
      PIP_CERT: bundle(),
      NODE_EXTRA_CA_CERTS: bundle(),
      npm_config_cafile: bundle(),
    });
    // Every other line is a comment: the text is safe to eval.
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# |export \w+=')/);
    const sh = spawnSync('sh', ['-c', `${text}\nprintf '%s|%s' "$HTTPS_PROXY" "$PIP_CERT"`], { encoding: 'utf8' });
    expect(sh.stdout).toBe(`${server.url}|${bundle()}`);
  });

  it('`node dist/server/main.js env` prints the same text', () => {
    const r = spawnSync(process.execPath, [MAIN, 'env', '--data-dir', server.dataDir, '--port', String(server.port)], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return fetch(`${server.url}/_local/env`)
      .then((res) => res.text())
      .then((text) => expect(r.stdout).toBe(text));
  });

  it('GET /_local/ca.pem serves the CA; the bundle ends with it; the ready line names the bundle', async () => {
    const r = await fetch(`${server.url}/_local/ca.pem`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe(ca);
    expect(readFileSync(bundle(), 'utf8').trimEnd().endsWith(ca.trimEnd())).toBe(true);
    expect(server.output()).toContain(`TLS bundle: ${bundle()}`);
  });
});

describe('the CA across restarts', () => {
  it('is reused: same fingerprint, and tunnels verify with the old ca.pem', async () => {
    const before = new X509Certificate(ca).fingerprint256;
    await server.restart();
    expect(new X509Certificate(readFileSync(caFile())).fingerprint256).toBe(before);
    const socket = await openTunnel({ proxyUrl: server.url, host: CONTROL, ca });
    socket.destroy();
    expect(server.output()).not.toMatch(/new local CA[\s\S]*new local CA/);
  });

  it('shutdown does not wait for an idle kept-alive tunnel', async () => {
    const agent = new TunnelAgent(server.url, ca);
    const r = await httpsVia(agent, `https://${CONTROL}/health`);
    expect(r.status).toBe(200);
    const closed = new Promise<void>((resolve) => r.socket.once('close', () => resolve()));
    const t0 = Date.now();
    await server.stop();
    await closed;
    expect(Date.now() - t0).toBeLessThan(5_000);
    agent.destroy();
    await server.restart();
  });
});

describe('server options', () => {
  it('--endpoint-style aws hands out AWS’s URLs, in the caller’s region', async () => {
    const aws = await startServer({ args: ['--endpoint-style', 'aws'] });
    try {
      const agent = new TunnelAgent(aws.url, readFileSync(path.join(aws.dataDir, 'tls', 'ca.pem')));
      const sdk = sdkThroughTunnel(agent, 'eu-west-1');
      await sdk.createDomain({ domain: 'styled' });
      await sdk.createRepository({ domain: 'styled', repository: 'repo' });
      const e = await sdk.getRepositoryEndpoint({ domain: 'styled', repository: 'repo', format: 'pypi' });
      expect(e.repositoryEndpoint).toBe('https://styled-000000000000.d.codeartifact.eu-west-1.amazonaws.com/pypi/repo/');
      agent.destroy();
    } finally {
      await aws.destroy();
    }
  });

  it('--https-port serves the same app with the same certificates (SNI picks the region)', async () => {
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const direct = await startServer({ args: ['--https-port', String(free)] });
    try {
      expect(direct.output()).toContain(`HTTPS port: ${free}`);
      const directCa = readFileSync(path.join(direct.dataDir, 'tls', 'ca.pem'));
      const health = (servername: string | undefined) =>
        new Promise<{ body: string; san: string }>((resolve, reject) => {
          const s = tls.connect({ host: '127.0.0.1', port: free, ca: directCa, servername, ALPNProtocols: ['http/1.1'], checkServerIdentity: () => undefined });
          s.once('secureConnect', () => {
            const san = s.getPeerX509Certificate()!.subjectAltName ?? '';
            // write, not end: Node's HTTP server drops a request whose client half-closes before an asynchronous
            // answer (/health probes the disk); Connection: close makes the server end the connection.
            s.write(`GET /health HTTP/1.1\r\nHost: ${servername ?? 'x'}\r\nConnection: close\r\n\r\n`);
            const chunks: Buffer[] = [];
            s.on('data', (c: Buffer) => chunks.push(c));
            s.on('end', () => resolve({ body: Buffer.concat(chunks).toString(), san }));
          });
          s.once('error', reject);
        });
      const sni = await health('codeartifact.eu-north-1.amazonaws.com');
      expect(sni.body).toContain('{"status":"ok"}');
      expect(sni.san).toContain('codeartifact.eu-north-1.amazonaws.com');
      const noSni = await health(undefined);
      expect(noSni.body).toContain('{"status":"ok"}');
      expect(noSni.san).toContain('codeartifact.us-east-1.amazonaws.com'); // the configured region
    } finally {
      await direct.destroy();
    }
  });

  it('refuses a bad endpoint style, or half a CA pair, with one line', () => {
    for (const args of [['--endpoint-style', 'virtual'], ['--tls-ca-cert', '/nonexistent.pem']]) {
      const r = spawnSync(process.execPath, [MAIN, '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/ENDPOINT_STYLE|go together/);
    }
    const missing = spawnSync(
      process.execPath,
      [MAIN, '--port', '0', '--data-dir', mkdtempSync(path.join(os.tmpdir(), 'tls-byo-')), '--tls-ca-cert', '/nonexistent.pem', '--tls-ca-key', '/nonexistent-key.pem'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^TLS: cannot read \/nonexistent\.pem/);
  });
});
