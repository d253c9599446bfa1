// Bench 5, the CONNECT proxy and its TLS: (a) one cached project page (24 files, ~4.5 KiB of HTML) over plain
// HTTP keep-alive at its path-style URL vs through CONNECT tunnels + TLS at AWS's virtual-host URL, same client,
// same connections, same duration; and what opening one tunnel costs; (b) minting a region's leaf certificate:
// the first mint of a fresh process (which loads @peculiar/x509) and the median of many after it.
//
//   node --import tsx bench/tls.ts              (after `npm run build`)
//   BENCH_TLS_FILES=24                          files of the project whose page is fetched (24: about 4.5 KiB of HTML)
//   BENCH_TLS_CONNECTIONS=4                     keep-alive connections (plain) / tunnels (TLS) of each load run
//   BENCH_SECONDS=5                             timed seconds per column, in alternating 1 s slices after a 1 s warm-up each
//   BENCH_TLS_TUNNELS=50                        connections opened one after another for the set-up costs
//   BENCH_TLS_MINTS=50                          leaf certificates minted in this process, one region each
//   BENCH_TLS_COLD_RUNS=5                       fresh node processes timing their first mint
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repositoryHost } from '../core/awsHosts.js';
import { openCertificateAuthority } from '../server/tls/authority.js';
import { mintServerCertificate } from '../server/tls/serverCertificates.js';
import { loadX509 } from '../server/tls/x509.js';
import { connectRaw, openTunnel, TunnelAgent } from '../test/support/tunnel.js';
import { DOMAIN, createRepo, sdistTarGz, sdistZip, uploadDist, wheel } from './fixtures.js';
import {
  expectStatus,
  fmt,
  HOST,
  isMain,
  loadLoop,
  log,
  makeTempDir,
  median,
  now,
  percentile,
  QUICK,
  removeTempDir,
  request,
  requireBuild,
  ROOT,
  runCommand,
  runStandalone,
  type Section,
  type Server,
  setting,
  startServer,
  versus,
} from './lib.js';

const REPO = 'tls';
const PROJECT = 'tlsproject';
const REGION = 'us-east-1';
const OWNER = '000000000000';
const REPO_HOST = repositoryHost(DOMAIN, OWNER, REGION);

interface Load {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

/** An http.Agent that counts the connections it opens, in a field named like TunnelAgent's count of tunnels. */
class CountingAgent extends http.Agent {
  tunnels = 0;
  override createConnection(...args: Parameters<http.Agent['createConnection']>): ReturnType<http.Agent['createConnection']> {
    this.tunnels++;
    return super.createConnection(...args);
  }
}

interface Variant {
  url: string;
  agent: CountingAgent | TunnelAgent;
  latencies: number[];
  elapsedMs: number;
  /** Connections the agent opened during the timed slices (0: all of them reused). */
  reopened: number;
  /** req/s of each timed slice, to show the spread. */
  sliceRps: number[];
}

/** One run of lib.ts's load loop on the variant's keep-alive agent. */
function slice(v: Variant, connections: number, ms: number) {
  const fn = async () => {
    const res = await request(v.url, { agent: v.agent, sink: 'count' });
    if (res.status !== 200) throw new Error(`GET ${v.url}: HTTP ${res.status}`);
    return res.bytes;
  };
  return loadLoop({ concurrency: connections, maxRequests: 10_000_000, maxMs: ms, fn });
}

/**
 * Both warmed up first, then timed in alternating slices in ABBA order (plain, tunnel, tunnel, plain, ...) so
 * drift and the order of the two cancel out; a slice is short enough that the server's 5 s keep-alive timeout
 * never closes the idle agent's connections in between.
 */
async function compare(variants: Variant[], connections: number, warmMs: number, sliceMs: number, seconds: number): Promise<Load[]> {
  for (const v of variants) await slice(v, connections, warmMs);
  const slices = Math.max(1, Math.round((seconds * 1000) / sliceMs));
  for (let k = 0; k < slices; k++) {
    for (const v of k % 2 === 0 ? variants : [...variants].reverse()) {
      const before = v.agent.tunnels;
      const r = await slice(v, connections, sliceMs);
      v.reopened += v.agent.tunnels - before;
      log('tls', `slice ${k + 1}/${slices} ${v === variants[0] ? 'plain ' : 'tunnel'}: ${fmt.rps(r.rps)}, p50 ${fmt.ms(percentile(r.latenciesMs, 50))}`);
      v.latencies.push(...r.latenciesMs);
      v.elapsedMs += r.elapsedMs;
      v.sliceRps.push(r.rps);
    }
  }
  return variants.map((v) => ({
    rps: v.latencies.length / (v.elapsedMs / 1000),
    p50: percentile(v.latencies, 50),
    p99: percentile(v.latencies, 99),
    requests: v.latencies.length,
  }));
}

/** `count` times in a row: open a connection with `open`, time it, close it. */
async function timedOpens(count: number, open: () => Promise<net.Socket>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = now();
    const socket = await open();
    ms.push(now() - t0);
    socket.destroy();
  }
  return ms;
}

