// Shared machinery of the benchmarks: settings from the environment, temp dirs and child processes that
// are always cleaned up, the server under test, a keep-alive HTTP client and load loop, wrk, statistics,
// tables and machine facts. Benchmarks print figures; none of this is run by `npm test`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The server every bench starts: BENCH_MAIN (the main.js of another build, e.g. a checkout of the previous
 * version) if set, else this repository's dist/server/main.js.
 */
const OWN_MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
export const MAIN = process.env.BENCH_MAIN ? path.resolve(process.env.BENCH_MAIN) : OWN_MAIN;
export const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------------
// Settings

const truthy = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

/** BENCH_QUICK=1: small sizes, a smoke run of about a minute. */
export const QUICK = truthy(process.env.BENCH_QUICK);

/** An integer setting: `BENCH_<name>` if set, else the full or the quick default. */
export function setting(name: string, full: number, quick: number): number {
  const raw = process.env[`BENCH_${name}`];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`BENCH_${name} must be a positive number, not '${raw}'`);
    return n;
  }
  return QUICK ? quick : full;
}

/** Where temp dirs go (BENCH_TMPDIR, else the OS temp dir). The 1 GiB upload bench needs a few GiB free. */
export const TMP_ROOT = process.env.BENCH_TMPDIR || os.tmpdir();

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();

/** Progress goes to stderr so stdout holds only the results. */
export function log(scope: string, message: string): void {
  process.stderr.write(`[${scope}] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Cleanup: every temp dir and child process is registered and removed on exit, even on Ctrl-C or error.

const tempDirs = new Set<string>();
const children = new Set<ChildProcess>();

export function makeTempDir(prefix: string): string {
  mkdirSync(TMP_ROOT, { recursive: true });
  const dir = mkdtempSync(path.join(TMP_ROOT, `ca-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Whether a process still runs (a zombie does not count). */
function running(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat[stat.lastIndexOf(')') + 2] !== 'Z';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Synchronous (it runs in the exit handler): SIGTERM to every child still running, so nginx's master takes
 * its workers down and the server closes its database; SIGKILL to any left after 3 s.
 */
function cleanupNow(): void {
  const pids = [...children]
    .filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined)
    .map((c) => c.pid!);
  children.clear();
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  const tick = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(running) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 20);
  for (const pid of pids) if (running(pid)) signal(pid, 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

let handlersInstalled = false;
/** Installs exit/signal handlers and a watchdog: nothing outlives the run, and the run cannot hang. */
export function guard(scope: string, maxMinutes = Number(process.env.BENCH_TIMEOUT_MIN ?? 20)): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      log(scope, `${sig}: cleaning up`);
      cleanupNow();
      process.exit(130);
    });
  }
  setTimeout(() => {
    log(scope, `still running after ${maxMinutes} min (BENCH_TIMEOUT_MIN): aborting`);
    cleanupNow();
    process.exit(1);
  }, maxMinutes * 60_000).unref();
}

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(path.resolve(entry)).href === moduleUrl;
}

/**
 * Runs one bench as a script (`node --import tsx bench/x.ts`): watchdog, machine facts, its tables, then
 * `after` (e.g. releasing shared fixtures); a failure sets a non-zero exit code.
 */
export function runStandalone(
  scope: string,
  run: () => Promise<Section | Section[]>,
  after: () => Promise<void> = async () => undefined,
): void {
  guard(scope);
  console.log(`${machineFacts()}\n`);
  run()
    .then(async (result) => {
      for (const section of Array.isArray(result) ? result : [result]) console.log(`\n${renderSection(section)}`);
      await after();
    })
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}

