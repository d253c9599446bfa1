// Bench: hot reads side by side. A cached project page of BENCH_HOT_SMALL_FILES (20) wheels (~8 KB of HTML) and one
// of BENCH_HOT_BIG_FILES (2,000; ~800 KB), HTML and PEP 691 JSON, the exact bytes the server answers, measured in
// one run with wrk on the same URL path and request headers against:
//   nginx           the bytes as static files (one worker, access_log off, same Content-Type)
//   bare node:http  the bytes from memory, with the server's headers and ETag (a child process)
//   bare Express 5  one route doing the same (a child process)
//   ours            this server, fast lane on (the default), auth on, a Basic aws:TOKEN header as pip sends it
//   ours, lane off  `--fast-lane off`
//   ours, warn      fast lane on, `--log-level warn` (no request-log line per request; nginx logs nothing)
// Every target answers every request of the run (1 s slices, the order reversed every slice: ABBA), so other
// work on the machine falls on all of them alike.
//
//   node --import tsx bench/hot-reads.ts        (after `npm run build`; needs wrk, nginx optional)
//   BENCH_HOT_SMALL_FILES=20 BENCH_HOT_BIG_FILES=2000   files (wheels) of the two projects
//   BENCH_HOT_CONNECTIONS=16                    wrk connections (one wrk thread)
//   BENCH_SECONDS=5                             timed 1 s slices per target and page, after a 1 s warm-up each
//   BENCH_UPLOAD_CONCURRENCY=4                  uploads in flight while loading the big project
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createRepo, DOMAIN, uploadDist, wheel } from './fixtures.js';
import {
  cpuMs,
  fmt,
  forEachConcurrent,
  freePort,
  HOST,
  isMain,
  log,
  makeTempDir,
  median,
  MISSING_HINT,
  removeTempDir,
  request,
  requireBuild,
  ROOT,
  runStandalone,
  runWrk,
  type Headline,
  type Section,
  type Server,
  setting,
  sleep,
  startServer,
  stopChild,
  tool,
  track,
  startNginx,
} from './lib.js';

const REPO = 'hot';
const SMALL_PROJECT = 'hot-reads-small';
const BIG_PROJECT = 'hot-reads-large';
const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';
const HTML_ACCEPT = 'text/html';
// Headers Node sets per response (or per request id): not replayed by the bare servers as captured.
const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

// ---------------------------------------------------------------------------------------------------
// What is served

interface Variant {
  format: 'HTML' | 'JSON';
  accept: string;
  body: Buffer;
  /** The server's response headers as it spelled them, without the per-response ones. */
  headers: [string, string][];
  etag: string;
  contentType: string;
}

interface Page {
  project: string;
  files: number;
  /** URL path of the project page (the same on every target). */
  path: string;
  html: Variant;
  json: Variant;
}

/** One GET with the raw header names kept. */
function capture(url: string, headers: Record<string, string>): Promise<{ status: number; raw: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, raw: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url}: no answer in 30 s`)));
    req.on('error', reject);
  });
}

async function captureVariant(server: Server, pagePath: string, format: 'HTML' | 'JSON', auth: string): Promise<Variant> {
  const accept = format === 'HTML' ? HTML_ACCEPT : JSON_ACCEPT;
  const r = await capture(`${server.url}${pagePath}`, { accept, authorization: auth });
  if (r.status !== 200) throw new Error(`GET ${pagePath} (${format}): HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  const headers: [string, string][] = [];
  for (let i = 0; i < r.raw.length; i += 2) if (!PER_RESPONSE.has(r.raw[i]!.toLowerCase())) headers.push([r.raw[i]!, r.raw[i + 1]!]);
  const etag = rawHeader(r.raw, 'etag');
  if (!etag) throw new Error(`GET ${pagePath} (${format}): no ETag`);
  return { format, accept, body: r.body, headers, etag, contentType: rawHeader(r.raw, 'content-type') };
}

