// Bench: a user-level figure. `pip download` of a 50-package dependency tree (pure-Python wheels generated here)
// in a fresh venv, through this server (token in the index URL, as `aws codeartifact login --tool pip` writes it)
// vs through nginx serving a static PEP 503 tree of the same files with the same PEP 658 metadata; and `poetry
// lock` of the same tree through both. Wall time of the client command, median of ABBA rounds, ours ÷ nginx.
//
//   node --import tsx bench/pip-install.ts        (after `npm run build`; needs python3 with venv, nginx,
//                                                 /usr/bin/poetry for the poetry rows)
//   BENCH_PIP_ROUNDS=5                           measured pip runs per side (quick: 2), after one warm-up each
//   BENCH_POETRY_ROUNDS=3                        measured `poetry lock` runs per side (quick: 1), after one warm-up each
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createRepo, DOMAIN, uploadDist, zipStored } from './fixtures.js';
import {
  cpuMs,
  expectStatus,
  fmt,
  isMain,
  log,
  makeTempDir,
  median,
  MISSING_HINT,
  type Nginx,
  now,
  removeTempDir,
  request,
  requireBuild,
  runCommand,
  runStandalone,
  type Headline,
  type Section,
  type Server,
  setting,
  startNginx,
  startServer,
  tool,
} from './lib.js';
import { OFFLINE_TRAP } from '../test/support/offline.js';

const REPO = 'pip-tree';
const ROOT_NAME = 'benchtree-root';
/** benchtree-pkg-01 .. -49; with the root, 50 projects. */
const PACKAGES = 49;
const TARGET = 1.3;
const POETRY = '/usr/bin/poetry';
// ---------------------------------------------------------------------------------------------------
// The dependency tree and its wheels

const projectName = (i: number) => (i === 0 ? ROOT_NAME : `benchtree-pkg-${String(i).padStart(2, '0')}`);

/** The root needs 1-4; package i needs 4i+1..4i+4; every third also needs i+7 (a diamond). Always higher: no cycles. */
function childrenOf(i: number): number[] {
  if (i === 0) return [1, 2, 3, 4];
  const kids: number[] = [];
  for (let k = 4 * i + 1; k <= Math.min(4 * i + 4, PACKAGES); k++) kids.push(k);
  if (i % 3 === 0 && i + 7 <= PACKAGES && !kids.includes(i + 7)) kids.push(i + 7);
  return kids;
}

/** Some projects have 2 or 3 versions, so the resolver chooses (the newest always fits). */
function versionsOf(i: number): string[] {
  if (i !== 0 && i % 4 === 0) return ['1.0.0', '1.1.0', '2.0.0'];
  if (i % 4 === 2) return ['1.0.0', '1.1.0'];
  return ['1.0.0'];
}

function requirement(i: number): string {
  return versionsOf(i).length === 3 ? `${projectName(i)}>=1.0,<3` : `${projectName(i)}>=1.0`;
}