/** The server must be built: `npm run bench` builds; a bench file run alone needs `npm run build` first. */
export function requireBuild(main = MAIN): void {
  if (!existsSync(main)) {
    if (main !== OWN_MAIN) throw new Error(`${main} not found (named by BENCH_MAIN or an argument)`);
    throw new Error(`${path.relative(ROOT, main)} not found: run \`npm run build\` (npm run bench builds first)`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Processes

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves with the ms it took to exit. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<number> {
  return new Promise((resolve) => {
    const t0 = now();
    if (child.exitCode !== null || child.signalCode !== null) return resolve(0);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(now() - t0);
    });
    child.kill(signal);
  });
}

/**
 * Runs a command to completion (bounded by `timeoutMs`), capturing its output. `options.env` is the child's whole
 * environment (default: this process's), `options.cwd` its working directory.
 */
export function runCommand(
  cmd: string,
  args: string[],
  timeoutMs: number,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env, cwd: options.cwd }));
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The kB of VmRSS in /proc/PID/status (Linux), or undefined. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) that all threads of a process have run so far, from /proc/PID/task/<tid>/schedstat (Linux, ns
 * resolution; the libuv pool's file reads and GC helpers count too), or undefined. Other work competing for
 * the cores moves it less than it moves throughput (not to nothing: shared caches still cost).
 */
export function cpuMs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `intervalMs` until stopped. */
export class RssSampler {
  private readonly samples: number[] = [];
  private readonly times: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly pid: number,
    private readonly intervalMs = 50,
  ) {}
  start(): this {
    const take = () => {
      const kib = rssKiB(this.pid);
      if (kib !== undefined) {
        this.samples.push(kib);
        this.times.push(now());
      }
    };
    take();
    this.timer = setInterval(take, this.intervalMs);
    return this;
  }
  /** Peak and median, and the peaks of the first and second half of the sampled period. */
  stop(): { samples: number; peakKiB: number; medianKiB: number; firstHalfPeakKiB: number; secondHalfPeakKiB: number } {
    clearInterval(this.timer);
    const kib = rssKiB(this.pid);
    if (kib !== undefined) {
      this.samples.push(kib);
      this.times.push(now());
    }
    const t0 = this.times[0] ?? 0;
    const mid = t0 + ((this.times[this.times.length - 1] ?? t0) - t0) / 2;
    const first = this.samples.filter((_, i) => this.times[i]! <= mid);
    const second = this.samples.filter((_, i) => this.times[i]! > mid);
    return {
      samples: this.samples.length,
      peakKiB: Math.max(...this.samples),
      medianKiB: median(this.samples),
      firstHalfPeakKiB: first.length ? Math.max(...first) : NaN,
      secondHalfPeakKiB: second.length ? Math.max(...second) : NaN,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// The server under test

export interface Server {
  url: string;
  port: number;
  pid: number;
  dataDir: string;
  child: ChildProcess;
  /** SIGTERM and wait; resolves with the ms from signal to exit. */
  stop(): Promise<number>;
  /** Base of a PyPI repository endpoint, no trailing slash. */
  pypiBase(domain: string, repo: string): string;
  /** What the process printed up to its ready line. */
  startupOutput: string;
}

const READY = /listening on (http:\/\/\S+)/;

/**
 * Starts `options.main` (default MAIN) on `dataDir`; resolves once it prints its URL. `nodeArgs` go to node
 * before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not take), `extraArgs` to the server, `env` is
 * added to this process's environment.
 */
export async function startServer(
  dataDir: string,
  options: { port?: number; extraArgs?: string[]; main?: string; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<Server> {
  const main = options.main ?? MAIN;
  requireBuild(main);
  const args = [main, '--host', HOST, '--port', String(options.port ?? 0), '--data-dir', dataDir, '--auth', 'off'];
  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to every server a bench starts.
  const envNodeArgs = process.env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const argv = [...envNodeArgs, ...(options.nodeArgs ?? []), ...args, ...(options.extraArgs ?? [])];
  const child = track(spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } }));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      const m = READY.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace(/\/$/, ''));
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  // Keep draining its output so the pipe never fills.
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid!,
    dataDir,
    child,
    stop: () => stopChild(child),
    pypiBase: (domain, repo) => `${url}/pypi/d/${domain}-000000000000/${repo}`,
    startupOutput: output,
  };
}

// ---------------------------------------------------------------------------------------------------
// HTTP client: node:http (node:https for https: URLs) with an explicit agent (keep-alive where it matters),
// bounded by timeouts.

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, when `sink` is 'buffer'. */
  body: Buffer;
  bytes: number;
  /** sha256 hex of the body, when `sink` is 'sha256'. */
  sha256?: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string | AsyncIterable<Buffer>;
  agent?: http.Agent | false;
  /** Socket inactivity limit. */
  timeoutMs?: number;
  sink?: 'buffer' | 'count' | 'sha256';
}

