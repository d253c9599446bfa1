// Bench 1, start-up: from spawning `node dist/server/main.js` to the first 200 on /health, on an empty
// data dir and on one holding thousands of packages (start-up must not grow with the data), against
// `node -e ''` and a bare node:http server as floors.
//
//   node --import tsx bench/startup.ts          (after `npm run build`)
//   BENCH_STARTUP_RUNS=10 BENCH_PACKAGES=2000   runs per case, projects in the populated data dir
import { spawn } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { populatedFixture, releaseFixtures } from './fixtures.js';
import {
  bounded,
  fmt,
  freePort,
  HOST,
  isMain,
  log,
  MAIN,
  makeTempDir,
  median,
  MISSING_HINT,
  now,
  percentile,
  requireBuild,
  runCommand,
  runStandalone,
  type Headline,
  type Section,
  setting,
  sleep,
  stopChild,
  tool,
  track,
} from './lib.js';

export interface Sample {
  readyMs?: number;
  healthMs: number;
  stopMs?: number;
}

/** One GET /health on a fresh connection: true on 200. */
function healthOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: '/health', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.setTimeout(2000, () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * Spawns `args`, polls /health every 2 ms until a 200, runs `afterHealthy` (e.g. a first request to time),
 * then SIGTERMs and times the exit.
 */
export async function timeToHealthy(args: string[], port: number, afterHealthy?: () => Promise<void>): Promise<Sample> {
  const t0 = now();
  const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let readyMs: number | undefined;
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    if (readyMs === undefined && out.includes('listening on')) readyMs = now() - t0;
  });
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = t0 + 30_000;
  for (;;) {
    if (await healthOnce(port)) break;
    if (exited || now() > deadline) {
      await stopChild(child, 'SIGKILL');
      throw new Error(`no 200 on /health from ${args.join(' ')}:\n${out}`);
    }
    await sleep(2);
  }
  const healthMs = now() - t0;
  try {
    await afterHealthy?.();
  } catch (err) {
    await stopChild(child, 'SIGKILL');
    throw err;
  }
  const stopMs = await stopChild(child);
  return { readyMs, healthMs, stopMs };
}

/** Spawn to exit. */
function timeToExit(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = track(spawn(process.execPath, args, { stdio: 'ignore' }));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(now() - t0);
    });
  });
}

const BARE_HTTP = (port: number) =>
  `require('node:http').createServer((q, s) => s.end('{"status":"ok"}')).listen(${port}, '${HOST}');` +
  `process.on('SIGTERM', () => process.exit(0));`;

export async function run(): Promise<Section> {
  requireBuild();
  const runs = setting('STARTUP_RUNS', 10, 5);
  const packages = setting('PACKAGES', 2000, 300);
  const concurrency = setting('UPLOAD_CONCURRENCY', 4, 4);
  const fixture = await populatedFixture(packages, concurrency);
  const scratch = makeTempDir('startup');
  const emptyDir = path.join(scratch, 'empty');

  const serverArgs = (dataDir: string, port: number) =>
    [MAIN, '--host', HOST, '--port', String(port), '--data-dir', dataDir, '--auth', 'off'];
  const serverOn = async (dataDir: string) => {
    const port = await freePort();
    return timeToHealthy(serverArgs(dataDir, port), port);
  };
  let fresh = 0;
  const cases: { name: string; measure: () => Promise<Sample> }[] = [
    { name: "`node -e ''` (spawn to exit)", measure: async () => ({ healthMs: await timeToExit(['-e', '']) }) },
    {
      name: 'bare node:http server',
      measure: async () => {
        const port = await freePort();
        return timeToHealthy(['-e', BARE_HTTP(port)], port);
      },
    },
    { name: 'server, new data dir (creates the schema)', measure: () => serverOn(path.join(scratch, `fresh-${fresh++}`)) },
    { name: 'server, empty data dir', measure: () => serverOn(emptyDir) },
    { name: `server, ${fmt.int(packages)} packages`, measure: () => serverOn(fixture.dataDir) },
  ];

  // One warm-up round (file cache, and creates the empty data dir), then rounds that interleave the cases.
  log('startup', `warm-up, then ${runs} rounds of ${cases.length} cases`);
  for (const c of cases) await c.measure();
  const samples = cases.map(() => [] as Sample[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of cases.entries()) samples[i]!.push(await c.measure());
  }

  const rows: string[][] = [];
  const bareMedian = median(samples[1]!.map((s) => s.healthMs));
  for (const [i, c] of cases.entries()) {
    const s = samples[i]!;
    const health = s.map((x) => x.healthMs);
    const ready = s.map((x) => x.readyMs).filter((x): x is number => x !== undefined);
    const stop = s.map((x) => x.stopMs).filter((x): x is number => x !== undefined);
    rows.push([
      c.name,
      String(s.length),
      fmt.ms(median(health)),
      fmt.ms(Math.min(...health)),
      fmt.ms(percentile(health, 90)),
      i >= 2 ? `+${fmt.ms(median(health) - bareMedian)}` : '',
      ready.length ? fmt.ms(median(ready)) : '',
      stop.length ? fmt.ms(median(stop)) : '',
    ]);
  }

  const notes = [
    "For `node -e ''` the figure is spawn to exit: the floor of any Node process.",
    `Median of ${runs} runs after one warm-up, cases interleaved; /health polled every 2 ms on fresh connections.`,
    `Populated data dir: ${fmt.int(packages)} PyPI projects in one repository (uploaded in ${fmt.s(fixture.uploadSeconds)}, ${fmt.mib(fixture.bytesOnDisk)} on disk).`,
  ];

  const hyperfine = tool('hyperfine');
  if (hyperfine) {
    const res = await runCommand(
      hyperfine,
      ['-N', '--warmup', '3', '--runs', String(Math.max(10, runs * 2)), '--export-json', path.join(scratch, 'h.json'), '-i',
        `${process.execPath} -e ''`, `${process.execPath} ${MAIN} --help`],
      120_000,
    );
    if (res.code === 0) {
      const json = JSON.parse(readFileSync(path.join(scratch, 'h.json'), 'utf8')) as { results: { median: number }[] };
      const [floor, help] = json.results;
      notes.push(
        `hyperfine cross-check: \`node -e ''\` ${fmt.ms(floor!.median * 1000)}; \`node dist/server/main.js --help\` ` +
          `(loads the entry's static imports, then exits) ${fmt.ms(help!.median * 1000)}.`,
      );
    } else notes.push(`hyperfine failed: ${res.stderr.trim().split('\n').pop()}`);
  } else notes.push(MISSING_HINT.hyperfine!);

  const med = (i: number) => median(samples[i]!.map((x) => x.healthMs));
  const floors = `bare node:http ${fmt.ms(med(1))} (\`node -e ''\` ${fmt.ms(med(0))})`;
  const startup = (i: number, what: string): Headline => ({
    ...bounded(`start-up, spawn to the first 200 on /health, ${what}: ms, ours ÷ a bare node:http server`, fmt.ms(med(i)), med(i), '< 300 ms', 300, floors),
    ratio: med(i) / med(1),
  });
  const summary: Headline[] = [startup(3, 'empty data dir'), startup(4, `${fmt.int(packages)} packages`)];
  return {
    summary,
    title: 'Start-up: spawn to first 200 on /health',
    columns: ['case', 'runs', 'first 200 (median)', 'min', 'p90', 'vs bare http', 'ready line', 'SIGTERM → exit'],
    rows,
    notes,
  };
}

if (isMain(import.meta.url)) runStandalone('startup', run, releaseFixtures);