/** The response's status line and headers, in bytes, as sent on the wire (read from a raw socket). */
function headBytes(port: number, pagePath: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error(`raw GET ${pagePath}: no answer in 10 s`)), 10_000);
    socket.on('connect', () => {
      const lines = [`GET ${pagePath} HTTP/1.1`, `Host: ${HOST}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0) {
        clearTimeout(timer);
        socket.destroy();
        resolve(end + 4);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** A header's value in a rawHeaders list ('' when absent). */
function rawHeader(raw: string[], name: string): string {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1]!;
  return '';
}

// ---------------------------------------------------------------------------------------------------
// The reference servers

interface Target {
  name: string;
  port: number;
  /** Processes whose CPU time counts (nginx: its master and worker). */
  pids: () => number[];
  stop: () => Promise<unknown>;
}

/** The children of a process (Linux: /proc/PID/task/PID/children). */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * nginx (lib.ts): a page path P is answered from the file P/page.html, or P/page.json when the Accept header
 * asks for PEP 691 JSON, with the server's Content-Types.
 */
async function startPageNginx(root: string, dir: string, variants: Variant[]): Promise<Target> {
  const typeOf = (format: 'HTML' | 'JSON') => variants.find((v) => v.format === format)!.contentType;
  const nginx = await startNginx(root, dir, {
    types: `"${typeOf('HTML')}" html; "${typeOf('JSON')}" json;`,
    http: 'map $http_accept $variant { default html; "~*application/vnd\\.pypi\\.simple\\.v1\\+json" json; }',
    location: 'location / { try_files $uri/page.$variant =404; }',
  });
  const pid = nginx.child.pid!;
  return { name: 'nginx (static file)', port: Number(new URL(nginx.url).port), pids: () => [pid, ...childPids(pid)], stop: nginx.stop };
}

/**
 * The bare servers (CommonJS, run with `node -e`): argv manifest, port, kind ('http' or 'express'). They answer
 * each page path with the captured bytes and headers (an If-None-Match of the ETag with 304), nothing else.
 */
const BARE = String.raw`
const fs = require('node:fs');
const http = require('node:http');
const [manifestFile, port, kind, root] = process.argv.slice(1);
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
const routes = new Map();
for (const r of manifest) {
  const load = (v) => ({ headers: Object.fromEntries(v.headers), body: fs.readFileSync(v.file), etag: v.etag });
  routes.set(r.path, { html: load(r.html), json: load(r.json) });
}
const pick = (route, accept) => (accept && accept.includes('application/vnd.pypi.simple.v1+json') ? route.json : route.html);
let server;
if (kind === 'http') {
  server = http.createServer((req, res) => {
    const route = routes.get(req.url);
    if (!route) {
      res.statusCode = 404;
      return res.end();
    }
    const v = pick(route, req.headers.accept);
    if (req.headers['if-none-match'] === v.etag) {
      res.writeHead(304, v.headers);
      return res.end();
    }
    res.writeHead(200, { ...v.headers, 'Content-Length': v.body.length });
    res.end(v.body);
  });
} else {
  const express = require(require('node:module').createRequire(root + '/package.json').resolve('express'));
  const app = express();
  app.disable('x-powered-by');
  for (const [p, route] of routes) {
    app.get(p, (req, res) => {
      const v = pick(route, req.get('accept'));
      res.set(v.headers);
      res.send(v.body); // 304 when req.fresh (the ETag is set, so Express does not compute one)
    });
  }
  server = http.createServer(app);
}
server.keepAliveTimeout = 60000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => process.exit(0));
`;

async function startBare(kind: 'http' | 'express', manifest: string): Promise<Target> {
  const port = await freePort();
  const child: ChildProcess = track(
    spawn(process.execPath, ['-e', BARE, manifest, String(port), kind, ROOT], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bare ${kind} server did not start:\n${out}`)), 15_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare ${kind} server exited with ${code}:\n${out}`));
    });
  });
  child.stdout!.removeAllListeners('data');
  child.stdout!.resume();
  return {
    name: kind === 'http' ? 'bare node:http (bytes from memory)' : 'bare Express 5 route',
    port,
    pids: () => [child.pid!],
    stop: () => stopChild(child),
  };
}

const ourTarget = (name: string, server: Server): Target => ({ name, port: server.port, pids: () => [server.pid], stop: () => server.stop() });

// ---------------------------------------------------------------------------------------------------
// Loading and measuring

/** `files` wheels of `project`, one per version: one at a time for a small project, else `concurrency` at a time. */
async function loadProject(server: Server, project: string, files: number, concurrency: number): Promise<void> {
  const versions = Array.from({ length: files }, (_, i) => `1.${Math.floor(i / 100)}.${i % 100}`);
  await forEachConcurrent(versions, files <= 50 ? 1 : concurrency, async (v) => {
    await uploadDist(server, REPO, project, v, wheel(project, v));
  });
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time (all threads; nginx: master and worker) per request, µs. */
  cpuUs: number;
  requests: number;
}

/**
 * Every target in 1 s wrk slices after a 1 s warm-up each: `slices` rounds, the order reversed every round
 * (ABBA). req/s: all requests ÷ all time; p50 and p99: the medians of the slices' figures.
 */
async function measureCase(
  targets: Target[],
  pagePath: string,
  headers: Record<string, string>,
  connections: number,
  slices: number,
): Promise<Measured[]> {
  const urlOf = (t: Target) => `http://${HOST}:${t.port}${pagePath}`;
  const sum = (pids: number[]) => pids.reduce((a, p) => a + (cpuMs(p) ?? NaN), 0);
  for (const t of targets) await runWrk(urlOf(t), { connections, seconds: 1, headers });
  const acc = targets.map(() => ({ requests: 0, seconds: 0, p50: [] as number[], p99: [] as number[], cpuMs: 0 }));
  for (let k = 0; k < slices; k++) {
    const order = k % 2 === 0 ? [...targets.keys()] : [...targets.keys()].reverse();
    for (const i of order) {
      const t = targets[i]!;
      const pids = t.pids();
      const cpu0 = sum(pids);
      const r = await runWrk(urlOf(t), { connections, seconds: 1, headers });
      const cpu = sum(pids) - cpu0;
      if (r.errors) throw new Error(`${t.name} ${pagePath}: wrk reported ${r.errors}`);
      const a = acc[i]!;
      a.requests += r.requests;
      a.seconds += r.requests / r.rps;
      a.p50.push(r.p50Ms);
      a.p99.push(r.p99Ms);
      a.cpuMs += cpu;
    }
  }
  return acc.map((a) => ({
    rps: a.requests / a.seconds,
    p50: median(a.p50),
    p99: median(a.p99),
    cpuUs: (a.cpuMs * 1000) / a.requests,
    requests: a.requests,
  }));
}