export function request(url: string, options: RequestOptions = {}): Promise<Response> {
  const { method = 'GET', headers = {}, body, agent = false, timeoutMs = 60_000, sink = 'buffer' } = options;
  return new Promise<Response>((resolve, reject) => {
    const hdrs: Record<string, string | number> = { ...headers };
    if ((typeof body === 'string' || Buffer.isBuffer(body)) && hdrs['content-length'] === undefined)
      hdrs['content-length'] = Buffer.byteLength(body);
    // An https: URL needs an https.Agent (the TLS bench passes one whose connections are CONNECT tunnels).
    const req = (url.startsWith('https:') ? https.request : http.request)(url, { method, headers: hdrs, agent });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    req.setTimeout(timeoutMs, () => fail(new Error(`${method} ${url}: no activity for ${timeoutMs} ms`)));
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const hash = sink === 'sha256' ? createHash('sha256') : undefined;
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (sink === 'buffer') chunks.push(c);
        else hash?.update(c);
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          bytes,
          ...(hash ? { sha256: hash.digest('hex') } : {}),
        });
      });
    });
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      // Streamed with back-pressure: never more than a few chunks in memory.
      const source = Readable.from(body, { objectMode: false });
      source.on('error', fail);
      source.pipe(req);
    }
  });
}

/** Throws unless the response has the expected status; the message carries the body. */
export function expectStatus(res: Response, expected: number, what: string): Response {
  if (res.status !== expected)
    throw new Error(`${what}: expected HTTP ${expected}, got ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
  return res;
}

export interface LoadResult {
  requests: number;
  bytes: number;
  elapsedMs: number;
  latenciesMs: number[];
  rps: number;
  bytesPerSec: number;
}

/**
 * `concurrency` workers call `fn` (one request each time, resolving with the bytes received) until
 * `maxRequests` were issued or `maxMs` passed, whichever is first.
 */
export async function loadLoop(opts: {
  concurrency: number;
  maxRequests: number;
  maxMs: number;
  fn: () => Promise<number>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let issued = 0;
  let bytes = 0;
  const t0 = now();
  const deadline = t0 + opts.maxMs;
  const worker = async () => {
    while (issued < opts.maxRequests && now() < deadline) {
      issued += 1;
      const t = now();
      const received = await opts.fn(); // not `bytes += await`: that would read `bytes` before awaiting
      bytes += received;
      latencies.push(now() - t);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const elapsedMs = now() - t0;
  return {
    requests: latencies.length,
    bytes,
    elapsedMs,
    latenciesMs: latencies,
    rps: latencies.length / (elapsedMs / 1000),
    bytesPerSec: bytes / (elapsedMs / 1000),
  };
}

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function forEachConcurrent<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------------
// External tools (optional). BENCH_DISABLE=wrk,hyperfine,nginx pretends they are missing.

const disabled = new Set((process.env.BENCH_DISABLE ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const toolCache = new Map<string, string | undefined>();

export function tool(name: 'wrk' | 'hyperfine' | 'nginx'): string | undefined {
  if (disabled.has(name)) return undefined;
  if (toolCache.has(name)) return toolCache.get(name);
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  const found = dirs.filter(Boolean).map((d) => path.join(d, name)).find((p) => existsSync(p));
  toolCache.set(name, found);
  return found;
}

export const MISSING_HINT: Record<string, string> = {
  wrk: 'wrk not found: small-file and cached-page figures use the Node keep-alive client instead (apt-get install -y wrk)',
  hyperfine: 'hyperfine not found: skipping its cross-check of the start-up floor (apt-get install -y hyperfine)',
  nginx: 'nginx not found: the nginx column is left empty (apt-get install -y nginx-light)',
};

export interface Nginx {
  url: string;
  child: ChildProcess;
  stop(): Promise<number>;
}

/** How startNginx configures nginx beyond its defaults. */
export interface NginxOptions {
  /** A file to log every request to; default off. */
  accessLog?: string;
  /** The `types { }` block's lines (default: `text/html html;`). */
  types?: string;
  /** More lines for the http block (a `map`...). */
  http?: string;
  /** The server's location block (default: `location / { }`, files under root). */
  location?: string;
}

/**
 * nginx in the foreground (`daemon off`), one worker (the server under test is one process too), serving the
 * files under `root`; its config, pid and temp dirs go in `dir`. `.html` is served as text/html (pip skips an
 * index page of any other type), everything else as application/octet-stream, unless `options` says otherwise.
 * An access log is one unbuffered write per request, so it can be read between runs.
 */
export async function startNginx(root: string, dir: string, options: NginxOptions = {}): Promise<Nginx> {
  const bin = tool('nginx');
  if (!bin) throw new Error('nginx is not available');
  const port = await freePort();
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, d), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  const errorLog = path.join(dir, 'error.log');
  // As root, workers would drop to `nobody` and could not read a 0700 temp dir.
  const user = process.getuid?.() === 0 ? `user ${os.userInfo().username};\n` : '';
  const accessLog = options.accessLog ? `${options.accessLog} combined` : 'off';
  writeFileSync(
    conf,
    `${user}daemon off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 256; }
http {
  access_log ${accessLog};
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 60s;
  keepalive_requests 10000000;
  types { ${options.types ?? 'text/html html;'} }
  default_type application/octet-stream;${options.http ? `\n  ${options.http}` : ''}
  client_body_temp_path ${path.join(dir, 'body')};
  proxy_temp_path ${path.join(dir, 'proxy')};
  fastcgi_temp_path ${path.join(dir, 'fastcgi')};
  uwsgi_temp_path ${path.join(dir, 'uwsgi')};
  scgi_temp_path ${path.join(dir, 'scgi')};
  server {
    listen ${HOST}:${port};
    root ${root};
    ${options.location ?? 'location / { }'}
  }
}
`,
  );
  const child = track(spawn(bin, ['-p', dir, '-c', conf, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = `http://${HOST}:${port}`;
  for (let i = 0; i < 500; i++) {
    if (child.exitCode !== null) break;
    const ok = await request(`${url}/`, { timeoutMs: 1000 }).then(
      () => true,
      () => false,
    );
    if (ok) return { url, child, stop: () => stopChild(child, 'SIGTERM') };
    await sleep(10);
  }
  await stopChild(child, 'SIGKILL');
  const errors = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
  throw new Error(`nginx did not start: ${stderr}${errors}`);
}

