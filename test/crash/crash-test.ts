// Crash test (issue 8): the real server (dist/server/main.js) under concurrent PyPI uploads (generated wheels),
// generic PublishPackageVersion calls (contents shared between versions, up to 6 MiB, so kills land in the middle
// of bodies, commits and reclaims) and deletes, killed with SIGKILL a seeded 200-1500 ms after the cycle's first
// acknowledgement, then checked:
//   with the server down:  PRAGMA integrity_check is ok; every asset row's blob exists with its size; every
//                          upload acknowledged (200) before the kill has its row; every acknowledged delete
//                          left no row;
//   fsck --repair --grace 0 exits 0 (nothing missing), and after it no blob lacks a row, tmp/ is empty and no
//                          claim is left;
//   after the restart:     every acknowledged upload (those of this cycle and a sample of earlier ones) is served
//                          with its SHA-256, and every one in flight at the kill that made it is served intact.
// Then the next cycle loads the restarted server on the same data dir.
//
//   npm run build && node --import tsx test/crash/crash-test.ts [--cycles 200] [--seed 1] [--workers 6] [--keep]
//
// One line per cycle; exit 1 on any failure. test/crash/crash.test.ts runs 20 cycles in `npm test`.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { genericQuery, wheel } from '../../bench/fixtures.js';
import { isMain, request } from '../../bench/lib.js';
import { listFiles } from '../support/files.js';
import { MAIN } from '../support/server.js';
import {
  assetRows,
  blobPath,
  integrityCheck,
  seededRandom,
  sha256Hex,
  UPLOAD_CONTENT_TYPE,
  uploadBody,
  uploadFormFields,
  withDatabase,
} from '../durability/support.js';

const DOMAIN = 'crash';
const REPO = 'repo';
const PYPI_PROJECTS = 8;
const GENERIC_PACKAGES = 8;
const MiB = 1024 * 1024;

