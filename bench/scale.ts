// Bench 6, scale: what a request costs in a repository of 100,000 packages (1,000,000 files) against the same
// request in a repository of 100 packages built the same way, side by side in one run. Every measured request
// should be within 1.5x; start-up under 300 ms; the /simple/ project list, which names every package, should
// start arriving as soon as in the small repository and be streamed without the whole list in memory.
//
// The data is written straight into the store through its own API (storage/open.ts openStore, then
// store.transaction and the aggregates' write methods, batched), not through HTTP: uploading a million files
// would take hours. The files share a modest set of real blobs (small wheels and sdists put through
// store.blobs.put, claimed and committed as core/blobLifecycle.ts does), so every asset row's bytes exist.
//
//   node --import tsx bench/scale.ts          (after `npm run build`)
//   BENCH_SCALE_PACKAGES=100000               packages of the big repository (BENCH_QUICK: 3,000)
//   BENCH_SCALE_SMALL=100                     packages of the small one
//   BENCH_SCALE_VERSIONS=5                    versions per package, each with a wheel and an sdist
//   BENCH_SCALE_BLOBS=1000                    distinct blobs the files share (half wheels, half sdists)
//   BENCH_SCALE_BATCH=500                     packages per write transaction
//   BENCH_SCALE_ROUNDS=10                     upload + uncached-request rounds; BENCH_SCALE_REQUESTS=100 per
//                                             control-plane series; BENCH_STARTUP_RUNS=7; BENCH_SECONDS=5
//   BENCH_SCALE_CACHE=/some/dir               keep the built data dirs there and copy them on later runs
//                                             (a rebuild takes minutes; delete the folder after a schema change)
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { claimBlobs, releaseClaims } from '../core/blobLifecycle.js';
import type { RequestContext } from '../core/context.js';
import { readWheelMetadata } from '../core/formats/pypi/archives.js';
import { createDomain } from '../core/registry/domains.js';
import { createRepository } from '../core/registry/repositories.js';
import { openStore } from '../storage/open.js';
import { digestsOf, type BlobDigests, type NewVersion } from '../storage/ports.js';
import { DOMAIN, sdistTarGz, uploadDist, wheel } from './fixtures.js';
import {
  expectStatus,
  fmt,
  forEachConcurrent,
  freePort,
  HOST,
  isMain,
  loadLoop,
  log,
  MAIN,
  makeTempDir,
  median,
  now,
  percentile,
  removeTempDir,
  request,
  requireBuild,
  rssKiB,
  RssSampler,
  runStandalone,
  type Section,
  type Server,
  setting,
  startServer,
  versus,
} from './lib.js';
import { timeToHealthy } from './startup.js';

const OWNER = '000000000000';
const REPO = 'scale';
const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';

// ---------------------------------------------------------------------------------------------------
// Building a repository straight into the store

export interface BuildOptions {
  packages: number;
  versions: number;
  blobs: number;
  batch: number;
}

export interface BuiltRepository {
  dataDir: string;
  packages: number;
  files: number;
  blobs: number;
  seconds: number;
  /** CPU time of this process while building (user + system). */
  cpuSeconds: number;
  /** Copied from BENCH_SCALE_CACHE rather than built in this run (the times are the original build's). */
  reused?: boolean;
  blobSeconds: number;
  dbBytes: number;
  blobBytes: number;
  /** A package in the middle of the name order: the one the bench requests. */
  project: string;
  /** Its versions as built. */
  versions: string[];
}

const projectName = (i: number) => `proj-${String(i).padStart(6, '0')}`;
const escaped = (name: string) => name.replace(/[-_.]+/g, '_');
const versionName = (v: number) => `1.${v}.0`;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

