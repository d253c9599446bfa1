// Before vs after: the cached-page and download figures the README quotes, measured for two builds of the
// server in the same run, interleaved. Each build gets its own data dir (builds may differ in schema) loaded
// with the same data through the real APIs; both servers run side by side, and every round measures each
// figure on one build and then the other (A B, then B A in the next round), so drift on the machine falls
// on both alike. Round 0 warms up and is not recorded.
//
//   node --import tsx bench/compare.ts <before-main.js> [<after-main.js>]
//                                               after: BENCH_MAIN, else this repository's dist/server/main.js
//   BENCH_COMPARE_ROUNDS=7                      recorded rounds
//   BENCH_COMPARE_SECONDS=2                     each wrk measurement of a round
//   BENCH_COMPARE_UNCACHED=3                    change + uncached page request pairs per build and round
//   BENCH_BIG_MIB=64 BENCH_SMALL_KIB=100 BENCH_BIG_FETCHES=16 BENCH_CONCURRENCY=4
//   BENCH_INDEX_VERSIONS=1000                   versions of the big project (3 files each)
//   BENCH_UPLOAD_CONCURRENCY=4
import http from 'node:http';
import path from 'node:path';
import { checkTargets, loadDownloads, nodeLoop, smallFileLoad, type Target } from './download.js';
import { createRepo, DOMAIN, sdistTarGz, uploadDist } from './fixtures.js';
import {
  cpuMs,
  fmt,
  isMain,
  log,
  MAIN,
  makeTempDir,
  median,
  MiB,
  MISSING_HINT,
  percentile,
  removeTempDir,
  requireBuild,
  ROOT,
  runStandalone,
  type Headline,
  type Section,
  type Server,
  setting,
  startServer,
  tool,
} from './lib.js';
import { BIG_PROJECT, cachedLoad, loadBigProject, loadSmallProject, SMALL_PROJECT, timedGet } from './simple-index.js';

const PAGES = 'pages';
const SMALL = 'small';
const SMALL_FILES = 24;

interface Build {
  label: string;
  main: string;
  dataDir: string;
  server: Server;
  /** The download assets' URLs and sizes (an sdist around the requested number of bytes: a little more). */
  big: { pypi: string; generic: string; bytes: number };
  small: { pypi: string; generic: string; bytes: number };
  page: string;
  smallPage: string;
  agent: http.Agent;
  /** Versions uploaded by the uncached measurements so far. */
  changes: number;
}

/** One measurement: its figure, and the server's CPU time (all threads) per request while it ran. */
interface Sample {
  value: number;
  cpuMs: number;
  requests: number;
}

interface Figure {
  name: string;
  unit: 'MiB/s' | 'req/s' | 'ms';
  higherIsBetter: boolean;
  /** One round's samples on one build. */
  measure(b: Build): Promise<Sample[]>;
}

/** Runs `load` against `b`, reading the server's CPU time around it. */
async function sample<T extends { requests: number }>(b: Build, load: () => Promise<T>, value: (r: T) => number): Promise<Sample> {
  const cpu0 = cpuMs(b.server.pid) ?? NaN;
  const r = await load();
  return { value: value(r), cpuMs: (cpuMs(b.server.pid) ?? NaN) - cpu0, requests: r.requests };
}

/** Starts `main` on a fresh data dir and loads the download assets, the big project and the 24-file one. */
async function prepare(label: string, main: string, sizes: { big: number; small: number; versions: number; uploadConcurrency: number }): Promise<Build> {
  const dataDir = makeTempDir(`compare-${label}`);
  const server = await startServer(dataDir, { main });
  log('compare', `${label}: ${main} on ${server.url}`);
  const { files, targetsOf } = await loadDownloads(server, sizes.big, sizes.small);
  for (const targets of targetsOf.values()) targets.shift(); // nginx: not a build's figure
  await checkTargets(files, targetsOf);
  const url = (fileLabel: string, name: Target['name']) => targetsOf.get(fileLabel)!.find((t) => t.name === name)!.url;
  const [bigFile, smallFile] = files as [(typeof files)[0], (typeof files)[0]];
  await loadBigProject(server, PAGES, sizes.versions, sizes.uploadConcurrency);
  await createRepo(server, SMALL);
  await loadSmallProject(server, SMALL, SMALL_PROJECT, SMALL_FILES);
  return {
    label,
    main,
    dataDir,
    server,
    big: { pypi: url(bigFile.label, 'PyPI file URL'), generic: url(bigFile.label, 'GetPackageVersionAsset'), bytes: bigFile.size },
    small: { pypi: url(smallFile.label, 'PyPI file URL'), generic: url(smallFile.label, 'GetPackageVersionAsset'), bytes: smallFile.size },
    page: `${server.pypiBase(DOMAIN, PAGES)}/simple/${BIG_PROJECT}/`,
    smallPage: `${server.pypiBase(DOMAIN, SMALL)}/simple/${SMALL_PROJECT}/`,
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    changes: 0,
  };
}

