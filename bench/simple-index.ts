// Bench 3, the PyPI simple index: (a) the project page of one project with thousands of files (first,
// uncached and cached requests; HTML and JSON); (b) the page of a small project in a repository holding
// thousands of other projects costs what it costs in an otherwise empty repository; (c) a small project's
// page requested through a 3-deep upstream chain (team → shared → base) vs from base directly.
//
//   node --import tsx bench/simple-index.ts     (after `npm run build`)
//   BENCH_INDEX_VERSIONS=1000                   versions of the big project (3 files each: .tar.gz, .zip, .whl)
//   BENCH_PACKAGES=2000                         other projects in the repository of part (b)
//   BENCH_UNCACHED_RUNS=5 BENCH_ISOLATION_RUNS=20 BENCH_SECONDS=5 BENCH_CONCURRENCY=4
//   BENCH_CHAIN_RUNS=20                         rounds of change + uncached requests of part (c)
//   BENCH_UPLOAD_CONCURRENCY=4                  uploads in flight while loading data
import http from 'node:http';
import {
  BIG_REPO,
  DOMAIN,
  copyFixture,
  createRepo,
  populatedFixture,
  releaseFixtures,
  sdistTarGz,
  sdistZip,
  uploadDist,
  wheel,
} from './fixtures.js';
import {
  cpuMs,
  expectStatus,
  fmt,
  forEachConcurrent,
  isMain,
  loadLoop,
  log,
  makeTempDir,
  median,
  MISSING_HINT,
  now,
  percentile,
  removeTempDir,
  request,
  requireBuild,
  runStandalone,
  runWrk,
  type Section,
  type Server,
  setting,
  startServer,
  tool,
  versus,
} from './lib.js';

export const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';
export const BIG_PROJECT = 'bigproject';
export const SMALL_PROJECT = 'smallproject';

/** 1.0.0 … with one version in ten a pre-release, so sorting does real PEP 440 work. */
function versionOf(i: number): string {
  const base = `${1 + Math.floor(i / 100)}.${Math.floor(i / 10) % 10}.${i % 10}`;
  return i % 10 === 9 ? `${base}b1` : base;
}

export interface Timed {
  ms: number;
  bytes: number;
}

/** One GET on the keep-alive agent, timed to the last byte. */
export async function timedGet(agent: http.Agent, url: string, accept?: string): Promise<Timed> {
  const t0 = now();
  const res = expectStatus(await request(url, { agent, headers: accept ? { accept } : {}, sink: 'count' }), 200, `GET ${url}`);
  return { ms: now() - t0, bytes: res.bytes };
}