function tcpConnect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST, () => resolve(socket));
    socket.once('error', reject);
  });
}

const spread = (xs: number[]) => `${fmt.int(Math.min(...xs))}–${fmt.int(Math.max(...xs))}`;

/** Where two bodies first differ, for the note when they are not byte-identical. */
function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Part (a): the same cached page, plain vs tunnelled, and the one-off cost of a tunnel. */
async function cachedPage(): Promise<Section> {
  const connections = setting('TLS_CONNECTIONS', 4, 4);
  const seconds = Math.max(1, Math.round(setting('SECONDS', 5, 1)));
  const warmMs = 1000;
  const sliceMs = QUICK ? 500 : 1000;
  const opens = setting('TLS_TUNNELS', 50, 10);
  // .tar.gz, .zip and .whl of 1.0.0, then one sdist per version: by default the size of simple-index.ts's small project.
  const files = Math.max(3, Math.round(setting('TLS_FILES', 24, 24)));

  const dataDir = makeTempDir('tls');
  const server: Server = await startServer(dataDir);
  const plainAgent = new CountingAgent({ keepAlive: true, maxSockets: connections });
  let tunnelAgent: TunnelAgent | undefined;
  try {
    const ca = readFileSync(path.join(dataDir, 'tls', 'ca.pem'), 'utf8');
    // The first tunnel of this server: its CA was just created (so @peculiar/x509 is loaded), but no region's
    // certificate is minted yet; this CONNECT mints us-east-1's.
    const t0 = now();
    (await openTunnel({ proxyUrl: server.url, host: REPO_HOST, ca })).destroy();
    const firstTunnelMs = now() - t0;

    // As simple-index.ts builds its small project: three files of 1.0.0, then one sdist per version.
    await createRepo(server, REPO);
    log('tls', `uploading ${files} files of ${PROJECT}`);
    for (const make of [sdistTarGz, sdistZip, wheel]) await uploadDist(server, REPO, PROJECT, '1.0.0', make(PROJECT, '1.0.0'));
    for (let k = 0; k < files - 3; k++) await uploadDist(server, REPO, PROJECT, `2.0.${k}`, sdistTarGz(PROJECT, `2.0.${k}`));

    const plainUrl = `${server.pypiBase(DOMAIN, REPO)}/simple/${PROJECT}/`;
    const tunnelUrl = `https://${REPO_HOST}/pypi/${REPO}/simple/${PROJECT}/`;
    tunnelAgent = new TunnelAgent(server.url, ca, { maxSockets: connections });
    // The first request renders and caches the page; both must then serve the same bytes.
    const plainBody = expectStatus(await request(plainUrl, { agent: plainAgent }), 200, `GET ${plainUrl}`).body;
    const tunnelBody = expectStatus(await request(tunnelUrl, { agent: tunnelAgent }), 200, `GET ${tunnelUrl}`).body;
    const identical = plainBody.equals(tunnelBody);
    if (!identical) log('tls', `the two bodies differ (${plainBody.length} vs ${tunnelBody.length} bytes)`);

    log('tls', `cached page, ${connections} connections, plain HTTP and CONNECT tunnel + TLS alternating, ${seconds} s each`);
    const variants: Variant[] = [plainAgent, tunnelAgent].map((agent, i) => ({
      url: i === 0 ? plainUrl : tunnelUrl,
      agent,
      latencies: [],
      elapsedMs: 0,
      reopened: 0,
      sliceRps: [],
    }));
    const [plain, tunnel] = (await compare(variants, connections, warmMs, sliceMs, seconds)) as [Load, Load];

    log('tls', `opening ${opens} connections of each kind, one after another`);
    const tcp = await timedOpens(opens, () => tcpConnect(server.port));
    const connectOnly = await timedOpens(opens, () => connectRaw(server.url, `${REPO_HOST}:443`));
    const handshake = await timedOpens(opens, () => openTunnel({ proxyUrl: server.url, host: REPO_HOST, ca }));
    const probe = await openTunnel({ proxyUrl: server.url, host: REPO_HOST, ca });
    const negotiated = `${probe.getProtocol() ?? '?'}, ${probe.getCipher().name}, ${probe.getPeerX509Certificate()?.publicKey.asymmetricKeyDetails?.namedCurve ?? '?'} certificate`;
    probe.destroy();

    const ratio = (t: number, p: number) => fmt.ratio(t / p);
    const notes = [
      `Page: \`${plainUrl.replace(server.url, '')}\` (plain, path-style) vs \`${tunnelUrl}\` through \`CONNECT ${REPO_HOST}:443\` ` +
        `on the server's HTTP port (virtual host), ${files} files uploaded through the PyPI upload API, served from the page cache.`,
      identical
        ? `Bodies: byte-identical over both (${fmt.int(plainBody.length)} bytes; the hrefs are relative).`
        : `Bodies DIFFER: plain ${fmt.int(plainBody.length)} bytes, tunnel ${fmt.int(tunnelBody.length)} bytes, first difference at byte ` +
          `${firstDifference(plainBody, tunnelBody)}; the load figures compare different pages.`,
      `Load: the Node keep-alive client of lib.ts (loadLoop), ${connections} connections each; both warmed up ` +
        `(${fmt.s(warmMs / 1000)} each), then timed in alternating ${fmt.s(sliceMs / 1000)} slices (ABBA order), ${seconds} s in all per column. ` +
        `Connections opened during the timed slices: plain ${variants[0]!.reopened}, tunnel ${variants[1]!.reopened} ` +
        `(0: every timed request reused an open connection; the tunnel agent opened ${tunnelAgent.tunnels} tunnels in all). ` +
        `Spread of the slices: plain ${spread(variants[0]!.sliceRps)}, tunnel ${spread(variants[1]!.sliceRps)} req/s.`,
      'Ratio: tunnel ÷ plain (below 1 for req/s means the tunnel is slower; above 1 for latency likewise). ' +
        'Client and server share the machine: TLS costs CPU on both ends, so on few cores the ratio shows the sum.',
      `Set-up: medians of ${opens} opened one after another, each closed at once: TCP connect alone; CONNECT until its ` +
        `200 (TCP included); CONNECT + TLS handshake (${negotiated}, verified against DATA_DIR/tls/ca.pem; no session resumption).`,
      'First connection of a fresh server: once, before anything else; the CONNECT mints us-east-1\'s certificate, but ' +
        '@peculiar/x509 was already loaded: the server used it at start to create its new CA.',
    ];
    return {
      title: `TLS: one cached ${files}-file project page (${fmt.kib(plainBody.length)}), plain HTTP vs CONNECT tunnel + TLS`,
      columns: ['measure', 'plain HTTP (path-style)', 'CONNECT + TLS (virtual host)', 'tunnel / plain'],
      summary: [
        versus(
          `cached project page (${fmt.kib(plainBody.length)}), ${connections} connections: req/s, CONNECT tunnel + TLS ÷ plain HTTP`,
          fmt.rps(tunnel.rps),
          `plain ${fmt.rps(plain.rps)}`,
          tunnel.rps / plain.rps,
        ),
        versus(
          'open a CONNECT tunnel + TLS handshake (median): ms, ÷ a plain TCP connect',
          fmt.ms(median(handshake)),
          `TCP ${fmt.ms(median(tcp))}`,
          median(handshake) / median(tcp),
        ),
      ],
      rows: [
        [`req/s, ${connections} connections`, fmt.rps(plain.rps), fmt.rps(tunnel.rps), ratio(tunnel.rps, plain.rps)],
        ['latency p50', fmt.ms(plain.p50), fmt.ms(tunnel.p50), ratio(tunnel.p50, plain.p50)],
        ['latency p99', fmt.ms(plain.p99), fmt.ms(tunnel.p99), ratio(tunnel.p99, plain.p99)],
        ['requests in the run', fmt.int(plain.requests), fmt.int(tunnel.requests), ''],
        ['open a connection (median)', `${fmt.ms(median(tcp))} (TCP)`, `${fmt.ms(median(handshake))} (CONNECT + TLS)`, ratio(median(handshake), median(tcp))],
        ['… of which CONNECT → 200 (median)', '', fmt.ms(median(connectOnly)), ''],
        ['first connection of a fresh server', '', `${fmt.ms(firstTunnelMs)} (mints the region's certificate)`, ''],
      ],
      notes,
    };
  } finally {
    plainAgent.destroy();
    tunnelAgent?.destroy();
    await server.stop();
    removeTempDir(dataDir);
  }
}

