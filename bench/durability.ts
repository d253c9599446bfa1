// Durability at acknowledgement: what `PRAGMA synchronous = FULL` costs against NORMAL (storage/sqlite/connection.ts)
// on the upload path. In WAL mode NORMAL syncs the WAL only at checkpoints: a commit survives the process being
// killed (the crash test), but the last commits before a power cut or kernel crash may be lost although their
// uploads were answered 200. FULL syncs the WAL at every commit. The same build runs both ways (the setting is
// rewritten by a preload, bench/sqlite-synchronous.mjs), alternating NORMAL, FULL, FULL, NORMAL, ... on fresh data dirs:
//   - BENCH_DURABILITY_FILES (1,000) small sdists through the PyPI upload API at concurrency 4: files/s;
//   - BENCH_DURABILITY_ROUNDS (4) rounds of each;
//   - one BENCH_DURABILITY_MIB (64) MiB upload, BENCH_DURABILITY_BIG_RUNS (4) times per setting: MiB/s.
//
//   npm run build && node --import tsx bench/durability.ts
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { createRepo, pypiUpload, sdistStream, sdistTarGz, uploadDist } from './fixtures.js';
import {
  fmt,
  forEachConcurrent,
  isMain,
  log,
  makeTempDir,
  median,
  MiB,
  now,
  removeTempDir,
  requireBuild,
  ROOT,
  runStandalone,
  type Section,
  setting,
  startServer,
  versus,
} from './lib.js';

const REPO = 'durability';
const PRELOAD = path.join(ROOT, 'bench', 'sqlite-synchronous.mjs');
type Mode = 'NORMAL' | 'FULL';

async function withServer<T>(mode: Mode, work: (server: Awaited<ReturnType<typeof startServer>>) => Promise<T>): Promise<T> {
  const dataDir = makeTempDir(`sync-${mode.toLowerCase()}`);
  const server = await startServer(dataDir, { nodeArgs: ['--import', PRELOAD], env: { BENCH_SQLITE_SYNCHRONOUS: mode } });
  try {
    if (!server.startupOutput.includes(`PRAGMA synchronous forced to ${mode}`))
      throw new Error(`the preload did not set synchronous=${mode}:\n${server.startupOutput}`);
    await createRepo(server, REPO);
    await uploadDist(server, REPO, 'warmup', '1.0', sdistTarGz('warmup', '1.0'));
    return await work(server);
  } finally {
    await server.stop();
    removeTempDir(dataDir);
  }
}

async function smallUploads(mode: Mode, files: number, concurrency: number): Promise<number> {
  return withServer(mode, async (server) => {
    const dists = Array.from({ length: files }, (_, i) => ({ name: `small-${i}`, dist: sdistTarGz(`small-${i}`, '1.0.0') }));
    const t0 = now();
    await forEachConcurrent(dists, concurrency, async ({ name, dist }) => {
      await uploadDist(server, REPO, name, '1.0.0', dist);
    });
    return files / ((now() - t0) / 1000);
  });
}

async function bigUpload(mode: Mode, size: number): Promise<number> {
  const block = randomBytes(MiB);
  block.write('BENCH-DURABILITY', 0, 'latin1');
  const chunks = function* () {
    for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
      const chunk = Buffer.from(block.subarray(0, Math.min(MiB, size - offset)));
      chunk.writeUInt32LE(i, 20);
      yield chunk;
    }
  };
  // A real sdist around the chunks (the server reads every sdist to its end), streamed: the same bytes each pass.
  const sdist = sdistStream('bigfile', '1.0', size, chunks);
  const hash = createHash('sha256');
  let length = 0;
  for await (const c of sdist()) {
    hash.update(c);
    length += c.length;
  }
  const sha256 = hash.digest('hex');
  return withServer(mode, async (server) => {
    const t0 = now();
    await pypiUpload(server, REPO, { name: 'bigfile', version: '1.0', filename: 'bigfile-1.0.tar.gz', size: length, sha256, content: sdist });
    return length / MiB / ((now() - t0) / 1000);
  });
}

export async function run(): Promise<Section> {
  requireBuild();
  const files = setting('DURABILITY_FILES', 1000, 200);
  const rounds = setting('DURABILITY_ROUNDS', 4, 2);
  const bigMiB = setting('DURABILITY_MIB', 64, 16);
  const bigRuns = setting('DURABILITY_BIG_RUNS', 4, 2);
  const small: Record<Mode, number[]> = { NORMAL: [], FULL: [] };
  const big: Record<Mode, number[]> = { NORMAL: [], FULL: [] };
  const order = (r: number): Mode[] => (r % 2 ? ['FULL', 'NORMAL'] : ['NORMAL', 'FULL']);
  for (let r = 0; r < rounds; r++)
    for (const m of order(r)) {
      log('durability', `round ${r + 1}: ${files} small uploads, synchronous=${m}`);
      small[m].push(await smallUploads(m, files, 4));
    }
  for (let r = 0; r < bigRuns; r++)
    for (const m of order(r)) {
      log('durability', `run ${r + 1}: ${bigMiB} MiB upload, synchronous=${m}`);
      big[m].push(await bigUpload(m, bigMiB * MiB));
    }
  const cost = (a: number, b: number) => `${(((a - b) / a) * 100).toFixed(1)}%`;
  const sn = median(small.NORMAL);
  const sf = median(small.FULL);
  const bn = median(big.NORMAL);
  const bf = median(big.FULL);
  return {
    title: 'Durability: PRAGMA synchronous NORMAL (today) vs FULL on the upload path',
    columns: ['measurement', 'NORMAL', 'FULL', 'FULL costs'],
    rows: [
      [`${files} small uploads at concurrency 4 (files/s, median of ${small.NORMAL.length})`, fmt.n(sn), fmt.n(sf), cost(sn, sf)],
      [`one ${bigMiB} MiB upload (MiB/s, median of ${bigRuns})`, fmt.n(bn), fmt.n(bf), cost(bn, bf)],
    ],
    summary: [
      versus(`${files} uploads at concurrency 4: files/s, synchronous NORMAL (today) ÷ FULL`, `${fmt.n(sn)} files/s`, `FULL ${fmt.n(sf)} files/s`, sn / sf),
      versus(`${bigMiB} MiB upload: MiB/s, synchronous NORMAL (today) ÷ FULL`, `${fmt.n(bn)} MiB/s`, `FULL ${fmt.n(bf)} MiB/s`, bn / bf),
    ],
    notes: [
      `All runs: small NORMAL ${small.NORMAL.map((x) => x.toFixed(0)).join(', ')}, FULL ${small.FULL.map((x) => x.toFixed(0)).join(', ')} files/s; ` +
        `big NORMAL ${big.NORMAL.map((x) => x.toFixed(0)).join(', ')}, FULL ${big.FULL.map((x) => x.toFixed(0)).join(', ')} MiB/s ` +
        '(settings alternated ABBA, each run on a fresh data dir and server).',
      'Each upload already fsyncs its file and its directory before the row is written; FULL adds a WAL fsync per transaction.',
    ],
  };
}

if (isMain(import.meta.url)) runStandalone('durability', run);