export interface CrashTestOptions {
  cycles: number;
  seed: number;
  workers: number;
  /** Keep the data dir (printed) instead of removing it. */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface CycleFigures {
  cycle: number;
  killAfterMs: number;
  acked: { uploads: number; publishes: number; deletes: number };
  inFlightAtKill: number;
  rows: number;
  blobs: number;
  fsck: { orphans: number; staging: number; claims: number; restored: number };
  restartMs: number;
  served: number;
}

export interface CrashTestResult {
  cycles: CycleFigures[];
  failures: string[];
  dataDir: string;
  seconds: number;
}

interface Item {
  kind: 'pypi' | 'generic';
  pkg: string;
  version: string;
  asset: string;
  sha256: string;
  size: number;
  /** present: acknowledged; gone: delete acknowledged; unknown: in flight at a kill (either way is fine). */
  state: 'inflight' | 'present' | 'deleting' | 'gone' | 'unknown';
  cycle: number;
}

interface Server {
  child: ChildProcess;
  url: string;
  output: string[];
}

function startServer(dataDir: string): Promise<Server> {
  const output: string[] = [];
  const child = spawn(process.execPath, [MAIN, '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--auth', 'off'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output.join('')}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      output.push(c.toString());
      const m = /listening on (http:\/\/\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!.replace(/\/$/, ''), output });
      }
    });
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it was ready:\n${output.join('')}`));
    });
  });
}

/** Servers still running when this process exits are killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const c of running) c.kill('SIGKILL');
    process.exit(130);
  });

function kill9(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

/** An answer other than the one expected (as opposed to a request cut by the kill). */
class Unexpected extends Error {}

const run = promisify(execFile);
async function fsckRepair(dataDir: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, [MAIN, 'fsck', '--data-dir', dataDir, '--repair', '--grace', '0']);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout?: string; stderr?: string };
    return { code: e.code, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const number = (out: string, re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);

/** Bytes from a seeded generator (crypto's randomBytes cannot be seeded). */
function seededBytes(random: () => number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE((random() * 2 ** 32) >>> 0, i);
  for (let i = size - (size % 4); i < size; i++) b[i] = (random() * 256) | 0;
  return b;
}

export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const random = seededRandom(options.seed);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ca-crash-'));
  const failures: string[] = [];
  const cycles: CycleFigures[] = [];
  const items: Item[] = [];
  const t0 = performance.now();
  const fail = (cycle: number, what: string) => failures.push(`cycle ${cycle + 1}: ${what}`);

  // A pool of generic contents shared by many versions: deleting one version while publishing another with the
  // same bytes is the blob-sharing case. Sizes from 1 KiB to 6 MiB.
  const pool = Array.from({ length: 12 }, (_, i) => {
    const size = i < 4 ? 1024 + i : i < 9 ? 256 * 1024 + i : (2 + (i % 3) * 2) * MiB;
    const data = seededBytes(random, size);
    return { data, sha256: sha256Hex(data) };
  });

  let server = await startServer(dataDir);
  try {
    for (const p of [`/v1/domain?domain=${DOMAIN}`, `/v1/repository?domain=${DOMAIN}&repository=${REPO}`]) {
      const r = await request(`${server.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (r.status !== 200) throw new Error(`${p}: ${r.status} ${r.body.toString()}`);
    }
    let serial = 0;

    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const url = server.url;
      const acked = { uploads: 0, publishes: 0, deletes: 0 };
      let inFlight = 0;
      let loading = true;

      const upload = async (): Promise<void> => {
        const project = `crash-pkg-${Math.floor(random() * PYPI_PROJECTS)}`;
        const version = `${cycle}.${serial++}`;
        const dist = wheel(project, version);
        const item: Item = {
          kind: 'pypi',
          pkg: project,
          version,
          asset: dist.filename,
          sha256: sha256Hex(dist.data),
          size: dist.data.length,
          state: 'inflight',
          cycle,
        };
        items.push(item);
        const r = await request(`${url}/pypi/d/${DOMAIN}-000000000000/${REPO}/`, {
          method: 'POST',
          headers: { 'content-type': UPLOAD_CONTENT_TYPE },
          body: uploadBody(uploadFormFields(project, version, dist.filename, dist.data), dist),
          timeoutMs: 30_000,
        });
        if (r.status !== 200) throw new Unexpected(`upload ${dist.filename}: ${r.status} ${r.body.toString().slice(0, 200)}`);
        item.state = 'present';
        acked.uploads++;
      };

      const publish = async (): Promise<void> => {
        const pkg = `blob-${Math.floor(random() * GENERIC_PACKAGES)}`;
        const version = `${cycle}.${serial++}.0`;
        // Mostly shared contents; now and then bytes of their own.
        const content = random() < 0.8 ? pool[Math.floor(random() * pool.length)]! : (() => {
          const data = seededBytes(random, 1024 + Math.floor(random() * 512 * 1024));
          return { data, sha256: sha256Hex(data) };
        })();
        const item: Item = {
          kind: 'generic',
          pkg,
          version,
          asset: 'payload.bin',
          sha256: content.sha256,
          size: content.data.length,
          state: 'inflight',
          cycle,
        };
        items.push(item);
        const q = genericQuery(REPO, { namespace: 'crash', packageName: pkg, version, asset: 'payload.bin' }, DOMAIN);
        const r = await request(`${url}/v1/package/version/publish?${q}`, {
          method: 'POST',
          headers: { 'x-amz-content-sha256': content.sha256, 'content-type': 'application/octet-stream' },
          body: content.data,
          timeoutMs: 30_000,
        });
        if (r.status !== 200) throw new Unexpected(`publish ${pkg} ${version}: ${r.status} ${r.body.toString().slice(0, 200)}`);
        item.state = 'present';
        acked.publishes++;
      };

      const remove = async (): Promise<void> => {
        const candidates = items.filter((i) => i.state === 'present');
        if (candidates.length === 0) return publish();
        const item = candidates[Math.floor(random() * candidates.length)]!;
        item.state = 'deleting';
        const q = new URLSearchParams({
          domain: DOMAIN,
          repository: REPO,
          format: item.kind,
          package: item.pkg,
          ...(item.kind === 'generic' ? { namespace: 'crash' } : {}),
        });
        const r = await request(`${url}/v1/package/versions/delete?${q}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ versions: [item.version] }),
          timeoutMs: 30_000,
        });
        const ok = r.status === 200 && item.version in (JSON.parse(r.body.toString()).successfulVersions ?? {});
        if (!ok) throw new Unexpected(`delete ${item.pkg} ${item.version}: ${r.status} ${r.body.toString().slice(0, 200)}`);
        item.state = 'gone';
        acked.deletes++;
      };

      const worker = async () => {
        while (loading) {
          const dice = random();
          const op = dice < 0.4 ? upload : dice < 0.75 ? publish : remove;
          inFlight++;
          try {
            await op();
          } catch (err) {
            // A request cut by the kill is expected; any answer other than the expected one is a failure.
            if (err instanceof Unexpected) fail(cycle, `during the load: ${err.message}`);
            else if (loading && !/ECONNRESET|ECONNREFUSED|socket hang up|EPIPE/.test((err as Error).message))
              fail(cycle, `during the load: ${(err as Error).message}`);
          } finally {
            inFlight--;
          }
        }
      };

      // The kill comes a seeded 200-1500 ms after the cycle's first acknowledgement, so that every cycle has
      // acknowledged work to check however slow the machine is.
      const killAfterMs = Math.round(200 + random() * 1300);
      const workers = Array.from({ length: options.workers }, worker);
      const loadStart = performance.now();
      while (acked.uploads + acked.publishes + acked.deletes === 0 && performance.now() - loadStart < 30_000)
        await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, killAfterMs));
      const inFlightAtKill = inFlight;
      await kill9(server);
      loading = false;
      await Promise.all(workers);
      for (const item of items) if (item.state === 'inflight' || item.state === 'deleting') item.state = 'unknown';

      // --- With the server down: the database and the blobs as the kill left them.
      const integrity = integrityCheck(dataDir);
      if (integrity !== 'ok') fail(cycle, `integrity_check: ${integrity}`);
      const rows = assetRows(dataDir);
      const rowKey = (i: { pkg: string; version: string; asset: string }) => `${i.pkg} ${i.version} ${i.asset}`;
      const byKey = new Map(rows.map((r) => [`${r.package} ${r.version} ${r.name}`, r]));
      for (const r of rows) {
        const file = blobPath(dataDir, r.sha256);
        if (!existsSync(file)) fail(cycle, `row without its blob: ${r.package} ${r.version} ${r.name} (${r.sha256})`);
        else if (statSync(file).size !== r.size) fail(cycle, `blob of ${r.package} ${r.version} has ${statSync(file).size} bytes, row says ${r.size}`);
      }
      for (const item of items) {
        const row = byKey.get(rowKey(item));
        if (item.state === 'present' && row?.sha256 !== item.sha256)
          fail(cycle, `acknowledged upload lost: ${rowKey(item)} (row: ${row?.sha256 ?? 'none'})`);
        if (item.state === 'gone' && row) fail(cycle, `acknowledged delete undone: ${rowKey(item)}`);
        if (item.state === 'unknown') {
          if (row && row.sha256 !== item.sha256) fail(cycle, `in-flight ${rowKey(item)} stored with sha256 ${row.sha256}`);
          item.state = row ? 'present' : 'gone';
        }
      }

      // --- fsck --repair --grace 0: nothing missing, then no blob without a row, nothing in tmp/, no claim.
      const repair = await fsckRepair(dataDir);
      if (repair.code !== 0) fail(cycle, `fsck --repair --grace 0 exited ${repair.code}:\n${repair.out}`);
      const referenced = new Set(assetRows(dataDir).map((r) => r.sha256));
      const blobs = listFiles(path.join(dataDir, 'blobs')).map((f) => path.basename(f.split(' ')[0]!));
      for (const sha of blobs) if (!referenced.has(sha)) fail(cycle, `blob without a row after fsck --repair: ${sha}`);
      const leftInTmp = readdirSync(path.join(dataDir, 'tmp'));
      if (leftInTmp.length) fail(cycle, `tmp/ after fsck --repair: ${leftInTmp.join(', ')}`);
      const claims = withDatabase(dataDir, (db) => (db.prepare('SELECT count(*) AS n FROM blob_claim').get() as { n: number }).n);
      if (claims !== 0) fail(cycle, `${claims} claims left after fsck --repair --grace 0`);

      // --- Restart, then what was acknowledged is served with its hash.
      const tRestart = performance.now();
      server = await startServer(dataDir);
      const restartMs = performance.now() - tRestart;
      const present = items.filter((i) => i.state === 'present');
      const older = present.filter((i) => i.cycle < cycle);
      const sample = [...present.filter((i) => i.cycle === cycle)];
      for (let k = 0; k < 10 && older.length; k++) sample.push(older[Math.floor(random() * older.length)]!);
      const pages = new Map<string, Map<string, { url: string; sha256: string }>>();
      let served = 0;
      for (const item of sample) {
        let got: string;
        if (item.kind === 'generic') {
          const q = genericQuery(REPO, { namespace: 'crash', packageName: item.pkg, version: item.version, asset: item.asset }, DOMAIN);
          const r = await request(`${server.url}/v1/package/version/asset?${q}`, { sink: 'sha256' });
          got = r.status === 200 ? r.sha256! : `HTTP ${r.status}`;
        } else {
          let files = pages.get(item.pkg);
          if (!files) {
            const page = `${server.url}/pypi/d/${DOMAIN}-000000000000/${REPO}/simple/${item.pkg}/`;
            const r = await request(page, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
            files = new Map();
            if (r.status === 200)
              for (const f of JSON.parse(r.body.toString()).files as { filename: string; url: string; hashes: { sha256: string } }[])
                files.set(f.filename, { url: new URL(f.url, page).href, sha256: f.hashes.sha256 });
            pages.set(item.pkg, files);
          }
          const file = files.get(item.asset);
          if (!file) got = 'not on the project page';
          else if (file.sha256 !== item.sha256) got = `page says ${file.sha256}`;
          else {
            const r = await request(file.url, { sink: 'sha256' });
            got = r.status === 200 ? r.sha256! : `HTTP ${r.status}`;
          }
        }
        if (got === item.sha256) served++;
        else fail(cycle, `after the restart ${rowKey(item)}: ${got}, expected ${item.sha256}`);
      }

      const figures: CycleFigures = {
        cycle,
        killAfterMs,
        acked,
        inFlightAtKill,
        rows: rows.length,
        blobs: blobs.length,
        fsck: {
          orphans: number(repair.out, /repaired: (\d+) orphan blobs reclaimed/),
          staging: number(repair.out, /(\d+) staging files removed/),
          claims: number(repair.out, /(\d+) stale claims dropped/),
          restored: number(repair.out, /(\d+) interrupted reclaims restored/),
        },
        restartMs: Math.round(restartMs),
        served,
      };
      cycles.push(figures);
      log(
        `cycle ${String(cycle + 1).padStart(3)}/${options.cycles}: killed ${killAfterMs} ms after the first ack with ${inFlightAtKill} in flight; ` +
          `acked ${acked.uploads} uploads, ${acked.publishes} publishes, ${acked.deletes} deletes; ${rows.length} rows; ` +
          `fsck reclaimed ${figures.fsck.orphans} orphans, ${figures.fsck.staging} staging files, ${figures.fsck.claims} claims, ` +
          `restored ${figures.fsck.restored}; ${blobs.length} blobs after; restart ${figures.restartMs} ms; ` +
          `${served}/${sample.length} served with their hash${failures.length ? `; FAILURES so far: ${failures.length}` : ''}`,
      );
      // Items known gone are of no further use.
      for (let i = items.length - 1; i >= 0; i--) if (items[i]!.state === 'gone') items.splice(i, 1);
    }
  } finally {
    await kill9(server);
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
  }
  return { cycles, failures, dataDir, seconds: (performance.now() - t0) / 1000 };
}

export function summarize(r: CrashTestResult): string {
  const sum = (f: (c: CycleFigures) => number) => r.cycles.reduce((a, c) => a + f(c), 0);
  return (
    `${r.cycles.length} cycles in ${r.seconds.toFixed(0)} s: ${sum((c) => c.acked.uploads)} uploads, ` +
    `${sum((c) => c.acked.publishes)} publishes and ${sum((c) => c.acked.deletes)} deletes acknowledged, ` +
    `${sum((c) => c.inFlightAtKill)} requests cut by the kills; fsck reclaimed ${sum((c) => c.fsck.orphans)} orphan blobs, ` +
    `${sum((c) => c.fsck.staging)} staging files, ${sum((c) => c.fsck.claims)} claims, restored ${sum((c) => c.fsck.restored)}; ` +
    `${sum((c) => c.served)} acknowledged files served with their hash after restarts; ${r.failures.length} failures`
  );
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      cycles: { type: 'string', default: '200' },
      seed: { type: 'string', default: '1' },
      workers: { type: 'string', default: '6' },
      keep: { type: 'boolean', default: false },
    },
  });
  if (!existsSync(MAIN)) {
    console.error(`${MAIN} not found: run npm run build first`);
    process.exit(2);
  }
  const result = await runCrashTest({
    cycles: Number(values.cycles),
    seed: Number(values.seed),
    workers: Number(values.workers),
    keep: values.keep,
  });
  console.log(summarize(result));
  if (values.keep) console.log(`data dir kept: ${result.dataDir}`);
  for (const f of result.failures) console.log(`FAIL ${f}`);
  process.exitCode = result.failures.length ? 1 : 0;
}