interface Dist {
  name: string;
  version: string;
  filename: string;
  data: Buffer;
  sha256: string;
  /** The wheel's .dist-info/METADATA, which PEP 658 serves as `<file>.metadata`. */
  metadata: Buffer;
  metadataSha256: string;
  newest: boolean;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const recordHash = (b: Buffer) => `sha256=${createHash('sha256').update(b).digest('base64url')}`;

/** A pure-Python py3-none-any wheel: module, METADATA 2.1 with its Requires-Dist, WHEEL, RECORD with hashes. */
function treeWheel(i: number, version: string): Omit<Dist, 'newest'> {
  const name = projectName(i);
  const mod = name.replace(/-/g, '_');
  const stem = `${mod}-${version}`;
  const metadata = Buffer.from(
    [
      'Metadata-Version: 2.1',
      `Name: ${name}`,
      `Version: ${version}`,
      `Summary: Node ${i} of the pip-install bench's dependency tree`,
      'License: Apache-2.0',
      'Requires-Python: >=3.8',
      ...childrenOf(i).map((k) => `Requires-Dist: ${requirement(k)}`),
      '',
      `${name} ${version}: a generated distribution.`,
      '',
    ].join('\n'),
  );
  // A few KiB of code, different in size per project, the same bytes every run.
  const lines = [`"""${name} ${version}."""`, `__version__ = "${version}"`, ''];
  for (let f = 0; f < 40 + ((i * 37) % 120); f++) lines.push(`def f${f}(x):`, `    return x * ${f} + ${i}  # ${name}`, '');
  const files = [
    { name: `${mod}/__init__.py`, data: Buffer.from(lines.join('\n')) },
    { name: `${stem}.dist-info/METADATA`, data: metadata },
    { name: `${stem}.dist-info/WHEEL`, data: Buffer.from('Wheel-Version: 1.0\nGenerator: benchtree\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
  ];
  const record = [...files.map((f) => `${f.name},${recordHash(f.data)},${f.data.length}`), `${stem}.dist-info/RECORD,,`, ''].join('\n');
  const data = zipStored([...files, { name: `${stem}.dist-info/RECORD`, data: Buffer.from(record) }]);
  return { name, version, filename: `${stem}-py3-none-any.whl`, data, sha256: sha256(data), metadata, metadataSha256: sha256(metadata) };
}

function buildTree(): Dist[] {
  const dists: Dist[] = [];
  for (let i = 0; i <= PACKAGES; i++) {
    const versions = versionsOf(i);
    for (const v of versions) dists.push({ ...treeWheel(i, v), newest: v === versions[versions.length - 1] });
  }
  return dists;
}

// ---------------------------------------------------------------------------------------------------
// The two indexes

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * A static PEP 503 tree under `root`: simple/index.html, simple/<name>/index.html with the attributes our
 * server's HTML page has (sha256 fragment, data-requires-python, data-core-metadata and data-dist-info-metadata),
 * files/<file> and files/<file>.metadata.
 */
function writeStaticTree(root: string, dists: Dist[]): void {
  const files = path.join(root, 'files');
  mkdirSync(files, { recursive: true });
  const names = [...new Set(dists.map((d) => d.name))];
  const head = (title: string) =>
    `<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1"><title>${title}</title></head><body>`;
  mkdirSync(path.join(root, 'simple'), { recursive: true });
  writeFileSync(
    path.join(root, 'simple', 'index.html'),
    `${head('Simple index')}${names.map((n) => `<a href="${n}/">${n}</a><br>`).join('')}</body></html>`,
  );
  for (const name of names) {
    const links = dists
      .filter((d) => d.name === name)
      .map(
        (d) =>
          `<a href="../../files/${encodeURIComponent(d.filename)}#sha256=${d.sha256}" data-requires-python="${escapeHtml('>=3.8')}" ` +
          `data-core-metadata="sha256=${d.metadataSha256}" data-dist-info-metadata="sha256=${d.metadataSha256}">${d.filename}</a><br>`,
      )
      .join('');
    mkdirSync(path.join(root, 'simple', name), { recursive: true });
    writeFileSync(path.join(root, 'simple', name, 'index.html'), `${head(`Links for ${name}`)}<h1>Links for ${name}</h1>${links}</body></html>`);
  }
  for (const d of dists) {
    writeFileSync(path.join(files, d.filename), d.data);
    writeFileSync(path.join(files, `${d.filename}.metadata`), d.metadata);
  }
}

async function authToken(server: Server): Promise<string> {
  const res = expectStatus(
    await request(`${server.url}/v1/authorization-token?domain=${DOMAIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
    200,
    'GetAuthorizationToken',
  );
  return JSON.parse(res.body.toString('utf8')).authorizationToken as string;
}

/** Our JSON pages list exactly the files, hashes and metadata hashes the static tree has. */
async function checkServerPages(base: string, auth: string, dists: Dist[]): Promise<void> {
  for (const name of new Set(dists.map((d) => d.name))) {
    const res = expectStatus(
      await request(`${base}/simple/${name}/`, { headers: { authorization: auth, accept: 'application/vnd.pypi.simple.v1+json' } }),
      200,
      `project page of ${name}`,
    );
    const page = JSON.parse(res.body.toString('utf8')) as { files: { filename: string; hashes: { sha256?: string }; 'core-metadata'?: { sha256: string } }[] };
    const want = dists.filter((d) => d.name === name).map((d) => `${d.filename} ${d.sha256} ${d.metadataSha256}`);
    const got = page.files.map((f) => `${f.filename} ${f.hashes.sha256} ${f['core-metadata']?.sha256}`);
    if (want.join('\n') !== got.join('\n')) throw new Error(`server page of ${name} differs from the static tree:\n${got.join('\n')}\nwant\n${want.join('\n')}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Request logs: what each client asked for, per run

interface Logged {
  path: string;
  status: number;
  ms?: number;
}

class RequestLog {
  private lines: Logged[] = [];
  take(): Logged[] {
    const out = this.lines;
    this.lines = [];
    return out;
  }
  /** The server's JSON request lines on its stdout. */
  static ofServer(server: Server): RequestLog {
    const rl = new RequestLog();
    let pending = '';
    server.child.stdout!.on('data', (c: Buffer) => {
      pending += c.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        try {
          const j = JSON.parse(line) as { msg?: string; path?: string; status?: number; ms?: number };
          if (j.msg === 'request' && j.path) rl.lines.push({ path: j.path, status: j.status ?? 0, ms: j.ms });
        } catch {
          // not a JSON line
        }
      }
    });
    return rl;
  }
  /** nginx's access log (combined format), read from where the last read ended. */
  static ofNginx(file: string): RequestLog & { poll(): void } {
    const rl = new RequestLog() as RequestLog & { poll(): void };
    let offset = 0;
    rl.poll = () => {
      if (!existsSync(file)) return;
      const text = readFileSync(file).subarray(offset).toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      offset += Buffer.byteLength(complete);
      for (const line of complete.split('\n')) {
        const m = /"[A-Z]+ (\S+) [^"]*" (\d{3}) /.exec(line);
        if (m) rl.lines.push({ path: m[1]!, status: Number(m[2]) });
      }
    };
    return rl;
  }
}

function describeRequests(lines: Logged[]): string {
  const kinds = { page: 0, metadata: 0, file: 0, other: 0 };
  const statuses = new Map<number, number>();
  for (const l of lines) {
    const p = l.path.split('?')[0]!;
    const kind = p.endsWith('.metadata') ? 'metadata' : p.endsWith('.whl') ? 'file' : /\/simple\/[^/]+\/$/.test(p) ? 'page' : 'other';
    kinds[kind] += 1;
    statuses.set(l.status, (statuses.get(l.status) ?? 0) + 1);
  }
  const st = [...statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${n}× ${s}`).join(', ');
  const timed = lines.filter((l) => l.ms !== undefined);
  const slowest = timed.reduce<Logged | undefined>((a, l) => (a && a.ms! >= l.ms! ? a : l), undefined);
  const ms = slowest
    ? `, ${fmt.ms(timed.reduce((a, l) => a + l.ms!, 0))} in the server, slowest ${fmt.ms(slowest.ms!)} ${slowest.path.split('/').slice(-2).join('/')}`
    : '';
  return `${lines.length} requests (${kinds.page} pages, ${kinds.metadata} .metadata, ${kinds.file} wheels${kinds.other ? `, ${kinds.other} other` : ''}; ${st}${ms})`;
}

// ---------------------------------------------------------------------------------------------------
// Clients

/** The interpreter `python3` on PATH resolves to (through pyenv's shim), or undefined. */
function findPython(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/**
 * The child's whole environment: PATH and locale from this process, a temp HOME, and nothing of pip's or
 * poetry's configuration (no PIP_* such as PIP_FIND_LINKS, no proxies but the offline trap). Not
 * PYTHONDONTWRITEBYTECODE either: a user's pip runs from the .pyc files its install compiled.
 */
function clientEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const k of ['LANG', 'LC_ALL', 'TMPDIR', 'PYENV_ROOT', 'PYENV_VERSION']) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...OFFLINE_TRAP, ...extra };
}

interface Side {
  name: 'ours' | 'nginx';
  /** The index URL a client is given (ours: with aws:TOKEN@). */
  indexUrl: string;
  /** The source URL poetry is given, and its http-basic credentials. */
  poetryUrl: string;
  basic?: { username: string; password: string };
  log: RequestLog & { poll?(): void };
  /** The processes serving it (nginx: master and worker), whose CPU time a run costs. */
  pids(): number[];
}

interface RunResult {
  ms: number;
  requests: Logged[];
  /** CPU time (all threads) the serving processes spent during the run. */
  serverCpuMs: number;
}

/** A process and its children (nginx's master and its worker). */
function withChildren(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return [pid, ...(kids ? kids.split(' ').map(Number) : [])];
  } catch {
    return [pid];
  }
}

const cpuOf = (pids: number[]) => pids.reduce((a, p) => a + (cpuMs(p) ?? NaN), 0);

async function timedRun(
  side: Side,
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<RunResult & { stdout: string; stderr: string; code: number | null }> {
  side.log.poll?.();
  side.log.take();
  const pids = side.pids();
  const cpu0 = cpuOf(pids);
  const t0 = now();
  const r = await runCommand(cmd, args, opts.timeoutMs, { env: opts.env, cwd: opts.cwd });
  const ms = now() - t0;
  const serverCpuMs = cpuOf(pids) - cpu0;
  await new Promise((res) => setTimeout(res, 100)); // the last log lines
  side.log.poll?.();
  return { ...r, ms, requests: side.log.take(), serverCpuMs };
}

async function pipRun(python: string, work: string, side: Side, expected: string[], n: number): Promise<RunResult & { venvMs: number }> {
  const dir = path.join(work, `pip-${side.name}-${n}`);
  const home = path.join(dir, 'home');
  const dest = path.join(dir, 'downloads');
  mkdirSync(home, { recursive: true });
  const env = clientEnv(home, { PIP_CONFIG_FILE: '/dev/null', PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' });
  try {
    const t0 = now();
    const venv = await runCommand(python, ['-m', 'venv', path.join(dir, 'venv')], 300_000, { env });
    const venvMs = now() - t0;
    if (venv.code !== 0) throw new Error(`python3 -m venv failed (${venv.code}): ${venv.stderr || venv.stdout}`);
    const r = await timedRun(
      side,
      path.join(dir, 'venv', 'bin', 'python'),
      ['-m', 'pip', 'download', ROOT_NAME, '-d', dest, '--index-url', side.indexUrl, '--no-cache-dir', '--isolated', '--disable-pip-version-check'],
      { env, timeoutMs: 300_000 },
    );
    const got = existsSync(dest) ? readdirSync(dest).sort() : [];
    if (r.code !== 0 || got.join('\n') !== expected.join('\n'))
      throw new Error(
        `pip download through ${side.name} (exit ${r.code}) got ${got.length} files, not the ${expected.length} expected` +
          `${got.length ? `; unexpected: ${got.filter((f) => !expected.includes(f)).join(', ') || 'none'}` : ''}:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}`,
      );
    return { ms: r.ms, requests: r.requests, serverCpuMs: r.serverCpuMs, venvMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pyproject(url: string): string {
  return [
    '[tool.poetry]',
    'name = "benchtree-consumer"',
    'version = "0.1.0"',
    'description = "Locks the pip-install bench tree"',
    'authors = ["Bench <bench@example.com>"]',
    'packages = []',
    '',
    '[tool.poetry.dependencies]',
    'python = "^3.8"',
    `${JSON.stringify(ROOT_NAME)} = "*"`,
    '',
    '[[tool.poetry.source]]',
    'name = "bench"',
    `url = ${JSON.stringify(url)}`,
    'default = true',
    '',
    '[build-system]',
    'requires = ["poetry-core>=1.0.0"]',
    'build-backend = "poetry.core.masonry.api"',
    '',
  ].join('\n');
}

async function poetryRun(work: string, side: Side, expected: Map<string, string>, n: number): Promise<RunResult> {
  const dir = path.join(work, `poetry-${side.name}-${n}`);
  const dirs = { home: path.join(dir, 'home'), config: path.join(dir, 'config'), cache: path.join(dir, 'cache'), project: path.join(dir, 'project') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(dirs.project, 'pyproject.toml'), pyproject(side.poetryUrl));
  const env = clientEnv(dirs.home, {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    POETRY_CONFIG_DIR: dirs.config,
    POETRY_CACHE_DIR: dirs.cache,
    POETRY_NO_INTERACTION: '1',
    POETRY_VIRTUALENVS_IN_PROJECT: 'true',
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    ...(side.basic ? { POETRY_HTTP_BASIC_BENCH_USERNAME: side.basic.username, POETRY_HTTP_BASIC_BENCH_PASSWORD: side.basic.password } : {}),
  });
  try {
    const r = await timedRun(side, POETRY, ['lock'], { env, cwd: dirs.project, timeoutMs: 600_000 });
    const lockFile = path.join(dirs.project, 'poetry.lock');
    const lock = existsSync(lockFile) ? readFileSync(lockFile, 'utf8') : '';
    const locked = new Map<string, string>();
    for (const m of lock.matchAll(/^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/gm)) locked.set(m[1]!, m[2]!);
    const want = [...expected].map(([k, v]) => `${k} ${v}`).sort();
    const got = [...locked].map(([k, v]) => `${k} ${v}`).sort();
    if (r.code !== 0 || want.join('\n') !== got.join('\n'))
      throw new Error(
        `poetry lock through ${side.name} (exit ${r.code}) locked ${got.length} packages, not the ${want.length} expected:\n` +
          `${r.stdout.slice(-2000)}\n${r.stderr.slice(-3000)}`,
      );
    return { ms: r.ms, requests: r.requests, serverCpuMs: r.serverCpuMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One warm-up run per side (the reference first, so that ours measures the server's first answers to the client and
 * not the machine's first run of the client), then `rounds` measured rounds whose order alternates: AB BA AB ...
 */
async function abba(
  what: string,
  sides: Side[],
  rounds: number,
  runOne: (side: Side, n: number) => Promise<RunResult>,
): Promise<{ warmUp: Map<string, RunResult>; runs: Map<string, RunResult[]> }> {
  const warmUp = new Map<string, RunResult>();
  const runs = new Map<string, RunResult[]>(sides.map((s) => [s.name, []]));
  let n = 0;
  for (const side of [...sides].reverse()) {
    const r = await runOne(side, n++);
    log('pip', `${what}, warm-up, ${side.name}: ${fmt.s(r.ms / 1000)}, server CPU ${fmt.ms(r.serverCpuMs)}, ${describeRequests(r.requests)}`);
    warmUp.set(side.name, r);
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const r = await runOne(side, n++);
      log('pip', `${what}, round ${round + 1}/${rounds}, ${side.name}: ${fmt.s(r.ms / 1000)}, server CPU ${fmt.ms(r.serverCpuMs)}`);
      runs.get(side.name)!.push(r);
    }
  }
  return { warmUp, runs };
}

function versionLine(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').find((l) => l.trim())?.trim() ?? 'unknown';
}

// ---------------------------------------------------------------------------------------------------

export async function run(): Promise<Section> {
  requireBuild();
  const pipRounds = setting('PIP_ROUNDS', 5, 2);
  const poetryRounds = setting('POETRY_ROUNDS', 3, 1);
  const notes: string[] = [];
  const rows: string[][] = [];
  const summary: Headline[] = [];
  const title = 'pip download and poetry lock of a 50-package tree vs nginx (static PEP 503 tree)';
  const columns = ['client command', 'ours (median)', 'nginx (median)', 'ours / nginx', 'rounds', 'ours: runs', 'nginx: runs'];

  const python = findPython();
  if (!python) return { title, columns, rows, notes: ['python3 not found on PATH: nothing measured'] };
  if (!tool('nginx')) notes.push(`${MISSING_HINT.nginx} (no reference: the ratios are empty)`);
  const hasPoetry = existsSync(POETRY);
  if (!hasPoetry) notes.push(`${POETRY} not found: no poetry rows (apt-get install -y python3-poetry)`);

  const work = makeTempDir('pip');
  const dataDir = makeTempDir('pip-data');
  let server: Server | undefined;
  let nginx: Nginx | undefined;
  try {
    const dists = buildTree();
    const newest = dists.filter((d) => d.newest);
    const expectedFiles = newest.map((d) => d.filename).sort();
    const expectedLock = new Map(newest.map((d) => [d.name, d.version]));
    const bytes = dists.reduce((a, d) => a + d.data.length, 0);
    log('pip', `${dists.length} wheels of ${newest.length} projects (${fmt.kib(bytes)})`);

    // (a) This server, with auth on as a user meets it: uploads and reads carry a token.
    server = await startServer(dataDir, { extraArgs: ['--auth', 'on'] });
    const serverLog = RequestLog.ofServer(server);
    await createRepo(server, REPO);
    const token = await authToken(server);
    const auth = `Basic ${Buffer.from(`aws:${token}`).toString('base64')}`;
    const t0 = now();
    for (const d of dists) await uploadDist(server, REPO, d.name, d.version, d, DOMAIN, { authorization: auth });
    log('pip', `uploaded ${dists.length} wheels in ${fmt.s((now() - t0) / 1000)}`);
    const base = server.pypiBase(DOMAIN, REPO);
    await checkServerPages(base, auth, dists);
    serverLog.take();
    const withToken = new URL(`${base}/simple/`);
    withToken.username = 'aws';
    withToken.password = token;
    const sides: Side[] = [
      { name: 'ours', indexUrl: withToken.href, poetryUrl: `${base}/simple/`, basic: { username: 'aws', password: token }, log: serverLog,
        pids: () => [server!.pid] },
    ];

    // (b) nginx, one worker, serving the same files as a static tree.
    if (tool('nginx')) {
      const staticRoot = path.join(work, 'static');
      writeStaticTree(staticRoot, dists);
      const accessLog = path.join(work, 'nginx', 'access.log');
      mkdirSync(path.dirname(accessLog), { recursive: true });
      nginx = await startNginx(staticRoot, path.join(work, 'nginx'), { accessLog });
      const master = nginx.child.pid!;
      sides.push({
        name: 'nginx',
        indexUrl: `${nginx.url}/simple/`,
        poetryUrl: `${nginx.url}/simple/`,
        log: RequestLog.ofNginx(accessLog),
        pids: () => withChildren(master),
      });
    }

    const pipVersion = versionLine(python, ['-m', 'pip', '--version'], clientEnv(work, { PIP_CONFIG_FILE: '/dev/null' })).replace(/ from \S+/, '');
    const venvMs: number[] = [];
    const pip = await abba('pip download', sides, pipRounds, async (side, n) => {
      const r = await pipRun(python, work, side, expectedFiles, n);
      venvMs.push(r.venvMs);
      return r;
    });
    const row = (label: string, res: Awaited<ReturnType<typeof abba>>, rounds: number, figure: string) => {
      const med = (name: string) => median((res.runs.get(name) ?? []).map((r) => r.ms / 1000));
      const ours = med('ours');
      const ref = nginx ? med('nginx') : NaN;
      const ratio = ours / ref;
      const list = (name: string) => (res.runs.get(name) ?? []).map((r) => (r.ms / 1000).toFixed(2)).join(', ');
      rows.push([label, fmt.s(ours), nginx ? fmt.s(ref) : '', nginx ? fmt.ratio(ratio) : '', String(rounds), list('ours'), list('nginx')]);
      const warm = (name: string) => res.warmUp.get(name);
      rows.push([
        `${label}: warm-up run (first after the upload)`,
        fmt.s(warm('ours')!.ms / 1000),
        nginx ? fmt.s(warm('nginx')!.ms / 1000) : '',
        nginx ? fmt.ratio(warm('ours')!.ms / warm('nginx')!.ms) : '',
        '1',
        '',
        '',
      ]);
      summary.push({
        figure,
        ours: fmt.s(ours),
        reference: nginx ? `nginx static PEP 503 tree ${fmt.s(ref)}` : '',
        ...(nginx ? { ratio, target: `≤ ${TARGET}x nginx`, met: ratio <= TARGET } : {}),
      });
      for (const side of sides) {
        const runs = res.runs.get(side.name)!;
        const last = runs.at(-1)!;
        const cpu = median(runs.map((r) => r.serverCpuMs));
        notes.push(
          `${label}, ${side.name}: the server's CPU time (all threads) per run ${fmt.ms(cpu)} median ` +
            `(${fmt.ms(cpu / Math.max(1, last.requests.length))} a request); the last run's ${describeRequests(last.requests)}.`,
        );
      }
    };
    row('pip download (fresh venv, no cache)', pip, pipRounds, 'pip download, 50-package tree, fresh venv');
    notes.push(
      `pip: \`<venv>/bin/python -m pip download ${ROOT_NAME} -d <empty dir> --index-url <url> --no-cache-dir --isolated ` +
        `--disable-pip-version-check\` (${pipVersion}), in a venv made just before by \`${python} -m venv\` (its bundled pip; ` +
        `venv creation, ${fmt.s(median(venvMs) / 1000)} median, is not timed). Env: a temp HOME, PIP_CONFIG_FILE=/dev/null, ` +
        'PIP_NO_INPUT=1, no other PIP_* (this machine\'s PIP_FIND_LINKS and pip.conf would add local wheel folders), ' +
        'proxies pointing at a closed port (only 127.0.0.1 reachable). Each run must download exactly the 50 newest wheels.',
    );

    if (hasPoetry) {
      const poetryVersion = versionLine(POETRY, ['--version'], clientEnv(work, { PATH: '/usr/local/bin:/usr/bin:/bin' }));
      const lock = await abba('poetry lock', sides, poetryRounds, (side, n) => poetryRun(work, side, expectedLock, n));
      row('poetry lock (fresh cache)', lock, poetryRounds, 'poetry lock, 50-package tree, fresh cache');
      notes.push(
        `poetry: \`${POETRY} lock\` (${poetryVersion}, on /usr/bin/python3) in a new project whose only source is the index ` +
          '(`[[tool.poetry.source]]` bench, `default = true`; ours with POETRY_HTTP_BASIC_BENCH_USERNAME/PASSWORD = aws/token), ' +
          'with a new POETRY_CACHE_DIR, config dir and HOME each run, PYTHON_KEYRING_BACKEND=null; poetry.lock must list the ' +
          '50 projects at their newest versions.',
      );
    }

    notes.push(
      `The tree: ${ROOT_NAME} needs 4 projects, which need 4 each, down 3 levels, and every third one also needs a project ` +
        `of another branch (diamonds); ${dists.length - newest.length} older versions beside the newest ones ` +
        `(${dists.length} pure-Python wheels, Metadata-Version 2.1, ${fmt.kib(bytes)} in all), uploaded through the PyPI upload API.`,
      `Ours: \`--auth on\`, the index URL http://aws:TOKEN@127.0.0.1:PORT/pypi/d/${DOMAIN}-000000000000/${REPO}/simple/ ` +
        '(as `aws codeartifact login --tool pip` writes it), default log level (a JSON line per request). nginx: 1 worker, ' +
        'sendfile, access log on, serving simple/<project>/index.html (text/html, the same sha256 fragments, data-requires-python ' +
        'and PEP 658/714 data-core-metadata/data-dist-info-metadata attributes as our HTML page) and files/<file>[.metadata]. ' +
        'pip asks for JSON first (PEP 691), which our server answers; nginx answers HTML.',
      'Timed: the client command alone, spawn to exit. Each side gets one warm-up run first (nginx, then ours: the first ' +
        'requests of this client to our server; reported, not in the medians); ' +
        'then the rounds alternate the order (ours, nginx | nginx, ours | ...). The client runs on the same 2 cores as the servers.',
      'Reading the gap: both clients send one request at a time, so whatever a server spends per request adds to the wall ' +
        'time directly; the request counts above come from both servers\' logs (the same requests on both sides is the ' +
        'check that neither does extra work: no 401 challenge, no redirect, no missing metadata), the CPU lines say how much ' +
        'each server spent. Ours logs less time per request (`ms`, from the request to its end) than it spends: parsing, ' +
        'the log line itself and V8\'s helper threads are outside that window. The warm-up run of ours includes the first ' +
        'answers for this client\'s Accept header (Express, before the fast lane has an offer) and, for poetry, whose pages ' +
        'are HTML, loading pug and compiling the page template once per process.',
    );
    return { title, columns, rows, notes, summary };
  } finally {
    if (nginx) await nginx.stop();
    if (server) await server.stop();
    removeTempDir(work);
    removeTempDir(dataDir);
  }
}

if (isMain(import.meta.url)) runStandalone('pip', run);