export interface WrkResult {
  rps: number;
  bytesPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: string | undefined;
}

function wrkDuration(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return { us: v / 1000, ms: v, s: v * 1000, m: v * 60_000 }[m[2] as 'us' | 'ms' | 's' | 'm'];
}

function wrkSize(text: string): number {
  const m = /^([\d.]+)(B|KB|MB|GB|TB)?$/.exec(text.trim());
  if (!m) return NaN;
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[(m[2] ?? 'B') as 'B'];
  return Number(m[1]) * unit;
}

/** wrk, one thread (the other core is the server's), `connections` keep-alive connections. */
export async function runWrk(url: string, opts: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<WrkResult> {
  const bin = tool('wrk');
  if (!bin) throw new Error('wrk is not available');
  const args = ['-t1', `-c${opts.connections}`, `-d${Math.max(1, Math.round(opts.seconds))}s`, '--latency', '--timeout', '10s'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(url);
  const { code, stdout, stderr } = await runCommand(bin, args, (opts.seconds + 30) * 1000);
  if (code !== 0) throw new Error(`wrk failed (${code}): ${stderr || stdout}`);
  const num = (re: RegExp) => {
    const m = re.exec(stdout);
    return m ? m[1]! : '';
  };
  const non2xx = num(/Non-2xx or 3xx responses:\s+(\d+)/);
  const socket = num(/Socket errors:\s+(.+)/);
  const errors = [non2xx && `${non2xx} non-2xx responses`, socket && `socket errors: ${socket}`].filter(Boolean).join('; ');
  return {
    rps: Number(num(/Requests\/sec:\s+([\d.]+)/)),
    bytesPerSec: wrkSize(num(/Transfer\/sec:\s+(\S+)/)),
    requests: Number(num(/(\d+) requests in/)),
    p50Ms: wrkDuration(num(/^\s+50%\s+(\S+)/m)),
    p99Ms: wrkDuration(num(/^\s+99%\s+(\S+)/m)),
    errors: errors || undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// Statistics and formatting

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Linear interpolation between closest ranks. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = ((s.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const MiB = 1024 * 1024;

function sig(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x).toLocaleString('en-US');
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

export const fmt = {
  ms: (x: number) => `${sig(x)} ms`,
  s: (x: number) => `${sig(x)} s`,
  mibps: (bytesPerSec: number) => `${sig(bytesPerSec / MiB)} MiB/s`,
  rps: (x: number) => `${sig(x)} req/s`,
  mib: (bytes: number) => `${sig(bytes / MiB)} MiB`,
  kib: (bytes: number) => `${sig(bytes / 1024)} KiB`,
  n: (x: number) => sig(x),
  int: (x: number) => Math.round(x).toLocaleString('en-US'),
  ratio: (x: number) => `×${Number.isFinite(x) ? x.toFixed(2) : 'n/a'}`,
};

/** One bench's results: a table plus notes. */
export interface Section {
  title: string;
  columns: string[];
  rows: string[][];
  notes: string[];
  /** Headline figures for run.ts's summary table. */
  summary?: Headline[];
}

/**
 * One line of `npm run bench`'s summary: our figure beside the reference it was measured against in the same
 * run (nginx, sha256sum, the 100-package repository...), their ratio, and the issue's target for it.
 */
export interface Headline {
  figure: string;
  ours: string;
  /** What `ours` is compared with, measured in the same run; '' when it stands alone (a latency bound). */
  reference: string;
  /** ours ÷ reference as the figure defines it (throughputs: higher is better; times: lower is better). */
  ratio?: number;
  /** The target in words ('≥ 0.5x nginx', 'p99 < 2 ms'), and whether this run met it. */
  target?: string;
  met?: boolean;
}

/**
 * A Headline whose target bounds the ratio: met when ratio ≥ `atLeast` (throughputs) or ≤ `atMost` (times, growth).
 * Without a ratio (the reference was not measured) nothing is met or missed.
 */
export function versus(
  figure: string,
  ours: string,
  reference: string,
  ratio: number | undefined,
  bound?: { target: string; atLeast?: number; atMost?: number },
): Headline {
  const entry: Headline = { figure, ours, reference };
  if (ratio !== undefined && Number.isFinite(ratio)) entry.ratio = ratio;
  if (bound) {
    entry.target = bound.target;
    if (entry.ratio !== undefined)
      entry.met = (bound.atLeast === undefined || entry.ratio >= bound.atLeast) && (bound.atMost === undefined || entry.ratio <= bound.atMost);
  }
  return entry;
}

/** A Headline with a bound of its own (no reference): met when `value` < `below`. */
export function bounded(figure: string, ours: string, value: number, target: string, below: number, reference = ''): Headline {
  return { figure, ours, reference, target, ...(Number.isFinite(value) ? { met: value < below } : {}) };
}

/** A summary entry as a row of run.ts's table: figure, ours, reference, ratio, target, met. */
export function headlineRow(entry: Headline): string[] {
  const met = entry.met === undefined ? '' : entry.met ? '✓' : '✗';
  return [entry.figure, entry.ours, entry.reference, entry.ratio === undefined ? '' : fmt.ratio(entry.ratio), entry.target ?? '', met];
}

/** A Markdown table, padded so it also reads well in a terminal. */
export function renderSection(section: Section): string {
  const widths = section.columns.map((c, i) => Math.max(c.length, ...section.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ')} |`;
  const out = [`### ${section.title}`, '', line(section.columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`];
  for (const row of section.rows) out.push(line(row));
  if (section.notes.length > 0) out.push('', ...section.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

function firstLine(cmd: string, args: string[]): string | undefined {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim();
  } catch {
    return undefined;
  }
}

/** Cores, CPU, memory, OS, Node and tool versions. */
export function machineFacts(): string {
  const cpus = os.cpus();
  const tools = (['nginx', 'wrk', 'hyperfine'] as const).map((t) => {
    const bin = tool(t);
    if (!bin) return `${t}: missing`;
    const v = t === 'nginx' ? firstLine(bin, ['-v']) : t === 'wrk' ? firstLine(bin, ['-v']) : firstLine(bin, ['--version']);
    return (v ?? t).replace(/^nginx version: /, '').replace(/ Copyright.*$/, '').replace(/\s*\[epoll\]/, '');
  });
  return [
    `- CPU: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? 'unknown'}`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB; OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node ${process.version}; tools: ${tools.join(', ')}`,
    `- Load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} (other work on the machine skews the figures)`,
    `- Server: ${MAIN === OWN_MAIN ? path.relative(ROOT, MAIN) : `${MAIN} (BENCH_MAIN)`}`,
    `- Temp dir: ${TMP_ROOT}; mode: ${QUICK ? 'BENCH_QUICK (smoke-run sizes)' : 'full sizes'}`,
  ].join('\n');
}