export interface Cached {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

/**
 * Repeated requests for a page that is now cached: wrk when available, else the Node client; after a 1 s
 * warm-up unless `warmUp` is false.
 */
export async function cachedLoad(url: string, connections: number, seconds: number, accept?: string, warmUp = true): Promise<Cached> {
  const headers: Record<string, string> = accept ? { accept } : {};
  if (tool('wrk')) {
    if (warmUp) await runWrk(url, { connections, seconds: 1, headers });
    const r = await runWrk(url, { connections, seconds, headers });
    if (r.errors) throw new Error(`wrk ${url}: ${r.errors}`);
    return { rps: r.rps, p50: r.p50Ms, p99: r.p99Ms, requests: r.requests };
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    const fn = async () => {
      const res = await request(url, { agent, headers, sink: 'count' });
      if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
      return res.bytes;
    };
    if (warmUp) await loadLoop({ concurrency: connections, maxRequests: 1_000_000, maxMs: 1000, fn });
    const r = await loadLoop({ concurrency: connections, maxRequests: 10_000_000, maxMs: seconds * 1000, fn });
    return { rps: r.rps, p50: percentile(r.latenciesMs, 50), p99: percentile(r.latenciesMs, 99), requests: r.requests };
  } finally {
    agent.destroy();
  }
}

const cachedCell = (c: Cached) => `${fmt.rps(c.rps)} · p50 ${fmt.ms(c.p50)} · p99 ${fmt.ms(c.p99)}`;

/** Creates `repo` and uploads `versions` versions of BIG_PROJECT, 3 files each; resolves with files and seconds. */
export async function loadBigProject(
  server: Server,
  repo: string,
  versions: number,
  uploadConcurrency: number,
): Promise<{ files: number; seconds: number }> {
  await createRepo(server, repo);
  const makers = [sdistTarGz, sdistZip, wheel];
  const tasks = Array.from({ length: versions * makers.length }, (_, i) => ({
    version: versionOf(Math.floor(i / makers.length)),
    make: makers[i % makers.length]!,
  }));
  log('index', `uploading ${tasks.length} files (${versions} versions of ${BIG_PROJECT}), concurrency ${uploadConcurrency}`);
  const t0 = now();
  await forEachConcurrent(tasks, uploadConcurrency, async (t) => {
    await uploadDist(server, repo, BIG_PROJECT, t.version, t.make(BIG_PROJECT, t.version));
  });
  const seconds = (now() - t0) / 1000;
  log('index', `${tasks.length} uploads in ${seconds.toFixed(1)} s`);
  return { files: tasks.length, seconds };
}

/**
 * `files` files of `project` in an existing repository: 1.0.0 as .tar.gz, .zip and wheel (fewer if
 * `files` < 3), then one sdist each of 2.0.0, 2.0.1, … (what part (b) has after its rounds).
 */
export async function loadSmallProject(server: Server, repo: string, project: string, files: number, domain = DOMAIN): Promise<void> {
  const makers = [sdistTarGz, sdistZip, wheel];
  for (let i = 0; i < files; i++) {
    const version = i < makers.length ? '1.0.0' : `2.0.${i - makers.length}`;
    const make = i < makers.length ? makers[i]! : sdistTarGz;
    await uploadDist(server, repo, project, version, make(project, version), domain);
  }
}

/** Part (a): one project, thousands of files. */
async function bigProject(): Promise<Section> {
  const versions = setting('INDEX_VERSIONS', 1000, 100);
  const uploadConcurrency = setting('UPLOAD_CONCURRENCY', 4, 4);
  const uncachedRuns = setting('UNCACHED_RUNS', 5, 3);
  const seconds = Math.max(1, Math.round(setting('SECONDS', 5, 2)));
  const concurrency = setting('CONCURRENCY', 4, 4);

  const dataDir = makeTempDir('index');
  let server: Server = await startServer(dataDir);
  try {
    const { files: uploaded, seconds: uploadSeconds } = await loadBigProject(server, 'pages', versions, uploadConcurrency);

    // A fresh process: nothing cached, the pug template not yet loaded.
    await server.stop();
    server = await startServer(dataDir);
    const page = `${server.pypiBase(DOMAIN, 'pages')}/simple/${BIG_PROJECT}/`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const firstHtml = await timedGet(agent, page);
    const firstJson = await timedGet(agent, page, JSON_ACCEPT);

    // Uncached but warm: each upload changes the project, so the next request of each format renders anew.
    const uncached = { html: [] as number[], json: [] as number[] };
    for (let k = 0; k < uncachedRuns; k++) {
      const v = `9000.0.${k}`;
      await uploadDist(server, 'pages', BIG_PROJECT, v, sdistTarGz(BIG_PROJECT, v));
      uncached.html.push((await timedGet(agent, page)).ms);
      uncached.json.push((await timedGet(agent, page, JSON_ACCEPT)).ms);
    }
    const cachedHtml1 = await cachedLoad(page, 1, seconds);
    const cachedHtmlN = await cachedLoad(page, concurrency, seconds);
    const cachedJson1 = await cachedLoad(page, 1, seconds, JSON_ACCEPT);
    const cachedJsonN = await cachedLoad(page, concurrency, seconds, JSON_ACCEPT);
    const sizes = {
      html: (await timedGet(agent, page)).bytes,
      json: (await timedGet(agent, page, JSON_ACCEPT)).bytes,
    };
    agent.destroy();

    const files = uploaded + uncachedRuns;
    const notes = [
      `${fmt.int(uploaded)} files uploaded through the PyPI upload API at concurrency ${uploadConcurrency}: ` +
        `${fmt.s(uploadSeconds)} (${fmt.n(uploaded / uploadSeconds)} files/s); ${uncachedRuns} more added by the uncached runs.`,
      'First request: the first of each format after a restart (for HTML it includes loading and compiling the pug template).',
      `Uncached: median of ${uncachedRuns}, each right after an upload to the project (which invalidates its cached pages).`,
      `Cached: ${tool('wrk') ? 'wrk' : 'Node keep-alive client'}, ${seconds} s each after a 1 s warm-up.`,
    ];
    if (!tool('wrk')) notes.push(MISSING_HINT.wrk!);
    return {
      title: `Simple index: project page with ${fmt.int(files)} files (${fmt.int(versions + uncachedRuns)} versions)`,
      columns: ['format', 'size', 'first request', 'uncached (median)', 'cached, 1 client', `cached, ${concurrency} clients`],
      // Nothing else serves these pages in this run: the figures stand alone (hot-reads.ts has nginx beside them).
      summary: [
        {
          figure: `project page, ${fmt.int(files)} files, HTML: first / uncached / cached (1 client)`,
          ours: `${fmt.ms(firstHtml.ms)} / ${fmt.ms(median(uncached.html))} / ${fmt.rps(cachedHtml1.rps)}`,
          reference: '',
        },
        {
          figure: `project page, ${fmt.int(files)} files, JSON: first / uncached / cached (1 client)`,
          ours: `${fmt.ms(firstJson.ms)} / ${fmt.ms(median(uncached.json))} / ${fmt.rps(cachedJson1.rps)}`,
          reference: '',
        },
      ],
      rows: [
        ['HTML', fmt.kib(sizes.html), fmt.ms(firstHtml.ms), fmt.ms(median(uncached.html)), cachedCell(cachedHtml1), cachedCell(cachedHtmlN)],
        ['JSON', fmt.kib(sizes.json), fmt.ms(firstJson.ms), fmt.ms(median(uncached.json)), cachedCell(cachedJson1), cachedCell(cachedJsonN)],
      ],
      notes,
    };
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

/**
 * Part (b): one small project, the same uploads and requests, in four places: a data dir of its own, and
 * in a data dir holding a repository of thousands of projects: in another domain, in an empty repository
 * of the same domain, and in that big repository. Where a cost differs, the columns show what it grows with.
 */
async function isolation(): Promise<Section> {
  const packages = setting('PACKAGES', 2000, 300);
  const uploadConcurrency = setting('UPLOAD_CONCURRENCY', 4, 4);
  const runs = setting('ISOLATION_RUNS', 20, 5);
  const seconds = Math.max(1, Math.round(setting('SECONDS', 5, 2)));

  const fixture = await populatedFixture(packages, uploadConcurrency);
  const bigDir = copyFixture(fixture, 'isolation');
  const freshDir = makeTempDir('isolation-fresh');
  const servers: Server[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const fresh = await startServer(freshDir);
    servers.push(fresh);
    const big = await startServer(bigDir);
    servers.push(big);
    const LONELY = 'lonely';
    const OTHER_DOMAIN = 'other';
    interface Place {
      label: string;
      server: Server;
      domain: string;
      repo: string;
    }
    const places: (Place & { short: string })[] = [
      { label: 'own data dir', short: 'own data dir', server: fresh, domain: DOMAIN, repo: LONELY },
      { label: 'big data dir, other domain', short: 'other domain', server: big, domain: OTHER_DOMAIN, repo: LONELY },
      { label: 'same domain, empty repo', short: 'empty repo', server: big, domain: DOMAIN, repo: LONELY },
      { label: `repo of ${fmt.int(packages)} projects`, short: 'big repo', server: big, domain: DOMAIN, repo: BIG_REPO },
    ];
    await createRepo(fresh, LONELY);
    await createRepo(big, LONELY);
    await createRepo(big, LONELY, OTHER_DOMAIN);
    const base = (p: Place) => p.server.pypiBase(p.domain, p.repo);
    const pageOf = (p: Place) => `${base(p)}/simple/${SMALL_PROJECT}/`;
    for (const p of places) await loadSmallProject(p.server, p.repo, SMALL_PROJECT, 3, p.domain);

    type Series = { upload: number[]; html: number[]; json: number[]; list: number[]; listBytes: number };
    const series: Series[] = places.map(() => ({ upload: [], html: [], json: [], list: [], listBytes: 0 }));
    log('index', `${runs} rounds of upload + uncached requests, alternating between ${places.length} places`);
    // Round 0 is a warm-up (template compilation, statement preparation), not recorded.
    for (let k = 0; k <= runs; k++) {
      for (const [i, p] of places.entries()) {
        const s = series[i]!;
        const v = `2.0.${k}`;
        const dist = sdistTarGz(SMALL_PROJECT, v);
        const t0 = now();
        await uploadDist(p.server, p.repo, SMALL_PROJECT, v, dist, p.domain);
        const up = now() - t0;
        const html = await timedGet(agent, pageOf(p));
        const json = await timedGet(agent, pageOf(p), JSON_ACCEPT);
        const list = await timedGet(agent, `${base(p)}/simple/`);
        if (k === 0) continue;
        s.upload.push(up);
        s.html.push(html.ms);
        s.json.push(json.ms);
        s.list.push(list.ms);
        s.listBytes = list.bytes;
      }
    }

    const cached: { html: Cached; json: Cached; file: Cached }[] = [];
    const sdistName = sdistTarGz(SMALL_PROJECT, '1.0.0').filename;
    for (const p of places) {
      log('index', `cached page and file requests: ${p.label}`);
      cached.push({
        html: await cachedLoad(pageOf(p), 1, seconds),
        json: await cachedLoad(pageOf(p), 1, seconds, JSON_ACCEPT),
        file: await cachedLoad(`${base(p)}/simple/${SMALL_PROJECT}/1.0.0/${sdistName}`, 1, seconds),
      });
    }

    const last = places.length - 1;
    const msRow = (label: string, pick: (s: Series) => number[]) => {
      const m = series.map((s) => median(pick(s)));
      return [label, ...m.map(fmt.ms), fmt.ratio(m[last]! / m[0]!)];
    };
    const rpsRow = (label: string, pick: (c: (typeof cached)[number]) => Cached) => {
      const c = cached.map(pick);
      return [label, ...c.map((x) => `${fmt.rps(x.rps)}, p50 ${fmt.ms(x.p50)}`), fmt.ratio(c[0]!.rps / c[last]!.rps)];
    };
    // Which boundary a slowdown of the cached page follows (cached requests are the steadiest figures).
    const r = cached.map((c) => c.html.rps);
    const slower = (a: number, b: number) => r[b]! < 0.8 * r[a]!;
    const grows = [
      slower(0, 1) && 'with the data dir (other domain slower than own data dir)',
      slower(1, 2) && 'with the domain (an empty repository of the big domain is slower than another domain)',
      slower(2, 3) && 'with the repository (the big repository is slower than an empty one beside it)',
    ].filter(Boolean);
    const verdict =
      grows.length === 0
        ? 'Verdict: the cached project page costs the same in all four places (within 20%).'
        : `Verdict: the cached project page's per-request cost grows ${grows.join('; and ')}.`;
    const smallFiles = 3 + runs + 1;
    return {
      title: `Simple index: one ${smallFiles}-file project, alone vs beside ${fmt.int(packages)} projects`,
      columns: ['request', ...places.map((p) => p.label), 'cost ratio'],
      summary: [
        versus(
          `small project page, uncached HTML: ms, in the repo of ${fmt.int(packages)} projects ÷ in a data dir of its own`,
          fmt.ms(median(series[last]!.html)),
          `own data dir ${fmt.ms(median(series[0]!.html))}`,
          median(series[last]!.html) / median(series[0]!.html),
        ),
        versus(
          `small project page, cached HTML (1 client): req/s, in the repo of ${fmt.int(packages)} projects ÷ in a data dir of its own`,
          fmt.rps(cached[last]!.html.rps),
          `own data dir ${fmt.rps(cached[0]!.html.rps)}`,
          cached[last]!.html.rps / cached[0]!.html.rps,
        ),
      ],
      rows: [
        msRow('upload one sdist', (s) => s.upload),
        msRow('project page HTML, uncached', (s) => s.html),
        msRow('project page JSON, uncached', (s) => s.json),
        rpsRow('project page HTML, cached', (c) => c.html),
        rpsRow('project page JSON, cached', (c) => c.json),
        rpsRow('file download (~0.3 KiB sdist)', (c) => c.file),
        [
          'simple/ list, uncached (lists the repo)',
          ...series.map((s) => `${fmt.ms(median(s.list))} (${fmt.kib(s.listBytes)})`),
          fmt.ratio(median(series[last]!.list) / median(series[0]!.list)),
        ],
      ],
      notes: [
        `The project (${smallFiles} files) sits in four places: a data dir of its own; and, in one data dir holding ` +
          `${fmt.int(packages)} projects in one repository, another domain, an empty repository of the same domain, and that repository.`,
        `Medians of ${runs} rounds that cycle through the four places, each uploading one sdist to the project and then ` +
          'requesting its pages (rendered anew after the upload) and the repository\'s simple/ list.',
        `Cached rows: 1 client for ${seconds} s (${tool('wrk') ? 'wrk' : 'Node keep-alive client'}).`,
        'Cost ratio: last column ÷ first (time, or inverse req/s); 1.00 means the other projects cost nothing. ' +
          'Only the simple/ list should grow (it lists the repository).',
        verdict,
      ],
    };
  } finally {
    agent.destroy();
    for (const s of servers) await s.stop();
    removeTempDir(bigDir);
    removeTempDir(freshDir);
  }
}

/** A cached load with the server's CPU time (all threads) per request. */
interface CachedCpu extends Cached {
  cpuMs: number;
}

/**
 * Cached loads of several URLs of one server, 1 client each, in 1 s slices that rotate through them (`seconds`
 * slices each, after a 1 s warm-up each), so that other work on the machine falls on all of them alike.
 */
async function interleavedCached(server: Server, targets: { url: string; accept?: string }[], seconds: number): Promise<CachedCpu[]> {
  for (const t of targets) await cachedLoad(t.url, 1, 1, t.accept, false);
  const acc = targets.map(() => ({ requests: 0, rps: 0, p50: [] as number[], p99: [] as number[], cpu: 0 }));
  for (let k = 0; k < seconds; k++) {
    for (let j = 0; j < targets.length; j++) {
      const i = (j + k) % targets.length;
      const cpu0 = cpuMs(server.pid) ?? NaN;
      const r = await cachedLoad(targets[i]!.url, 1, 1, targets[i]!.accept, false);
      const a = acc[i]!;
      a.cpu += (cpuMs(server.pid) ?? NaN) - cpu0;
      a.requests += r.requests;
      a.rps += r.rps / seconds;
      a.p50.push(r.p50);
      a.p99.push(r.p99);
    }
  }
  return acc.map((a) => ({ rps: a.rps, p50: median(a.p50), p99: median(a.p99), requests: a.requests, cpuMs: a.cpu / a.requests }));
}

const CHAIN_PROJECT = 'chainproject';
const SPREAD_PROJECT = 'spreadproject';
const [BASE, SHARED, TEAM] = ['base', 'shared', 'team'] as const;

/**
 * Part (c): repositories base ← shared ← team (team's upstream is shared, shared's is base). One project
 * stored in base only, its pages requested from base and from team; and one whose versions are spread over
 * the three, requested from team. Each round changes both projects, then requests every page once.
 *
 * A package published straight to shared or team would block its upstreams there (AWS's default origin
 * configuration), so the spread project is published to base, and shared and team hold the versions their
 * clients fetched through them (AWS copies a version fetched from upstream into the repository asked).
 */
async function upstreamChain(): Promise<Section> {
  const runs = setting('CHAIN_RUNS', 20, 5);
  const seconds = Math.max(1, Math.round(setting('SECONDS', 5, 2)));
  const chainRepos = [BASE, SHARED, TEAM];

  const dataDir = makeTempDir('chain');
  const server = await startServer(dataDir);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await createRepo(server, BASE);
    await createRepo(server, SHARED, DOMAIN, [BASE]);
    await createRepo(server, TEAM, DOMAIN, [SHARED]);
    // Both start with 3 files and gain one a round: 24 after 20 rounds and the warm-up, as in part (b).
    await loadSmallProject(server, BASE, CHAIN_PROJECT, 3);
    /** A version of the spread project: published to base, then fetched through `holder` (copied there) unless that is base. */
    const addSpread = async (version: string, holder: string) => {
      const dist = sdistTarGz(SPREAD_PROJECT, version);
      await uploadDist(server, BASE, SPREAD_PROJECT, version, dist);
      const url = `${server.pypiBase(DOMAIN, holder)}/simple/${SPREAD_PROJECT}/${version}/${dist.filename}`;
      if (holder !== BASE) expectStatus(await request(url, { agent, sink: 'count' }), 200, `GET ${url}`);
      return dist.filename;
    };
    const spreadFirst: string[] = [];
    for (const [i, holder] of chainRepos.entries()) spreadFirst.push(await addSpread(`1.${i}.0`, holder));

    interface Place {
      label: string;
      repo: string;
      project: string;
    }
    const places: Place[] = [
      { label: `${CHAIN_PROJECT} from base`, repo: BASE, project: CHAIN_PROJECT },
      { label: `${CHAIN_PROJECT} from team → shared → base`, repo: TEAM, project: CHAIN_PROJECT },
      { label: `${SPREAD_PROJECT} (in all three) from team`, repo: TEAM, project: SPREAD_PROJECT },
    ];
    const base = (p: Place) => server.pypiBase(DOMAIN, p.repo);
    const pageOf = (p: Place) => `${base(p)}/simple/${p.project}/`;
    // The file request of every column: the project's 1.0.0 sdist, stored in base.
    const fileOf = (p: Place) => `${base(p)}/simple/${p.project}/1.0.0/${sdistTarGz(p.project, '1.0.0').filename}`;

    // Team's pages must show what base and shared hold; a build that does not resolve upstreams has nothing to
    // measure here.
    const seen = await Promise.all(
      [
        { page: pageOf(places[1]!), want: [sdistTarGz(CHAIN_PROJECT, '1.0.0').filename] },
        { page: pageOf(places[2]!), want: spreadFirst },
      ].map(async ({ page, want }) => {
        const res = await request(page);
        return { page, status: res.status, missing: want.filter((w) => !res.body.toString('utf8').includes(w)) };
      }),
    );
    const wrong = seen.filter((x) => x.status !== 200 || x.missing.length > 0);
    if (wrong.length > 0) {
      return {
        title: 'Simple index: a project page through a 3-deep upstream chain',
        columns: ['page', 'result'],
        rows: wrong.map((x) => [x.page, `HTTP ${x.status}; missing: ${x.missing.join(', ') || '-'}`]),
        notes: ['team\'s pages do not show what its upstreams hold: this build does not resolve upstream repositories; nothing measured.'],
      };
    }

    // Wall time and the server's CPU time of each request.
    type Series = { html: number[]; json: number[]; htmlCpu: number[]; jsonCpu: number[] };
    const series: Series[] = places.map(() => ({ html: [], json: [], htmlCpu: [], jsonCpu: [] }));
    const timedCpu = async (url: string, accept?: string) => {
      const cpu0 = cpuMs(server.pid) ?? NaN;
      const t = await timedGet(agent, url, accept);
      return { ms: t.ms, cpuMs: (cpuMs(server.pid) ?? NaN) - cpu0 };
    };
    log('index', `${runs} rounds of change + uncached requests on a 3-deep chain`);
    // Round 0 is a warm-up, not recorded. The order of the places rotates, so none always comes first.
    for (let k = 0; k <= runs; k++) {
      const v = `2.0.${k}`;
      await uploadDist(server, BASE, CHAIN_PROJECT, v, sdistTarGz(CHAIN_PROJECT, v));
      await addSpread(v, chainRepos[k % 3]!);
      for (let j = 0; j < places.length; j++) {
        const i = (j + k) % places.length;
        const html = await timedCpu(pageOf(places[i]!));
        const json = await timedCpu(pageOf(places[i]!), JSON_ACCEPT);
        if (k === 0) continue;
        series[i]!.html.push(html.ms);
        series[i]!.json.push(json.ms);
        series[i]!.htmlCpu.push(html.cpuMs);
        series[i]!.jsonCpu.push(json.cpuMs);
      }
    }

    const sizes: number[] = [];
    for (const p of places) sizes.push((await timedGet(agent, pageOf(p))).bytes);
    log('index', `cached page requests, ${places.length} places × HTML and JSON in rotating 1 s slices`);
    const pageLoads = await interleavedCached(
      server,
      places.flatMap((p) => [{ url: pageOf(p) }, { url: pageOf(p), accept: JSON_ACCEPT }]),
      seconds,
    );
    const cached = places.map((_, i) => ({ html: pageLoads[2 * i]!, json: pageLoads[2 * i + 1]! }));
    // Last: a file fetched through team is copied into team, which changes what team holds.
    log('index', 'cached file requests');
    const fileLoads = await interleavedCached(server, places.map((p) => ({ url: fileOf(p) })), seconds);

    const msRow = (label: string, pick: (s: Series) => number[], pickCpu: (s: Series) => number[]) => {
      const m = series.map((s) => median(pick(s)));
      const cpu = series.map((s) => median(pickCpu(s)));
      return [label, ...m.map((x, i) => `${fmt.ms(x)} · CPU ${fmt.ms(cpu[i]!)}`), `${fmt.ratio(m[1]! / m[0]!)} · CPU ${fmt.ratio(cpu[1]! / cpu[0]!)}`];
    };
    const rpsRow = (label: string, c: CachedCpu[]) => [
      label,
      ...c.map((x) => `${fmt.rps(x.rps)}, p50 ${fmt.ms(x.p50)} · CPU ${fmt.ms(x.cpuMs)}`),
      `${fmt.ratio(c[0]!.rps / c[1]!.rps)} · CPU ${fmt.ratio(c[1]!.cpuMs / c[0]!.cpuMs)}`,
    ];
    const files = 3 + runs + 1;
    return {
      title: `Simple index: a ${files}-file project's page through a 3-deep upstream chain (team → shared → base)`,
      columns: ['request', ...places.map((p) => p.label), 'cost ratio team ÷ base (time · CPU)'],
      summary: [
        versus(
          `${files}-file project page, HTML, uncached: ms, from team (3-deep chain) ÷ from base`,
          fmt.ms(median(series[1]!.html)),
          `base ${fmt.ms(median(series[0]!.html))}`,
          median(series[1]!.html) / median(series[0]!.html),
        ),
        versus(
          `${files}-file project page, HTML, versions spread over the chain, uncached: ms, from team ÷ the base-only project from base`,
          fmt.ms(median(series[2]!.html)),
          `base ${fmt.ms(median(series[0]!.html))}`,
          median(series[2]!.html) / median(series[0]!.html),
        ),
        versus(
          `${files}-file project page, HTML, cached (1 client): req/s, from team (3-deep chain) ÷ from base`,
          `${fmt.rps(cached[1]!.html.rps)} (CPU/request ${fmt.ratio(cached[1]!.html.cpuMs / cached[0]!.html.cpuMs)} base's)`,
          `base ${fmt.rps(cached[0]!.html.rps)}`,
          cached[1]!.html.rps / cached[0]!.html.rps,
        ),
      ],
      rows: [
        msRow('project page HTML, uncached', (x) => x.html, (x) => x.htmlCpu),
        msRow('project page JSON, uncached', (x) => x.json, (x) => x.jsonCpu),
        rpsRow('project page HTML, cached', cached.map((c) => c.html)),
        rpsRow('project page JSON, cached', cached.map((c) => c.json)),
        rpsRow('file download (~0.3 KiB sdist in base)', fileLoads),
        ['HTML size', ...sizes.map(fmt.kib), ''],
      ],
      notes: [
        `team's upstream is shared, shared's is base. ${CHAIN_PROJECT} is stored in base only. ${SPREAD_PROJECT} is ` +
          'published to base, and of every three versions one stays there, one is fetched once through shared and one ' +
          'through team, which copies it there (a package published straight to shared or team would block its upstreams ' +
          `there); team's page merges team's, shared's and base's records. Both projects have ${files} files at the end.`,
        `Uncached: medians of ${runs} rounds, each uploading one sdist of each project and then requesting every page ` +
          'once (HTML, then JSON), in rotating order; every page is rendered anew after the upload.',
        `Cached rows: 1 client, ${seconds} slices of 1 s each (${tool('wrk') ? 'wrk' : 'Node keep-alive client'}), rotating ` +
          'through the columns (and HTML/JSON) after a 1 s warm-up each, after the last upload.',
        'CPU: the server\'s CPU time (all threads) per request: the median over the uncached requests, the total over ' +
          'the cached ones ÷ their count; other work on the machine moves it less than the times and rates.',
        'File download: the 1.0.0 sdist, stored in base; the first fetch through team copies it into team, so the ' +
          'timed requests find it in team, after resolving the chain.',
        'Cost ratio: team ÷ base for the same project (time or inverse req/s, and CPU per request): what two more ' +
          'repositories on the way cost.',
      ],
    };
  } finally {
    agent.destroy();
    await server.stop();
    removeTempDir(dataDir);
  }
}

export async function run(): Promise<Section[]> {
  requireBuild();
  const sections = [await bigProject()];
  sections.push(await isolation());
  sections.push(await upstreamChain());
  return sections;
}

if (isMain(import.meta.url)) runStandalone('index', run, releaseFixtures);
