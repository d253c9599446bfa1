// Soak: SOAK_SECONDS (60) of mixed load at a steady SOAK_RATE (100) requests per second against the built server:
// PyPI uploads (generated wheels), generic PublishPackageVersion, index pages (project list and project pages,
// JSON and HTML), downloads (PyPI file URLs and GetPackageVersionAsset, hashes checked), control-plane calls
// (ListPackages, ListPackageVersions, DescribeRepository, ListDomains, GetAuthorizationToken) and deletes.
// Every request must get the status its operation answers on success (200), downloads must hash to what was
// uploaded; anything else is an error. The server's RSS is sampled every second and reported per 10 s window:
// flat means no growth from the first window to the last.
//
//   npm run build && node --import tsx bench/soak.ts          (Linux: reads /proc for the RSS; not in npm test)
//   SOAK_SECONDS=600 SOAK_RATE=200 node --import tsx bench/soak.ts
//
// Once SOAK_FILES (400) files are stored, writes that would add one delete one instead: the data stays the same
// size, so a growing RSS would be a leak, not a bigger data set.
// Requests are started on a fixed schedule (open loop) with at most SOAK_CONCURRENCY (32) in flight; a tick
// that finds that many still running is counted as late rather than queued, so a slow server shows up as late
// ticks and latency, not as a quietly lower rate.
import { createHash } from 'node:crypto';
import { createRepo, DOMAIN, genericQuery, uploadDist, wheel } from './fixtures.js';
import {
  fmt,
  isMain,
  log,
  makeTempDir,
  now,
  percentile,
  removeTempDir,
  request,
  requireBuild,
  rssKiB,
  runStandalone,
  type Section,
  sleep,
  startServer,
  versus,
} from './lib.js';

const int = (name: string, dflt: number) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

const REPO = 'soak';
const PROJECTS = 20;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Stored {
  kind: 'pypi' | 'generic';
  pkg: string;
  version: string;
  asset: string;
  sha256: string;
  deleting?: boolean;
}

