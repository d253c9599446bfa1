// Bench 2, download throughput: a large and a small asset fetched through the PyPI file URL and the
// control plane's GetPackageVersionAsset, against nginx serving the identical file from its blob path.
//
//   node --import tsx bench/download.ts         (after `npm run build`)
//   BENCH_BIG_MIB=64 BENCH_SMALL_KIB=100        asset sizes
//   BENCH_BIG_FETCHES=16                        sequential fetches of the big asset (x2 at concurrency 4)
//   BENCH_SECONDS=5                             duration of each small-file measurement
//   BENCH_CONCURRENCY=4
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRepo, genericPublish, genericQuery, pypiUpload, sdistWith, type GenericAsset } from './fixtures.js';
import {
  fmt,
  type Headline,
  isMain,
  loadLoop,
  type LoadResult,
  log,
  makeTempDir,
  MiB,
  MISSING_HINT,
  type Nginx,
  percentile,
  removeTempDir,
  request,
  requireBuild,
  runStandalone,
  runWrk,
  type Section,
  type Server,
  setting,
  startNginx,
  startServer,
  tool,
  versus,
} from './lib.js';

const REPO = 'downloads';

/** Pseudo-random bytes that do not start like a gzip or zip (the server sniffs sdists by magic). */
/** A real sdist of `project` 1.0 around `size` random bytes (the PyPI upload reads it); the generic asset is the same bytes. */
function payload(project: string, size: number): Buffer {
  const buf = randomFillSync(Buffer.alloc(size));
  buf.write('BENCH', 0, 'latin1');
  return sdistWith(project, '1.0', buf);
}

export interface Target {
  name: string;
  url: string;
}

/** Fetches with a keep-alive agent, counts bytes, checks status and length. */
function fetcher(agent: http.Agent, url: string, size: number, headers: Record<string, string> = {}) {
  return async () => {
    const res = await request(url, { agent, sink: 'count', timeoutMs: 60_000, headers });
    if (res.status !== 200 || res.bytes !== size) throw new Error(`GET ${url}: HTTP ${res.status}, ${res.bytes} bytes (want ${size})`);
    return res.bytes;
  };
}

/** `concurrency` keep-alive clients fetch `url` (after one warm-up fetch) until `maxRequests` or `maxMs`. */
export async function nodeLoop(url: string, size: number, concurrency: number, maxRequests: number, maxMs: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const fn = fetcher(agent, url, size);
    await fn(); // warm the connection and the file cache
    return await loadLoop({ concurrency, maxRequests, maxMs, fn });
  } finally {
    agent.destroy();
  }
}