/** A fresh node process (the built dist/, as the server runs) that times its first mints against the CA in `dir`. */
function coldMintScript(): string {
  const url = (file: string) => JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'server', 'tls', file)).href);
  return `
    import { performance } from 'node:perf_hooks';
    const { openCertificateAuthority } = await import(${url('authority.js')});
    const { mintServerCertificate } = await import(${url('serverCertificates.js')});
    const { loadX509 } = await import(${url('x509.js')});
    const [dir, mode] = process.argv.slice(1);
    const ca = await openCertificateAuthority(dir); // an existing CA: read and checked with node:crypto only
    const out = {};
    if (mode === 'split') { const t = performance.now(); await loadX509(); out.loadMs = performance.now() - t; }
    let t = performance.now();
    await mintServerCertificate(ca, 'us-east-1');
    out.firstMs = performance.now() - t;
    t = performance.now();
    await mintServerCertificate(ca, 'us-west-2');
    out.secondMs = performance.now() - t;
    process.stdout.write(JSON.stringify(out));
  `;
}

interface Cold {
  loadMs?: number;
  firstMs: number;
  secondMs: number;
}

async function coldMint(dir: string, mode: 'whole' | 'split'): Promise<Cold> {
  const r = await runCommand(process.execPath, ['--input-type=module', '-e', coldMintScript(), dir, mode], 60_000);
  if (r.code !== 0) throw new Error(`cold mint child failed (${r.code}): ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout) as Cold;
}

/** Part (b): minting a region's leaf certificate. */
async function minting(): Promise<Section> {
  const mints = setting('TLS_MINTS', 50, 10);
  const coldRuns = setting('TLS_COLD_RUNS', 5, 2);
  const dir = makeTempDir('tls-ca');
  try {
    // The library's first load in this process (under tsx), then the CA; every in-process mint below runs with it loaded.
    let t = now();
    await loadX509();
    const loadInProcessMs = now() - t;
    t = now();
    const ca = await openCertificateAuthority(dir);
    const createMs = now() - t;

    log('tls', `${coldRuns} × 2 fresh processes timing their first mint`);
    const whole: Cold[] = [];
    const split: Cold[] = [];
    for (let i = 0; i < coldRuns; i++) {
      whole.push(await coldMint(dir, 'whole'));
      split.push(await coldMint(dir, 'split'));
    }

    log('tls', `minting ${mints} certificates in this process`);
    const caCert = new X509Certificate(ca.certPem);
    t = now();
    const first = await mintServerCertificate(ca, REGION);
    const firstInProcessMs = now() - t;
    if (!new X509Certificate(first.certPem).checkIssued(caCert)) throw new Error('the minted certificate is not issued by the CA');
    const times: number[] = [];
    for (let i = 0; i < mints; i++) {
      t = now();
      await mintServerCertificate(ca, `zz-bench-${i + 1}`);
      times.push(now() - t);
    }

    const m = (xs: number[]) => fmt.ms(median(xs));
    return {
      title: 'TLS: minting a region\'s leaf certificate (ECDSA P-256, signed by the local CA)',
      columns: ['measure', 'time', 'what it includes'],
      summary: [
        {
          figure: `mint a region's certificate: first in a fresh process (incl. loading @peculiar/x509) / median of ${mints} after`,
          ours: `${m(whole.map((c) => c.firstMs))} / ${m(times)}`,
          reference: '',
        },
      ],
      rows: [
        [
          'first mint, fresh process',
          m(whole.map((c) => c.firstMs)),
          `median of ${coldRuns} fresh processes; includes the lazy import of @peculiar/x509 (loadX509)`,
        ],
        ['… loadX509() alone, fresh process', m(split.map((c) => c.loadMs ?? NaN)), `median of ${coldRuns} other fresh processes`],
        ['… first mint after it', m(split.map((c) => c.firstMs)), 'same processes: library loaded, its code and WebCrypto still cold'],
        ['second mint, fresh process', m([...whole, ...split].map((c) => c.secondMs)), `another region, median of ${coldRuns * 2}`],
        ['first mint in the bench process', fmt.ms(firstInProcessMs), 'library loaded and used once already, to create the CA'],
        [`mint, median of ${mints}`, m(times), `p99 ${fmt.ms(percentile(times, 99))}; one distinct region each, same process`],
        ['loadX509() in the bench process', fmt.ms(loadInProcessMs), 'for reference: once, under tsx, which hooks module loading'],
        ['create the CA in a temp dir', fmt.ms(createMs), 'for reference: once, library loaded; a new P-256 key, self-signed, written'],
      ],
      notes: [
        'Fresh processes run the built dist/server/tls modules (as the server does), not tsx; the time is taken inside ' +
          'the process around the mintServerCertificate call, so node start-up and module loading of the server code are excluded.',
        'Each process opens the same existing CA first (node:crypto only, @peculiar/x509 not loaded), then mints us-east-1 and us-west-2.',
        'In-process mints call mintServerCertificate directly: a new P-256 key, the CA key imported into WebCrypto, the certificate ' +
          'built and signed; the server does this once per region and keeps the TLS context in memory.',
      ],
    };
  } finally {
    removeTempDir(dir);
  }
}

export async function run(): Promise<Section[]> {
  requireBuild();
  const sections = [await cachedPage()];
  sections.push(await minting());
  return sections;
}

if (isMain(import.meta.url)) runStandalone('tls', run);