/** Relative half-width of the interquartile range, for the cells. */
const spread = (xs: number[]) => (percentile(xs, 75) - percentile(xs, 25)) / 2 / median(xs);

export async function run(beforeMain: string, afterMain: string = MAIN): Promise<Section> {
  const rounds = setting('COMPARE_ROUNDS', 7, 2);
  const seconds = Math.max(1, Math.round(setting('COMPARE_SECONDS', 2, 1)));
  const uncachedPerRound = setting('COMPARE_UNCACHED', 3, 2);
  const bigSize = Math.round(setting('BIG_MIB', 64, 16) * MiB);
  const smallSize = Math.round(setting('SMALL_KIB', 100, 100) * 1024);
  const bigFetches = setting('BIG_FETCHES', 16, 4);
  const concurrency = setting('CONCURRENCY', 4, 4);
  const versions = setting('INDEX_VERSIONS', 1000, 100);
  const uploadConcurrency = setting('UPLOAD_CONCURRENCY', 4, 4);
  requireBuild(beforeMain);
  requireBuild(afterMain);

  const builds: Build[] = [];
  try {
    const sizes = { big: bigSize, small: smallSize, versions, uploadConcurrency };
    builds.push(await prepare('before', beforeMain, sizes));
    builds.push(await prepare('after', afterMain, sizes));

    const big = fmt.mib(bigSize);
    const small = fmt.kib(smallSize);
    const pageFiles = `~${fmt.int(versions * 3)}-file`;
    const figures: Figure[] = [
      ...([1, concurrency] as const).flatMap((c) =>
        (['pypi', 'generic'] as const).map(
          (t): Figure => ({
            name: `${big} download, ${c} client${c > 1 ? 's' : ''}: ${t === 'pypi' ? 'PyPI file URL' : 'GetPackageVersionAsset'}`,
            unit: 'MiB/s',
            higherIsBetter: true,
            measure: async (b) => [
              await sample(
                b,
                () => nodeLoop(b.big[t], b.big.bytes, c, c === 1 ? bigFetches : bigFetches * 2, 120_000),
                (r) => r.bytesPerSec / MiB,
              ),
            ],
          }),
        ),
      ),
      ...(['pypi', 'generic'] as const).map(
        (t): Figure => ({
          name: `${small} download, ${concurrency} clients (${tool('wrk') ? 'wrk' : 'node'}): ${t === 'pypi' ? 'PyPI file URL' : 'GetPackageVersionAsset'}`,
          unit: 'req/s',
          higherIsBetter: true,
          measure: async (b) => [await sample(b, () => smallFileLoad(b.small[t], b.small.bytes, concurrency, seconds, false), (r) => r.rps)],
        }),
      ),
      {
        name: `${pageFiles} project page, HTML: after a change (upload, then GET)`,
        unit: 'ms',
        higherIsBetter: false,
        measure: async (b) => {
          const samples: Sample[] = [];
          for (let u = 0; u < uncachedPerRound; u++) {
            const v = `9000.0.${b.changes++}`;
            await uploadDist(b.server, PAGES, BIG_PROJECT, v, sdistTarGz(BIG_PROJECT, v));
            samples.push(await sample(b, async () => ({ ...(await timedGet(b.agent, b.page)), requests: 1 }), (r) => r.ms));
          }
          return samples;
        },
      },
      ...([1, concurrency] as const).map(
        (c): Figure => ({
          name: `${pageFiles} project page, HTML: cached, ${c} client${c > 1 ? 's' : ''}`,
          unit: 'req/s',
          higherIsBetter: true,
          measure: async (b) => {
            await timedGet(b.agent, b.page); // rendered (and cached) outside the timing
            return [await sample(b, () => cachedLoad(b.page, c, seconds, undefined, false), (r) => r.rps)];
          },
        }),
      ),
      {
        name: `${SMALL_FILES}-file project page, HTML: cached, 1 client`,
        unit: 'req/s',
        higherIsBetter: true,
        measure: async (b) => {
          await timedGet(b.agent, b.smallPage);
          return [await sample(b, () => cachedLoad(b.smallPage, 1, seconds, undefined, false), (r) => r.rps)];
        },
      },
    ];

    // samples[figure][build][round] = that round's samples
    const samples = figures.map(() => builds.map(() => [] as Sample[][]));
    for (let r = 0; r <= rounds; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      log('compare', r === 0 ? 'round 0 (warm-up)' : `round ${r} of ${rounds}`);
      for (const [f, figure] of figures.entries()) {
        for (const i of order) {
          const got = await figure.measure(builds[i]!);
          if (r > 0) samples[f]![i]!.push(got);
        }
      }
    }

    const unitFmt = (unit: Figure['unit'], x: number) => (unit === 'ms' ? fmt.ms(x) : unit === 'req/s' ? fmt.rps(x) : `${fmt.n(x)} MiB/s`);
    const rows: string[][] = [];
    const summary: Headline[] = [];
    const worse: string[] = [];
    const values = (round: Sample[]) => round.map((x) => x.value);
    for (const [f, figure] of figures.entries()) {
      const [before, after] = samples[f]!.map((perRound) => perRound.flat());
      const ratio = median(values(after!)) / median(values(before!));
      const perRound = samples[f]![0]!.map((b, k) => median(values(samples[f]![1]![k]!)) / median(values(b)));
      // CPU: the total over all rounds ÷ the requests served (steadier than the figure itself on a busy machine).
      const cpu = [before!, after!].map((xs) => xs.reduce((a, x) => a + x.cpuMs, 0) / xs.reduce((a, x) => a + x.requests, 0));
      const bad = figure.higherIsBetter ? ratio < 0.9 : ratio > 1.1;
      const cpuRatio = cpu[1]! / cpu[0]!;
      if (bad) worse.push(figure.name);
      const flags = [
        bad && `WORSE by ${((figure.higherIsBetter ? 1 - ratio : ratio - 1) * 100).toFixed(0)}%`,
        cpuRatio > 1.1 && `CPU/request +${((cpuRatio - 1) * 100).toFixed(0)}%`,
      ].filter(Boolean);
      const cell = (xs: Sample[]) => `${unitFmt(figure.unit, median(values(xs)))} ±${(spread(values(xs)) * 100).toFixed(0)}%`;
      summary.push({
        figure: `${figure.name}: ${figure.unit}, after ÷ before`,
        ours: cell(after!),
        reference: `before ${cell(before!)}`,
        ratio,
        target: 'not worse by more than 10%',
        met: !bad,
      });
      rows.push([
        figure.name,
        cell(before!),
        cell(after!),
        fmt.ratio(ratio),
        `${fmt.ratio(Math.min(...perRound))} – ${fmt.ratio(Math.max(...perRound))}`,
        `${fmt.ms(cpu[0]!)} / ${fmt.ms(cpu[1]!)} (${fmt.ratio(cpuRatio)})`,
        flags.join('; '),
      ]);
    }

    const rel = (p: string) => (path.relative(ROOT, p).startsWith('..') ? p : path.relative(ROOT, p));
    const notes = [
      `before: ${rel(beforeMain)}; after: ${rel(afterMain)}. Each on its own fresh data dir, loaded alike; both run throughout.`,
      `${rounds} recorded rounds after a warm-up round; each round measures every figure on both builds, one right after ` +
        'the other, alternating which goes first. Cells: median over the rounds ± half the interquartile range, relative.',
      `after/before: ratio of the medians; per round: the smallest and largest ratio of one round's pair. ` +
        'Flagged WORSE when after is worse than before by more than 10% (lower throughput, or longer time), and ' +
        'separately when after spends more than 10% more server CPU per request.',
      'Server CPU per request: CPU time of all the server\'s threads (/proc/PID/task/*/schedstat) over the recorded ' +
        'measurements ÷ the requests they served (for "after a change": the GET only, not the upload); other work on ' +
        'the machine moves it less than the figures.',
      `Downloads of ${big}: Node keep-alive client, ${bigFetches} fetches with 1 client and ${bigFetches * 2} with ${concurrency}. ` +
        `${small} and cached pages: ${tool('wrk') ? 'wrk' : 'Node keep-alive client'}, ${seconds} s per measurement, no warm-up ` +
        '(round 0 is the warm-up; each cached page is requested once before its measurement).',
      `After a change: ${uncachedPerRound} per build and round, each an upload of one sdist to the project and then one ` +
        `GET of its page (rendered anew); the project grows from ${fmt.int(versions * 3)} files by ` +
        `${(rounds + 1) * uncachedPerRound} during the run.`,
      worse.length === 0
        ? 'Verdict: no figure is worse by more than 10%.'
        : `Verdict: worse by more than 10%: ${worse.join('; ')}. On a 2-core machine rerun before believing it.`,
    ];
    if (!tool('wrk')) notes.push(MISSING_HINT.wrk!);
    return {
      title: 'Before vs after: cached pages and downloads, same run, interleaved',
      columns: ['figure', 'before', 'after', 'after/before', 'per round', 'server CPU per request, before / after', 'flag'],
      rows,
      notes,
      summary,
    };
  } finally {
    for (const b of builds) {
      b.agent.destroy();
      await b.server.stop();
      removeTempDir(b.dataDir);
    }
  }
}

if (isMain(import.meta.url)) {
  const [before, after] = process.argv.slice(2);
  if (!before) {
    console.error('usage: node --import tsx bench/compare.ts <before-main.js> [<after-main.js>]');
    process.exit(2);
  }
  runStandalone('compare', () => run(path.resolve(before), after ? path.resolve(after) : MAIN));
}