export interface SmallLoad {
  rps: number;
  bytesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

/** The small asset for `seconds`: wrk when available (it costs the machine far less than a Node client). */
export async function smallFileLoad(url: string, size: number, concurrency: number, seconds: number, warmUp = true): Promise<SmallLoad> {
  if (tool('wrk')) {
    if (warmUp) await runWrk(url, { connections: concurrency, seconds: 1 });
    const r = await runWrk(url, { connections: concurrency, seconds });
    if (r.errors) throw new Error(`${url}: wrk reported ${r.errors}`);
    return { rps: r.rps, bytesPerSec: r.rps * size, p50Ms: r.p50Ms, p99Ms: r.p99Ms, requests: r.requests };
  }
  const r = await nodeLoop(url, size, concurrency, 1_000_000, seconds * 1000);
  return {
    rps: r.rps,
    bytesPerSec: r.bytesPerSec,
    p50Ms: percentile(r.latenciesMs, 50),
    p99Ms: percentile(r.latenciesMs, 99),
    requests: r.requests,
  };
}

export interface DownloadFile {
  label: string;
  size: number;
  project: string;
  sha256: string;
}

/**
 * Uploads a `bigSize` and a `smallSize` asset to `server` (repository REPO, which it creates) through the
 * PyPI upload and PublishPackageVersion. Each file's targets: nginx (the blob's path in the data dir, to be
 * prefixed with nginx's URL), the PyPI file URL and GetPackageVersionAsset.
 */
export async function loadDownloads(
  server: Server,
  bigSize: number,
  smallSize: number,
): Promise<{ files: DownloadFile[]; targetsOf: Map<string, Target[]> }> {
  await createRepo(server, REPO);
  const targetsOf = new Map<string, Target[]>();
  const files: DownloadFile[] = [];
  for (const f of [
    { label: fmt.mib(bigSize), size: bigSize, project: 'bigfile' },
    { label: fmt.kib(smallSize), size: smallSize, project: 'smallfile' },
  ]) {
    const data = payload(f.project, f.size);
    const size = data.length;
    const sha256 = createHash('sha256').update(data).digest('hex');
    const filename = `${f.project}-1.0.tar.gz`;
    log('download', `uploading ${f.label} through the PyPI upload and PublishPackageVersion`);
    await pypiUpload(server, REPO, { name: f.project, version: '1.0', filename, size, sha256, content: data });
    const asset: GenericAsset = { namespace: 'bench', packageName: f.project, version: '1.0', asset: `${f.project}.bin` };
    await genericPublish(server, REPO, asset, data, sha256, size);
    const blobRel = path.join('blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    if (!existsSync(path.join(server.dataDir, blobRel))) throw new Error(`blob not found at ${blobRel}`);
    targetsOf.set(f.label, [
      { name: 'nginx', url: `/${blobRel}` },
      { name: 'PyPI file URL', url: `${server.pypiBase('bench', REPO)}/simple/${f.project}/1.0/${filename}` },
      { name: 'GetPackageVersionAsset', url: `${server.url}/v1/package/version/asset?${genericQuery(REPO, asset)}` },
    ]);
    files.push({ ...f, size, sha256 });
  }
  return { files, targetsOf };
}

/** The same bytes on every path: checked once, outside the timings. */
export async function checkTargets(files: DownloadFile[], targetsOf: Map<string, Target[]>): Promise<void> {
  for (const f of files) {
    for (const t of targetsOf.get(f.label)!) {
      const res = await request(t.url, { sink: 'sha256' });
      if (res.status !== 200 || res.sha256 !== f.sha256) throw new Error(`${t.name} served other bytes (HTTP ${res.status}) at ${t.url}`);
    }
  }
}

/**
 * Summary entries of one asset size and client count: the PyPI file URL (what pip fetches) and
 * GetPackageVersionAsset, each ÷ nginx on the same file; `atLeast`: the floor for that ratio.
 */
function headlines(
  label: string,
  clients: number,
  figures: Map<string, number>,
  format: (x: number) => string,
  unit: string,
  atLeast?: number,
): Headline[] {
  const nginx = figures.get('nginx');
  const bound = atLeast === undefined ? undefined : { target: `≥ ${atLeast}x nginx`, atLeast };
  return ['PyPI file URL', 'GetPackageVersionAsset'].map((name) =>
    versus(
      `${label} download, ${clients} client${clients > 1 ? 's' : ''}: ${unit}, ${name} ÷ nginx`,
      format(figures.get(name)!),
      nginx === undefined ? '' : `nginx ${format(nginx)}`,
      nginx === undefined ? undefined : figures.get(name)! / nginx,
      // The targets are the package tools' download (pip's, through the fast lane); GetPackageVersionAsset is
      // a control-plane call (signed, through Express), shown for comparison.
      name === 'PyPI file URL' ? bound : undefined,
    ),
  );
}

export async function run(): Promise<Section> {
  requireBuild();
  const bigSize = Math.round(setting('BIG_MIB', 64, 16) * MiB);
  const smallSize = Math.round(setting('SMALL_KIB', 100, 100) * 1024);
  const bigFetches = setting('BIG_FETCHES', 16, 4);
  const seconds = Math.max(1, Math.round(setting('SECONDS', 5, 2)));
  const concurrency = setting('CONCURRENCY', 4, 4);
  const notes: string[] = [];

  const dataDir = makeTempDir('download');
  const nginxDir = makeTempDir('nginx');
  const server = await startServer(dataDir);
  let nginx: Nginx | undefined;
  try {
    const { files, targetsOf } = await loadDownloads(server, bigSize, smallSize);
    if (tool('nginx')) {
      nginx = await startNginx(dataDir, nginxDir);
      for (const targets of targetsOf.values()) targets[0]!.url = `${nginx.url}${targets[0]!.url}`;
    } else {
      notes.push(MISSING_HINT.nginx!);
      for (const targets of targetsOf.values()) targets.shift();
    }
    await checkTargets(files, targetsOf);

    const columns = ['asset', 'clients', 'client', ...(nginx ? ['nginx'] : []), 'PyPI file URL', 'GetPackageVersionAsset'];
    const rows: string[][] = [];
    const summary: Headline[] = [];
    const cell = (bytesPerSec: number, rps: number) => `${fmt.mibps(bytesPerSec)} · ${fmt.rps(rps)}`;

    // Large asset: the Node client, a fixed number of fetches.
    for (const c of [1, concurrency]) {
      const f = files[0]!;
      const n = c === 1 ? bigFetches : bigFetches * 2;
      const row = [f.label, c === 1 ? `1 (${n} fetches)` : `${c} (${n} fetches)`, 'node'];
      const figures = new Map<string, number>();
      for (const t of targetsOf.get(f.label)!) {
        log('download', `${f.label} x${n}, concurrency ${c}: ${t.name}`);
        const r = await nodeLoop(t.url, f.size, c, n, 120_000);
        row.push(cell(r.bytesPerSec, r.rps));
        figures.set(t.name, r.bytesPerSec);
      }
      rows.push(row);
      summary.push(...headlines(f.label, c, figures, fmt.mibps, 'MiB/s', c === 1 ? undefined : 0.8));
    }

    // Small asset: wrk when available, for a fixed time.
    const wrk = tool('wrk');
    if (!wrk) notes.push(MISSING_HINT.wrk!);
    for (const c of [1, concurrency]) {
      const f = files[1]!;
      const row = [f.label, `${c} (${seconds} s)`, wrk ? 'wrk' : 'node'];
      const latencies: string[] = [];
      const figures = new Map<string, number>();
      for (const t of targetsOf.get(f.label)!) {
        log('download', `${f.label} for ${seconds} s, concurrency ${c}: ${t.name}`);
        const r = await smallFileLoad(t.url, f.size, c, seconds);
        row.push(cell(r.bytesPerSec, r.rps));
        figures.set(t.name, r.rps);
        latencies.push(`${t.name} ${fmt.ms(r.p50Ms)} / ${fmt.ms(r.p99Ms)}`);
      }
      rows.push(row);
      summary.push(...headlines(f.label, c, figures, fmt.rps, 'req/s', c === 1 ? undefined : 0.5));
      notes.push(`${f.label}, ${c} client${c > 1 ? 's' : ''}: latency p50 / p99: ${latencies.join('; ')}.`);
    }

    notes.push(
      'Cells: MiB/s of body bytes · requests/s. Each figure follows a warm-up; files are in the page cache.',
      `nginx: 1 worker, sendfile on, serving the blob file the server stores (DATA_DIR/blobs/ab/cd/<sha256>); ` +
        'the server is one Node process. Large-asset figures use a Node keep-alive client, which competes for the 2nd core.',
    );
    return { title: 'Download throughput vs nginx (same bytes)', columns, rows, notes, summary };
  } finally {
    if (nginx) await nginx.stop();
    await server.stop();
    removeTempDir(dataDir);
    removeTempDir(nginxDir);
  }
}

if (isMain(import.meta.url)) runStandalone('download', run);