export async function run(): Promise<Section> {
  requireBuild();
  if (process.platform !== 'linux') throw new Error('the soak reads /proc/PID/status for the RSS: Linux only');
  const seconds = int('SOAK_SECONDS', 60);
  const rate = int('SOAK_RATE', 100);
  const maxInFlight = int('SOAK_CONCURRENCY', 32);
  const maxFiles = int('SOAK_FILES', 400);
  const dataDir = makeTempDir('soak');
  const server = await startServer(dataDir);
  const base = server.pypiBase(DOMAIN, REPO);
  try {
    await createRepo(server, REPO);
    const stored: Stored[] = [];
    let serial = 0;
    // A starting set: every project has a file, some generic assets exist.
    for (let p = 0; p < PROJECTS; p++) {
      const name = `soak-project-${p}`;
      const dist = wheel(name, `0.${serial++}`);
      await uploadDist(server, REPO, name, `0.${serial - 1}`, dist);
      stored.push({ kind: 'pypi', pkg: name, version: `0.${serial - 1}`, asset: dist.filename, sha256: sha256(dist.data) });
    }

    const pick = <T>(xs: T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];
    const live = () => stored.filter((s) => !s.deleting);

    type Op = { name: string; weight: number; run: () => Promise<string | undefined> };
    const ok = (status: number, what: string, body?: Buffer) =>
      status === 200 ? undefined : `${what}: HTTP ${status} ${body?.toString('utf8').slice(0, 120) ?? ''}`;

    const ops: Op[] = [
      {
        name: 'PyPI upload',
        weight: 12,
        run: async () => {
          const name = `soak-project-${Math.floor(Math.random() * PROJECTS)}`;
          const version = `1.${serial++}`;
          const dist = wheel(name, version);
          try {
            await uploadDist(server, REPO, name, version, dist);
          } catch (err) {
            return (err as Error).message;
          }
          stored.push({ kind: 'pypi', pkg: name, version, asset: dist.filename, sha256: sha256(dist.data) });
          return undefined;
        },
      },
      {
        name: 'PublishPackageVersion',
        weight: 5,
        run: async () => {
          const pkg = `asset-${Math.floor(Math.random() * 10)}`;
          const version = `1.${serial++}.0`;
          const data = Buffer.alloc(16 * 1024 + Math.floor(Math.random() * 64 * 1024), `${pkg} ${version} `);
          const q = genericQuery(REPO, { namespace: 'soak', packageName: pkg, version, asset: 'data.bin' });
          const r = await request(`${server.url}/v1/package/version/publish?${q}`, {
            method: 'POST',
            headers: { 'x-amz-content-sha256': sha256(data), 'content-type': 'application/octet-stream' },
            body: data,
          });
          if (r.status === 200) stored.push({ kind: 'generic', pkg, version, asset: 'data.bin', sha256: sha256(data) });
          return ok(r.status, 'PublishPackageVersion', r.body);
        },
      },
      {
        name: 'project list (HTML)',
        weight: 5,
        run: async () => {
          const r = await request(`${base}/simple/`, { sink: 'count' });
          return ok(r.status, 'project list');
        },
      },
      {
        name: 'project page (JSON/HTML)',
        weight: 25,
        run: async () => {
          const json = Math.random() < 0.5;
          const r = await request(`${base}/simple/soak-project-${Math.floor(Math.random() * PROJECTS)}/`, {
            headers: { accept: json ? 'application/vnd.pypi.simple.v1+json' : 'text/html' },
            sink: 'count',
          });
          return ok(r.status, `project page ${json ? 'JSON' : 'HTML'}`);
        },
      },
      {
        name: 'download (file URL / GetPackageVersionAsset)',
        weight: 25,
        run: async () => {
          const s = pick(live());
          if (!s) return undefined;
          const url =
            s.kind === 'pypi'
              ? `${base}/simple/${s.pkg}/${encodeURIComponent(s.version)}/${encodeURIComponent(s.asset)}`
              : `${server.url}/v1/package/version/asset?${genericQuery(REPO, { namespace: 'soak', packageName: s.pkg, version: s.version, asset: s.asset })}`;
          const r = await request(url, { sink: 'sha256' });
          // Deleted meanwhile by a concurrent delete: not an error of the server.
          if (r.status === 404 && s.deleting) return undefined;
          if (r.status === 200 && r.sha256 !== s.sha256) return `download ${s.asset}: sha256 ${r.sha256}, expected ${s.sha256}`;
          return ok(r.status, `download ${s.asset}`);
        },
      },
      {
        name: 'control plane (list/describe/token)',
        weight: 23,
        run: async () => {
          const q = `domain=${DOMAIN}&repository=${REPO}`;
          const calls: [string, string][] = [
            ['POST', `/v1/packages?${q}`],
            ['POST', `/v1/package/versions?${q}&format=pypi&package=soak-project-${Math.floor(Math.random() * PROJECTS)}`],
            ['GET', `/v1/repository?${q}`],
            ['POST', '/v1/domains'],
            ['POST', `/v1/authorization-token?domain=${DOMAIN}`],
          ];
          const [method, path] = pick(calls)!;
          const r = await request(`${server.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
          return ok(r.status, `${method} ${path.split('?')[0]}`, r.body);
        },
      },
      {
        name: 'DeletePackageVersions',
        weight: 5,
        run: async () => {
          // Keep every project listed: never delete a project's last file.
          const candidates = live().filter((s) => s.kind === 'generic' || stored.filter((o) => o.pkg === s.pkg && !o.deleting).length > 1);
          const s = pick(candidates);
          if (!s) return undefined;
          s.deleting = true;
          const q = new URLSearchParams({ domain: DOMAIN, repository: REPO, format: s.kind, package: s.pkg, ...(s.kind === 'generic' ? { namespace: 'soak' } : {}) });
          const r = await request(`${server.url}/v1/package/versions/delete?${q}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ versions: [s.version] }),
          });
          if (r.status === 200) stored.splice(stored.indexOf(s), 1);
          return ok(r.status, 'DeletePackageVersions', r.body);
        },
      },
    ];
    const totalWeight = ops.reduce((a, o) => a + o.weight, 0);
    // Steady state: once SOAK_FILES are stored, a write that would add one deletes one instead, so the data (and
    // with it the pages and caches) stops growing and the RSS can be judged flat or not.
    const deleteOp = ops.find((o) => o.name === 'DeletePackageVersions')!;
    const choose = () => {
      let x = Math.random() * totalWeight;
      let op = ops[ops.length - 1]!;
      for (const o of ops)
        if ((x -= o.weight) < 0) {
          op = o;
          break;
        }
      if ((op.name === 'PyPI upload' || op.name === 'PublishPackageVersion') && stored.length >= maxFiles) return deleteOp;
      return op;
    };

    const latencies = new Map<string, number[]>(ops.map((o) => [o.name, []]));
    const errors: string[] = [];
    let fivexx = 0;
    let late = 0;
    let inFlight = 0;
    const rss: { t: number; kib: number }[] = [];
    const t0 = now();
    const sampler = setInterval(() => {
      const kib = rssKiB(server.pid);
      if (kib !== undefined) rss.push({ t: (now() - t0) / 1000, kib });
    }, 1000);
    log('soak', `${seconds} s at ${rate} req/s, at most ${maxInFlight} in flight`);
    const pending = new Set<Promise<void>>();
    const total = Math.round(seconds * rate);
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      if (inFlight >= maxInFlight) {
        late++;
        continue;
      }
      const op = choose();
      inFlight++;
      const start = now();
      const p = op
        .run()
        .then((err) => {
          if (err) {
            errors.push(err);
            if (/HTTP 5\d\d/.test(err)) fivexx++;
          }
        })
        .catch((err: Error) => {
          errors.push(`${op.name}: ${err.message}`);
        })
        .finally(() => {
          latencies.get(op.name)!.push(now() - start);
          inFlight--;
          pending.delete(p);
        });
      pending.add(p);
      if (i % (rate * 10) === 0 && i > 0) log('soak', `${Math.round((now() - t0) / 1000)} s: ${errors.length} errors so far`);
    }
    await Promise.all(pending);
    clearInterval(sampler);
    const elapsed = (now() - t0) / 1000;

    const rows = ops.map((o) => {
      const l = latencies.get(o.name)!;
      return [o.name, fmt.n(l.length), fmt.ms(percentile(l, 50)), fmt.ms(percentile(l, 99)), fmt.ms(Math.max(...l))];
    });
    const all = [...latencies.values()].flat();
    rows.push(['all', fmt.n(all.length), fmt.ms(percentile(all, 50)), fmt.ms(percentile(all, 99)), fmt.ms(Math.max(...all))]);

    const windows: string[] = [];
    for (let w = 0; w * 10 < seconds; w++) {
      const inWindow = rss.filter((s) => s.t > w * 10 && s.t <= (w + 1) * 10).map((s) => s.kib);
      if (inWindow.length) windows.push(`${w * 10}-${(w + 1) * 10} s: ${fmt.mib(percentile(inWindow, 50) * 1024)} (max ${fmt.mib(Math.max(...inWindow) * 1024)})`);
    }
    const first = rss.filter((s) => s.t <= 10).map((s) => s.kib);
    const last = rss.filter((s) => s.t > elapsed - 10).map((s) => s.kib);
    const growth = (percentile(last, 50) - percentile(first, 50)) * 1024;
    for (const e of errors.slice(0, 20)) log('soak', `error: ${e}`);
    return {
      title: `Soak: ${seconds} s of mixed load at ${rate} req/s`,
      columns: ['operation', 'requests', 'p50', 'p99', 'max'],
      rows,
      summary: [
        {
          figure: `${seconds} s soak at ${rate} req/s: requests, errors (5xx), late ticks`,
          ours: `${fmt.n(all.length)}, ${errors.length} (${fivexx}), ${late}`,
          reference: '',
        },
        versus(
          'soak: server RSS median, last 10 s ÷ first 10 s',
          fmt.mib(percentile(last, 50) * 1024),
          `first 10 s ${fmt.mib(percentile(first, 50) * 1024)}`,
          percentile(last, 50) / percentile(first, 50),
        ),
      ],
      notes: [
        `${fmt.n(all.length)} requests in ${elapsed.toFixed(1)} s (${(all.length / elapsed).toFixed(0)}/s); errors: ${errors.length} ` +
          `(5xx: ${fivexx}); ticks skipped because ${maxInFlight} requests were still in flight: ${late}.`,
        `Files stored at the end: ${stored.length} (at most ${maxFiles}: then writes that would add a file delete one).`,
        `Server RSS per 10 s window (median of 1 s samples): ${windows.join('; ')}. ` +
          `Median of the last 10 s minus the first: ${growth >= 0 ? '+' : ''}${fmt.mib(growth)}.`,
      ],
    };
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

if (isMain(import.meta.url)) runStandalone('soak', run);