export async function run(): Promise<Section> {
  requireBuild();
  if (!tool('wrk'))
    return {
      title: 'Hot reads: cached project pages vs nginx, bare node:http and bare Express',
      columns: ['result'],
      rows: [['not measured: this bench needs wrk']],
      notes: [MISSING_HINT.wrk!],
    };
  const smallFiles = setting('HOT_SMALL_FILES', 20, 20);
  const bigFiles = setting('HOT_BIG_FILES', 2000, 2000);
  const connections = setting('HOT_CONNECTIONS', 16, 16);
  const slices = Math.max(1, Math.round(setting('SECONDS', 5, 2)));
  const uploadConcurrency = setting('UPLOAD_CONCURRENCY', 4, 4);
  const notes: string[] = [];

  const dataDir = makeTempDir('hot');
  const scratch = makeTempDir('hot-refs');
  const started: Target[] = [];
  const start = async (t: Promise<Target>) => {
    const target = await t;
    started.push(target);
    return target;
  };
  try {
    // Load through the PyPI upload API with auth off (the fixtures send no token), then serve with auth on.
    const loader = await startServer(dataDir);
    try {
      await createRepo(loader, REPO);
      log('hot', `uploading ${smallFiles} + ${bigFiles} wheels`);
      await loadProject(loader, SMALL_PROJECT, smallFiles, uploadConcurrency);
      await loadProject(loader, BIG_PROJECT, bigFiles, uploadConcurrency);
    } finally {
      await loader.stop();
    }

    const on = await startServer(dataDir, { extraArgs: ['--auth', 'on'] });
    const ours = ourTarget('ours, fast lane on (default)', on);
    started.push(ours);
    const token = await request(`${on.url}/v1/authorization-token?domain=${DOMAIN}`, { method: 'POST' });
    if (token.status !== 200) throw new Error(`GetAuthorizationToken: HTTP ${token.status}`);
    const auth = `Basic ${Buffer.from(`aws:${(JSON.parse(token.body.toString('utf8')) as { authorizationToken: string }).authorizationToken}`).toString('base64')}`;

    const basePath = new URL(on.pypiBase(DOMAIN, REPO)).pathname;
    const pages: Page[] = [];
    for (const [project, files] of [
      [SMALL_PROJECT, smallFiles],
      [BIG_PROJECT, bigFiles],
    ] as const) {
      const pagePath = `${basePath}/simple/${project}/`;
      pages.push({
        project,
        files,
        path: pagePath,
        html: await captureVariant(on, pagePath, 'HTML', auth),
        json: await captureVariant(on, pagePath, 'JSON', auth),
      });
    }

    // The references: files for nginx, a manifest for the bare servers.
    const root = path.join(scratch, 'root');
    const manifest: unknown[] = [];
    for (const p of pages) {
      const dir = path.join(root, p.path);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'page.html'), p.html.body);
      writeFileSync(path.join(dir, 'page.json'), p.json.body);
      const entry = (v: Variant, file: string) => ({ headers: v.headers, etag: v.etag, file: path.join(dir, file) });
      manifest.push({ path: p.path, html: entry(p.html, 'page.html'), json: entry(p.json, 'page.json') });
    }
    const manifestFile = path.join(scratch, 'manifest.json');
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const nginx = tool('nginx') ? await start(startPageNginx(root, path.join(scratch, 'nginx'), [pages[0]!.html, pages[0]!.json])) : undefined;
    if (!nginx) notes.push(MISSING_HINT.nginx!);
    const ourServer = async (name: string, args: string[]) => ourTarget(name, await startServer(dataDir, { extraArgs: ['--auth', 'on', ...args] }));
    const off = await start(ourServer('ours, `--fast-lane off`', ['--fast-lane', 'off']));
    const warn = await start(ourServer('ours, fast lane on, `--log-level warn`', ['--log-level', 'warn']));
    const bareHttp = await start(startBare('http', manifestFile));
    const bareExpress = await start(startBare('express', manifestFile));
    const targets = [...(nginx ? [nginx] : []), bareHttp, bareExpress, ours, off, warn];

    // The same bytes everywhere, checked once before any load; and each target's header bytes.
    const cases = pages.flatMap((p) => [p.html, p.json].map((v) => ({ page: p, variant: v })));
    const head = new Map<string, number>();
    for (const c of cases) {
      const headers = { accept: c.variant.accept, authorization: auth };
      for (const t of targets) {
        const r = await capture(`http://${HOST}:${t.port}${c.page.path}`, headers);
        if (r.status !== 200 || !r.body.equals(c.variant.body))
          throw new Error(`${t.name} answered ${c.page.path} (${c.variant.format}) with other bytes (HTTP ${r.status}, ${r.body.length} bytes)`);
        const typeValue = rawHeader(r.raw, 'content-type');
        if (typeValue !== c.variant.contentType) throw new Error(`${t.name}: Content-Type ${typeValue}, the server's is ${c.variant.contentType}`);
        head.set(`${c.page.path} ${c.variant.format} ${t.name}`, await headBytes(t.port, c.page.path, headers));
      }
    }

    const rows: string[][] = [];
    const results = new Map<string, Measured[]>();
    for (const c of cases) {
      const label = `${fmt.int(c.page.files)} files, ${c.variant.format} (${fmt.kib(c.variant.body.length)})`;
      log('hot', `${label}: ${targets.length} targets, ${slices} × 1 s slices each after a 1 s warm-up, ${connections} connections`);
      const m = await measureCase(targets, c.page.path, { accept: c.variant.accept, authorization: auth }, connections, slices);
      results.set(`${c.page.files} ${c.variant.format}`, m);
      const ref = nginx ? m[0]! : undefined;
      for (const [i, t] of targets.entries()) {
        const r = m[i]!;
        rows.push([
          label,
          t.name,
          fmt.rps(r.rps),
          fmt.ms(r.p50),
          fmt.ms(r.p99),
          ref ? fmt.ratio(r.rps / ref.rps) : '',
          fmt.int(c.variant.body.length + head.get(`${c.page.path} ${c.variant.format} ${t.name}`)!),
          `${fmt.n(r.cpuUs)} µs`,
        ]);
      }
    }

    const ourIndex = targets.indexOf(ours);
    const small = results.get(`${smallFiles} HTML`)!;
    const big = results.get(`${bigFiles} HTML`)!;
    const smallKiB = fmt.kib(pages[0]!.html.body.length);
    const bigKiB = fmt.kib(pages[1]!.html.body.length);
    const summary: Headline[] = [];
    const ratioEntry = (m: Measured[], what: string, target?: string): Headline => {
      const ratio = nginx ? m[ourIndex]!.rps / m[0]!.rps : undefined;
      return {
        figure: `${what}, ${connections} connections: req/s, ours (fast lane) ÷ nginx`,
        ours: fmt.rps(m[ourIndex]!.rps),
        reference: nginx ? `nginx ${fmt.rps(m[0]!.rps)}` : '',
        ...(ratio !== undefined ? { ratio } : {}),
        ...(target ? { target, met: ratio !== undefined ? ratio >= 0.5 : undefined } : {}),
      };
    };
    summary.push(ratioEntry(small, `cached project page, ${smallFiles} files (${smallKiB} HTML)`, '≥ 0.5x nginx'));
    summary.push({
      figure: `cached project page, ${smallFiles} files: p99 latency at ${connections} connections, ours (fast lane) ÷ nginx`,
      ours: fmt.ms(small[ourIndex]!.p99),
      reference: nginx ? `nginx ${fmt.ms(small[0]!.p99)}` : '',
      ...(nginx ? { ratio: small[ourIndex]!.p99 / small[0]!.p99 } : {}),
      target: 'p99 < 2 ms',
      met: small[ourIndex]!.p99 < 2,
    });
    summary.push(ratioEntry(big, `cached project page, ${fmt.int(bigFiles)} files (${bigKiB} HTML)`));

    const warnIndex = targets.indexOf(warn);
    const logCost = cases.map((c) => {
      const m = results.get(`${c.page.files} ${c.variant.format}`)!;
      return `${fmt.int(c.page.files)} files ${c.variant.format} ${fmt.n(m[ourIndex]!.cpuUs - m[warnIndex]!.cpuUs)} µs`;
    });
    notes.push(
      `The request log: CPU per request of the default row − the \`--log-level warn\` row: ${logCost.join(', ')} (one JSON ` +
        'line to stdout, here a pipe the bench drains, as in every bench).',
    );
    notes.push(
      `wrk: 1 thread (the other core is the server's; the issue's nginx figure, 138k req/s, is what one wrk thread ` +
        `drives on the 2-core machine), ${connections} keep-alive connections, the same request on every target: the page ` +
        `path, \`Accept: text/html\` or \`Accept: ${JSON_ACCEPT}\`, and \`Authorization: Basic\` aws:TOKEN (as pip sends it; the ` +
        'references ignore it).',
      `Each target: ${slices} slices of 1 s after a 1 s warm-up, all targets of a page in turn, the order reversed every ` +
        'slice (ABBA). req/s: all requests ÷ all time; p50, p99: medians of the slices\' wrk --latency figures.',
      'Bodies: captured once from the server (fast lane on), then checked byte-identical on every target before any load. ' +
        'Response bytes: status line and headers (read on a raw socket) + body; nginx sends its own headers (no security ' +
        'headers, its ETag and Last-Modified), the bare servers the server\'s own (captured: the same request id each time).',
      'Servers: auth on (a token checked on every request), the default `--log-level info` (one request-log line per ' +
        'request) unless the row says `warn`; all three share one data dir, loaded first through the PyPI upload API.',
      'CPU: the server\'s CPU time per request, all threads (nginx: master and worker; the bare servers: their process), from ' +
        '/proc: steadier than req/s when other work shares the cores.',
      `nginx: 1 worker, access_log off, sendfile on, the page as a static file (try_files $uri/page.html or page.json by Accept).`,
    );
    return {
      title: `Hot reads: cached project pages (${smallFiles} and ${fmt.int(bigFiles)} files) vs nginx, bare node:http and bare Express (same bytes)`,
      columns: ['page', 'target', 'req/s', 'p50', 'p99', '÷ nginx (req/s)', 'bytes/response', 'CPU/request'],
      rows,
      notes,
      summary,
    };
  } finally {
    for (const t of started) await t.stop();
    removeTempDir(dataDir);
    removeTempDir(scratch);
  }
}

if (isMain(import.meta.url)) runStandalone('hot', run);