interface SharedBlob extends BlobDigests {
  /** A wheel's METADATA (PEP 658), or null for an sdist. */
  coreMetadata: Buffer | null;
  coreMetadataSha256: string | null;
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

/**
 * A data dir with one PyPI repository `bench/scale` of `packages` packages × `versions` versions × 2 files
 * (a wheel with PEP 658 metadata and an sdist), written through the store's ports in transactions of `batch`
 * packages. Packages are inserted in a scattered name order (as a real repository grows), not sorted.
 */
export async function buildRepository(dataDir: string, options: BuildOptions, scope = 'scale'): Promise<BuiltRepository> {
  const t0 = now();
  const cpu0 = process.cpuUsage();
  let blobSeconds = 0;
  const store = openStore(dataDir);
  try {
    const ctx: RequestContext = {
      accountId: OWNER,
      region: 'us-east-1',
      requestId: 'bench-scale',
      now: new Date(),
      publicUrl: 'http://127.0.0.1',
      endpointStyle: 'path',
    };
    await createDomain(store, ctx, { domain: DOMAIN });
    await createRepository(store, ctx, { domain: DOMAIN, repository: REPO });
    const domain = (await store.domains.find(OWNER, DOMAIN))!;
    const repository = (await store.repositories.find(domain.id, REPO))!;

    // The shared blobs: real small distributions, put, hashed, claimed, then committed.
    const wheels: SharedBlob[] = [];
    const sdists: SharedBlob[] = [];
    const pending: Awaited<ReturnType<typeof store.blobs.put>>[] = [];
    await forEachConcurrent(
      Array.from({ length: Math.max(2, options.blobs) }, (_, i) => i),
      8,
      async (i) => {
        const name = `blob-${i}`;
        const isWheel = i % 2 === 0;
        const dist = isWheel ? wheel(name, '1.0') : sdistTarGz(name, '1.0');
        const blob = await store.blobs.put(Readable.from([dist.data]));
        const read = isWheel ? await readWheelMetadata(blob.localPath, name, '1.0') : null;
        const metadata = read?.ok ? read.bytes : null;
        const shared: SharedBlob = {
          ...digestsOf(blob),
          coreMetadata: metadata,
          coreMetadataSha256: metadata ? createHash('sha256').update(metadata).digest('hex') : null,
        };
        (isWheel ? wheels : sdists).push(shared);
        pending.push(blob);
      },
    );
    const claims = await claimBlobs(store, pending.map((b) => b.sha256), ctx.now);
    await forEachConcurrent(pending, 8, (b) => b.commit());
    blobSeconds = (now() - t0) / 1000;
    log(scope, `${pending.length} blobs put and committed in ${blobSeconds.toFixed(1)} s`);

    // A permutation of 0..n-1, so consecutive rows are not consecutive names.
    const n = options.packages;
    let step = 7919;
    while (gcd(step, n) !== 1) step++;
    const versions = Array.from({ length: options.versions }, (_, v) => versionName(v));
    let written = 0;
    let lastLog = now();
    for (let start = 0; start < n; start += options.batch) {
      await store.transaction(async (tx) => {
        if (start === 0) await releaseClaims(tx, claims); // the first batch's rows refer to every blob
        const createdAt = ctx.now.getTime();
        for (let i = start; i < Math.min(n, start + options.batch); i++) {
          const name = projectName((i * step) % n);
          const pkg = await tx.packages.findOrCreate({
            repositoryId: repository.id,
            format: 'pypi',
            namespace: '',
            normalizedName: name,
            name,
            publish: 'ALLOW',
            upstream: 'BLOCK',
          });
          for (const [v, version] of versions.entries()) {
            const record: NewVersion = {
              packageId: pkg.id,
              version,
              status: 'Published',
              revision: createHash('sha256').update(`${name} ${version}`).digest('base64url').slice(0, 16),
              originType: 'INTERNAL',
              entryRepository: REPO,
              entryExternalConnection: null,
              createdAt: createdAt + v,
              publishedAt: createdAt + v,
              displayName: null,
              summary: `Package ${name}, a scale-bench project`,
              homePage: `https://example.invalid/${name}`,
              sourceCodeRepository: null,
              licenses: [{ name: 'MIT' }],
              readme: null,
              readmeContentType: null,
              requiresPython: '>=3.8',
              metadata: { metadataVersion: '2.1', classifiers: ['Programming Language :: Python :: 3'] },
            };
            const { version: row } = await tx.versions.findOrCreate(record);
            const k = i * options.versions + v;
            for (const [blob, filename] of [
              [wheels[k % wheels.length]!, `${escaped(name)}-${version}-py3-none-any.whl`],
              [sdists[k % sdists.length]!, `${escaped(name)}-${version}.tar.gz`],
            ] as const) {
              await tx.assets.add({
                versionId: row.id,
                name: filename,
                ...digestsOf(blob),
                coreMetadata: blob.coreMetadata,
                coreMetadataSha256: blob.coreMetadataSha256,
                createdAt: createdAt + v,
              });
            }
          }
        }
      });
      written = Math.min(n, start + options.batch);
      if (now() - lastLog > 10_000) {
        lastLog = now();
        log(scope, `${fmt.int(written)} / ${fmt.int(n)} packages (${((now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
  } finally {
    await store.close();
  }
  const seconds = (now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const db = path.join(dataDir, 'codeartifact.db');
  return {
    dataDir,
    packages: options.packages,
    files: options.packages * options.versions * 2,
    blobs: Math.max(2, options.blobs),
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    blobSeconds,
    dbBytes: statSync(db).size,
    blobBytes: dirBytes(path.join(dataDir, 'blobs')),
    project: projectName(Math.floor(options.packages / 2)),
    versions: Array.from({ length: options.versions }, (_, v) => versionName(v)),
  };
}

/** A temp data dir holding the repository: built, or copied from BENCH_SCALE_CACHE when built there before. */
async function repositoryIn(label: string, options: BuildOptions): Promise<BuiltRepository> {
  const dataDir = makeTempDir(`scale-${label}`);
  const cacheRoot = process.env.BENCH_SCALE_CACHE;
  const cached = cacheRoot && path.join(cacheRoot, `${options.packages}p-${options.versions}v-${options.blobs}b`);
  const record = cached && path.join(cached, 'built.json');
  if (record && existsSync(record)) {
    log('scale', `copying ${options.packages} packages from ${cached}`);
    cpSync(cached, dataDir, { recursive: true, filter: (src) => src !== record });
    return { ...(JSON.parse(readFileSync(record, 'utf8')) as BuiltRepository), dataDir, reused: true };
  }
  log('scale', `building ${fmt.int(options.packages)} packages × ${options.versions} versions × 2 files`);
  const built = await buildRepository(dataDir, options);
  if (cached && record) {
    mkdirSync(cached, { recursive: true });
    cpSync(dataDir, cached, { recursive: true });
    writeFileSync(record, JSON.stringify(built));
  }
  return built;
}

// ---------------------------------------------------------------------------------------------------
// Requests

interface Timing {
  status: number;
  /** Response headers received. */
  headersMs: number;
  /** First body byte (= headersMs when there is no body). */
  ttfbMs: number;
  totalMs: number;
  bytes: number;
}

/** One GET on `agent`, timed to the headers, the first body byte and the last one. */
function timedGet(agent: http.Agent, url: string, headers: Record<string, string> = {}): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const req = http.get(url, { agent, headers }, (res) => {
      const headersMs = now() - t0;
      let ttfbMs: number | undefined;
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        ttfbMs ??= now() - t0;
        bytes += c.length;
      });
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headersMs, ttfbMs: ttfbMs ?? headersMs, totalMs: now() - t0, bytes }));
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`GET ${url}: no activity for 120 s`)));
    req.on('error', reject);
  });
}

async function okGet(agent: http.Agent, url: string, headers: Record<string, string> = {}): Promise<Timing> {
  const t = await timedGet(agent, url, headers);
  if (t.status !== 200) throw new Error(`GET ${url}: HTTP ${t.status}`);
  return t;
}

/** A control-plane call as the SDKs send it (rest-json: members in the query, a JSON body). */
async function control(agent: http.Agent, server: Server, method: 'GET' | 'POST', pathAndQuery: string) {
  const res = await request(`${server.url}${pathAndQuery}`, {
    method,
    agent,
    headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
    body: method === 'POST' ? '{}' : undefined,
  });
  return JSON.parse(expectStatus(res, 200, `${method} ${pathAndQuery}`).body.toString('utf8')) as Record<string, unknown>;
}

const q = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => [k, String(v)])).toString();

const listPackagesPath = (params: { maxResults?: number; nextToken?: string; prefix?: string }) =>
  `/v1/packages?${q({ domain: DOMAIN, repository: REPO, 'max-results': params.maxResults, 'next-token': params.nextToken, format: params.prefix ? 'pypi' : undefined, 'package-prefix': params.prefix })}`;

/** Follows nextToken `hops` times with pages of `maxResults`; the token of the page after those. */
async function tokenAfter(agent: http.Agent, server: Server, hops: number, maxResults: number): Promise<string> {
  let token: string | undefined;
  for (let i = 0; i < hops; i++) {
    const page = await control(agent, server, 'POST', listPackagesPath({ maxResults, nextToken: token }));
    token = page.nextToken as string | undefined;
    if (!token) throw new Error(`ListPackages ran out of pages after ${i + 1} of ${hops} (maxResults ${maxResults})`);
  }
  return token!;
}

interface Side {
  label: string;
  built: BuiltRepository;
  server: Server;
  agent: http.Agent;
  base: string;
  projectPage: string;
}

/** The sides' indices in round `r`: ABBA..., so neither side always follows the other's heavier work. */
const inTurn = <T>(items: T[], r: number): [number, T][] => {
  const order = [...items.entries()];
  return r % 2 === 0 ? order : order.reverse();
};

/** `fn` on each side in turn (ABBA...), `rounds` times after one warm-up round: the latencies per side. */
async function alternate(sides: Side[], rounds: number, fn: (side: Side, round: number) => Promise<number>): Promise<number[][]> {
  const out = sides.map(() => [] as number[]);
  for (let r = 0; r <= rounds; r++) {
    for (const [i, side] of inTurn(sides, r)) {
      const ms = await fn(side, r);
      if (r > 0) out[i]!.push(ms);
    }
  }
  return out;
}

interface Cached {
  rps: number;
  bytesPerSec: number;
  p50: number;
  p99: number;
}

/**
 * A cached page requested back to back on one keep-alive connection per side, in alternating slices of
 * 250 ms (ABBA...) for `seconds` per side after a warm-up slice each: machine noise lands on both sides.
 */
async function alternatingLoad(sides: Side[], urlOf: (side: Side) => string, seconds: number): Promise<Cached[]> {
  const SLICE_MS = 250;
  const slices = Math.max(2, Math.round((seconds * 1000) / SLICE_MS));
  const results = sides.map(() => ({ latencies: [] as number[], elapsedMs: 0, bytes: 0 }));
  const agents = sides.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  try {
    const slice = async (i: number, record: boolean) => {
      const url = urlOf(sides[i]!);
      const r = await loadLoop({
        concurrency: 1,
        maxRequests: 10_000_000,
        maxMs: SLICE_MS,
        fn: async () => {
          const res = await request(url, { agent: agents[i]!, sink: 'count' });
          if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
          return res.bytes;
        },
      });
      if (!record) return;
      results[i]!.latencies.push(...r.latenciesMs);
      results[i]!.elapsedMs += r.elapsedMs;
      results[i]!.bytes += r.bytes;
    };
    for (const i of sides.keys()) await slice(i, false);
    for (let k = 0; k < slices; k++) {
      const order = k % 2 === 0 ? [...sides.keys()] : [...sides.keys()].reverse();
      for (const i of order) await slice(i, true);
    }
  } finally {
    for (const a of agents) a.destroy();
  }
  return results.map((r) => ({
    rps: r.latencies.length / (r.elapsedMs / 1000),
    bytesPerSec: r.bytes / (r.elapsedMs / 1000),
    p50: percentile(r.latencies, 50),
    p99: percentile(r.latencies, 99),
  }));
}

async function timedMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = now();
  await fn();
  return now() - t0;
}

// ---------------------------------------------------------------------------------------------------
// The bench

export async function run(): Promise<Section> {
  requireBuild();
  const bigCount = setting('SCALE_PACKAGES', 100_000, 3_000);
  const smallCount = setting('SCALE_SMALL', 100, 100);
  const versions = setting('SCALE_VERSIONS', 5, 5);
  const blobs = setting('SCALE_BLOBS', 1000, 100);
  const batch = setting('SCALE_BATCH', 500, 500);
  const rounds = setting('SCALE_ROUNDS', 10, 3);
  const requests = setting('SCALE_REQUESTS', 100, 20);
  const startupRuns = setting('STARTUP_RUNS', 7, 3);
  const seconds = Math.max(1, Math.round(setting('SECONDS', 5, 2)));

  const dirs: string[] = [];
  const servers: Server[] = [];
  const agents: http.Agent[] = [];
  try {
    const small = await repositoryIn('small', { packages: smallCount, versions, blobs, batch });
    dirs.push(small.dataDir);
    const big = await repositoryIn('big', { packages: bigCount, versions, blobs, batch });
    dirs.push(big.dataDir);
    log('scale', `built in ${big.seconds.toFixed(1)} s (CPU ${big.cpuSeconds.toFixed(1)} s): database ${fmt.mib(big.dbBytes)}, blobs ${fmt.mib(big.blobBytes)}`);
    const builtRepos = [small, big];

    // Start-up, and the first project page after it, interleaved.
    log('scale', `start-up: ${startupRuns} rounds`);
    const startup = builtRepos.map(() => ({ health: [] as number[], firstPage: [] as number[] }));
    for (let r = 0; r <= startupRuns; r++) {
      for (const [i, built] of inTurn(builtRepos, r)) {
        const port = await freePort();
        const page = `http://${HOST}:${port}/pypi/d/${DOMAIN}-${OWNER}/${REPO}/simple/${built.project}/`;
        let firstPage = NaN;
        const sample = await timeToHealthy(
          [MAIN, '--host', HOST, '--port', String(port), '--data-dir', built.dataDir, '--auth', 'off'],
          port,
          async () => {
            const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
            try {
              firstPage = (await okGet(agent, page)).totalMs;
            } finally {
              agent.destroy();
            }
          },
        );
        if (r === 0) continue; // warm-up: file cache
        startup[i]!.health.push(sample.healthMs);
        startup[i]!.firstPage.push(firstPage);
      }
    }

    for (const built of builtRepos) servers.push(await startServer(built.dataDir));
    const sides: Side[] = builtRepos.map((built, i) => {
      const server = servers[i]!;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const base = server.pypiBase(DOMAIN, REPO);
      return { label: `${fmt.int(built.packages)} packages`, built, server, agent, base, projectPage: `${base}/simple/${built.project}/` };
    });
    const rssBefore = sides.map((s) => rssKiB(s.server.pid) ?? NaN);

    // Rounds: a new upload to the project, then its pages and the project list, each the first after that change.
    log('scale', `${rounds} rounds of upload + uncached requests`);
    const perRound = sides.map(() => ({
      upload: [] as number[],
      html: [] as number[],
      json: [] as number[],
      listTtfb: [] as number[],
      listTotal: [] as number[],
      listBytes: 0,
      listPeakKiB: 0,
    }));
    for (let r = 0; r <= rounds; r++) {
      for (const [i, side] of inTurn(sides, r)) {
        const version = `2.0.${r}`;
        const dist = sdistTarGz(side.built.project, version);
        const upload = await timedMs(() => uploadDist(side.server, REPO, side.built.project, version, dist));
        const html = await okGet(side.agent, side.projectPage);
        const json = await okGet(side.agent, side.projectPage, { accept: JSON_ACCEPT });
        const sampler = new RssSampler(side.server.pid, 10).start();
        const list = await okGet(side.agent, `${side.base}/simple/`);
        const rss = sampler.stop();
        const s = perRound[i]!;
        s.listPeakKiB = Math.max(s.listPeakKiB, rss.peakKiB);
        if (r === 0) continue;
        s.upload.push(upload);
        s.html.push(html.totalMs);
        s.json.push(json.totalMs);
        s.listTtfb.push(list.ttfbMs);
        s.listTotal.push(list.totalMs);
        s.listBytes = list.bytes;
      }
    }

    // Cached: the same pages again and again (nothing changes in between).
    log('scale', 'cached project page and project list');
    const cachedPage = await alternatingLoad(sides, (s) => s.projectPage, seconds);
    const cachedList = await alternatingLoad(sides, (s) => `${s.base}/simple/`, seconds);

    // The control plane.
    log('scale', `control plane: ${requests} requests per series and side`);
    const later = await Promise.all(
      sides.map(async (side) => {
        // Page 50 of 20 in the big repository, its last page (5 of 20) in the small one.
        const pages = Math.min(50, Math.ceil(side.built.packages / 20));
        return { token: await tokenAfter(side.agent, side.server, pages - 1, 20), page: pages };
      }),
    );
    const middle = await Promise.all(
      sides.map(async (side) => {
        // The page that starts at the middle of the name order, reached in hops of up to 1,000.
        const hop = Math.min(1000, Math.floor(side.built.packages / 2));
        return tokenAfter(side.agent, side.server, Math.floor(side.built.packages / 2 / hop), hop);
      }),
    );
    const series = async (fn: (side: Side, i: number) => Promise<unknown>) =>
      alternate(sides, requests, (side) => timedMs(() => fn(side, sides.indexOf(side))));
    const cp = {
      first: await series((s) => control(s.agent, s.server, 'POST', listPackagesPath({}))),
      later: await series((s, i) => control(s.agent, s.server, 'POST', listPackagesPath({ maxResults: 20, nextToken: later[i]!.token }))),
      middle: await series((s, i) => control(s.agent, s.server, 'POST', listPackagesPath({ maxResults: 20, nextToken: middle[i]! }))),
      prefix: await series((s) => control(s.agent, s.server, 'POST', listPackagesPath({ prefix: s.built.project }))),
      versions: await series((s) =>
        control(s.agent, s.server, 'POST', `/v1/package/versions?${q({ domain: DOMAIN, repository: REPO, format: 'pypi', package: s.built.project })}`),
      ),
      describe: await series((s) =>
        control(s.agent, s.server, 'GET', `/v1/package/version?${q({ domain: DOMAIN, repository: REPO, format: 'pypi', package: s.built.project, version: s.built.versions[2] ?? s.built.versions[0]! })}`),
      ),
    };
    const rssAfter = sides.map((s) => rssKiB(s.server.pid) ?? NaN);

    // The table: small, big, big ÷ small. Every figure whose ratio should stay within 1.5x goes into `checked`.
    const flag = (ratio: number) => (ratio > 1.5 ? ' ⚠' : '');
    const checked: { label: string; small: number; big: number }[] = [];
    const check = (label: string, small: number, big: number) => {
      checked.push({ label, small, big });
      return big / small;
    };
    const msRow = (label: string, [a, b]: number[][], p = 50): string[] => {
      const [x, y] = [percentile(a!, p), percentile(b!, p)];
      const ratio = check(label, x, y);
      return [label, fmt.ms(x), fmt.ms(y), `${fmt.ratio(ratio)}${flag(ratio)}`];
    };
    const latencyRow = (label: string, [a, b]: number[][]): string[] => {
      const cell = (xs: number[]) => `p50 ${fmt.ms(percentile(xs, 50))} · p99 ${fmt.ms(percentile(xs, 99))}`;
      const ratio = check(label, percentile(a!, 50), percentile(b!, 50));
      return [label, cell(a!), cell(b!), `${fmt.ratio(ratio)}${flag(ratio)} (p99 ${fmt.ratio(percentile(b!, 99) / percentile(a!, 99))})`];
    };
    const cachedRow = (label: string, [a, b]: Cached[]): string[] => {
      const cell = (c: Cached) => `${fmt.rps(c.rps)} · p50 ${fmt.ms(c.p50)} · p99 ${fmt.ms(c.p99)}`;
      const ratio = check(label, a!.p50, b!.p50);
      return [label, cell(a!), cell(b!), `${fmt.ratio(ratio)}${flag(ratio)} (p99 ${fmt.ratio(b!.p99 / a!.p99)})`];
    };
    const listFirstByte = perRound.map((s) => median(s.listTtfb));
    const pick = <K extends keyof (typeof perRound)[number]>(k: K) => perRound.map((s) => s[k] as unknown as number[]);
    const [lp, lb] = later;
    const rows: string[][] = [
      msRow(`start-up to first 200 on /health (median of ${startupRuns})`, startup.map((s) => s.health)),
      msRow('project page HTML, first request after start (median)', startup.map((s) => s.firstPage)),
      msRow('project page HTML, first after an upload to it (median)', pick('html')),
      msRow('project page JSON, first after an upload to it (median)', pick('json')),
      cachedRow('project page HTML, cached (1 keep-alive connection)', cachedPage),
      msRow('upload of a new sdist (PyPI upload API, median)', pick('upload')),
      latencyRow('ListPackages, first page (100)', cp.first),
      latencyRow(`ListPackages, later page of 20 (page ${lp!.page} / ${lb!.page})`, cp.later),
      latencyRow('ListPackages, page of 20 from the middle of the name order', cp.middle),
      latencyRow('ListPackages, packagePrefix = one package', cp.prefix),
      latencyRow('ListPackageVersions', cp.versions),
      latencyRow('DescribePackageVersion', cp.describe),
      [
        '/simple/ project list, first after a change: first byte (median)',
        ...listFirstByte.map(fmt.ms),
        `${fmt.ratio(listFirstByte[1]! / listFirstByte[0]!)}${flag(check('/simple/ project list, first byte', listFirstByte[0]!, listFirstByte[1]!))}`,
      ],
      [
        '/simple/ project list, first after a change: last byte (median)',
        ...perRound.map((s) => `${fmt.ms(median(s.listTotal))} (${fmt.kib(s.listBytes)})`),
        `${fmt.ratio(median(perRound[1]!.listTotal) / median(perRound[0]!.listTotal))} (grows with the list, by nature)`,
      ],
      [
        '/simple/ project list, cached',
        ...cachedList.map((c) => `${fmt.rps(c.rps)} (${fmt.mibps(c.bytesPerSec)}) · p50 ${fmt.ms(c.p50)} · p99 ${fmt.ms(c.p99)}`),
        `${fmt.ratio(cachedList[1]!.p50 / cachedList[0]!.p50)} (${fmt.ratio(perRound[1]!.listBytes / perRound[0]!.listBytes)} the bytes)`,
      ],
      [
        'server RSS: after start / peak while serving the uncached list / at the end',
        ...sides.map((_, i) => `${fmt.mib(rssBefore[i]! * 1024)} / ${fmt.mib(perRound[i]!.listPeakKiB * 1024)} / ${fmt.mib(rssAfter[i]! * 1024)}`),
        fmt.ratio(perRound[1]!.listPeakKiB / perRound[0]!.listPeakKiB),
      ],
    ];
    const bigStart = median(startup[1]!.health);
    const smallStart = median(startup[0]!.health);
    // Every figure of `checked`: big ÷ small within 1.5x; the summary names the worst.
    const within = { target: '≤ 1.5x', atMost: 1.5 };
    const worst = checked.reduce((w, c) => (c.big / c.small > w.big / w.small ? c : w));
    return {
      title: `Scale: a repository of ${fmt.int(bigCount)} packages (${fmt.int(big.files)} files) vs one of ${fmt.int(smallCount)}`,
      columns: ['request', `${fmt.int(smallCount)} packages`, `${fmt.int(bigCount)} packages`, 'big ÷ small'],
      rows,
      summary: [
        {
          figure: `scale: build ${fmt.int(bigCount)} packages / ${fmt.int(big.files)} files through the store's API (CPU)`,
          ours: `${fmt.s(big.seconds)} (${fmt.s(big.cpuSeconds)})`,
          reference: '',
        },
        {
          figure: `scale: start-up to the first 200 on /health, ${fmt.int(bigCount)} packages: ms, big ÷ small repository`,
          ours: fmt.ms(bigStart),
          reference: `${fmt.int(smallCount)} packages ${fmt.ms(smallStart)}`,
          ratio: bigStart / smallStart,
          target: '< 300 ms, ≤ 1.5x',
          met: bigStart < 300 && bigStart / smallStart <= 1.5,
        },
        versus(
          `scale: cached project page p50, ${fmt.int(bigCount)} vs ${fmt.int(smallCount)} packages: ms, big ÷ small`,
          fmt.ms(cachedPage[1]!.p50),
          `${fmt.int(smallCount)} packages ${fmt.ms(cachedPage[0]!.p50)}`,
          cachedPage[1]!.p50 / cachedPage[0]!.p50,
          within,
        ),
        versus(
          `scale: /simple/ list of ${fmt.int(bigCount)} packages, first byte after a change: ms, big ÷ small`,
          fmt.ms(listFirstByte[1]!),
          `${fmt.int(smallCount)} packages ${fmt.ms(listFirstByte[0]!)}`,
          listFirstByte[1]! / listFirstByte[0]!,
          within,
        ),
        versus(
          `scale: the worst of ${checked.length} request figures (${worst.label}): ms, big ÷ small`,
          fmt.ms(worst.big),
          `${fmt.int(smallCount)} packages ${fmt.ms(worst.small)}`,
          worst.big / worst.small,
          within,
        ),
      ],
      notes: [
        `Built straight into the store through its API (openStore, store.transaction, the aggregates' write methods; ` +
          `${fmt.int(batch)} packages per transaction): ${fmt.int(bigCount)} packages × ${versions} versions × 2 files ` +
          `in ${fmt.s(big.seconds)} (${fmt.s(big.cpuSeconds)} of CPU; database ${fmt.mib(big.dbBytes)})` +
          `${big.reused ? ', in an earlier run (copied from BENCH_SCALE_CACHE)' : ''}; the files share ` +
          `${fmt.int(big.blobs)} real blobs (${fmt.mib(big.blobBytes)}). The small repository is built the same way ` +
          `(${fmt.s(small.seconds)}).`,
        'Two servers (`--auth off`, one per data dir) run side by side; every series alternates between them ' +
          '(ABBA...), so noise from the machine lands on both. Ratios are big ÷ small of the median (⚠: above 1.5); ' +
          'the summary names the worst of them (every row but the list\'s last byte, which grows with the list, and RSS).',
        `Start-up: spawn to the first 200 on /health, then one project page request, ${startupRuns} rounds after a warm-up.`,
        `Rounds (${rounds} after a warm-up): upload one new sdist to the project ${sides[1]!.built.project} ` +
          `(${sides[0]!.built.project} in the small one), then request its HTML and JSON page and the repository's ` +
          '/simple/ list, each the first after that change (rendered anew).',
        `Cached rows: requests back to back on one keep-alive connection (the Node client), ${seconds} s per side in ` +
          'alternating 250 ms slices (ABBA), after a warm-up slice each.',
        `Control plane: ${requests} requests per series and side, alternating, on a keep-alive connection. ` +
          'The later page is page 50 of 20 in the big repository and the last (page 5) in the small one; the ' +
          'middle page is reached by following nextToken in pages of 1,000.',
        'RSS: VmRSS of the server process, sampled every 10 ms while the list is served.',
      ],
    };
  } finally {
    for (const a of agents) a.destroy();
    for (const s of servers) await s.stop();
    for (const d of dirs) removeTempDir(d);
  }
}

if (isMain(import.meta.url)) runStandalone('scale', run);
