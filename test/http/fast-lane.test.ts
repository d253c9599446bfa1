// The fast lane against the Express routes it stands in for: the same requests to a server with the lane and
// to one without, over real sockets, must give the same status, the same header lines (names as spelled, in
// order; only Date and the request id differ) and the same body bytes, and the lane must really have
// answered. Then what must make it step aside: another token, an expired one, any write (here or from a
// second process on the same data), an upstream file not yet copied in.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppListener } from '../../server/app.js';
import { loadConfig, type ServerConfig } from '../../server/config.js';
import { log, setLogger } from '../../server/log.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';
import { sha256Hex } from '../../core/ids.js';
import { writeSdist, writeWheel } from '../support/archives.js';

const OWNER = '000000000000';
const REPO = `/pypi/d/dom-${OWNER}/repo`;
const TEAM = `/pypi/d/dom-${OWNER}/team`;
const VHOST = `dom-${OWNER}.d.codeartifact.us-east-1.localhost`;
const METADATA = 'Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\nSummary: demo\nRequires-Python: >=3.8\n\n# Demo\n';

let dir: string;
let store: Store;
let laneApp: AppListener;
let plainApp: AppListener;
let laneServer: Server;
let plainServer: Server;
let token: string;
let otherToken: string;
let wheel: Buffer;
let sdist: Buffer;

const auth = (t: string) => `Basic ${Buffer.from(`aws:${t}`).toString('base64')}`;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface RawResponse {
  status: number;
  /** Header lines as sent, minus the per-request ones. */
  headers: [string, string][];
  body: Buffer;
  requestId: string | undefined;
}

const PER_REQUEST = new Set(['date', 'x-amzn-requestid', 'connection', 'keep-alive']);

function send(server: Server, method: string, url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const lines: [string, string][] = [];
        let requestId: string | undefined;
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const [name, value] = [res.rawHeaders[i]!, res.rawHeaders[i + 1]!];
          if (name.toLowerCase() === 'x-amzn-requestid') requestId = value;
          if (!PER_REQUEST.has(name.toLowerCase())) lines.push([name, value]);
        }
        resolve({ status: res.statusCode!, headers: lines, body: Buffer.concat(chunks), requestId });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * The request to the plain server, then twice to the lane's (the first through Express, offering; the second
 * answered by the lane): the lane's answer must be the plain one. Returns it, and whether the lane answered.
 */
async function compare(method: string, url: string, headers: Record<string, string> = {}) {
  const expected = await send(plainServer, method, url, headers);
  await send(laneServer, method, url, headers);
  const hitsBefore = laneApp.serving.lane!.stats.hits;
  const actual = await send(laneServer, method, url, headers);
  const byLane = laneApp.serving.lane!.stats.hits > hitsBefore;
  expect(actual.status).toBe(expected.status);
  expect(actual.headers).toEqual(expected.headers);
  expect(actual.body.equals(expected.body)).toBe(true);
  expect(actual.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(actual.requestId).not.toBe(expected.requestId);
  return { response: actual, byLane };
}

const authed = (extra: Record<string, string> = {}) => ({ Authorization: auth(token), ...extra });

function upload(file: Buffer, filename: string, version = '1.0', repo = REPO) {
  let r = request(plainApp).post(`${repo}/`).set('Authorization', auth(token));
  const fields = { ':action': 'file_upload', protocol_version: '1', name: 'demo-pkg', version, sha256_digest: sha256(file) };
  for (const [k, v] of Object.entries(fields)) r = r.field(k, v);
  return r.attach('content', file, { filepath: filename, contentType: 'application/octet-stream' } as never);
}

function config(fastLane: boolean): ServerConfig {
  // The wheel is served from memory, the larger sdist streamed.
  return { ...loadConfig([], {}), publicUrl: 'http://127.0.0.1:1', fastLane, hotBlobs: { capacityBytes: 1 << 20, maxFileBytes: wheel.length } };
}

async function listen(app: AppListener): Promise<Server> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-lane-'));
  store = openStore(dir);
  writeWheel(path.join(dir, 'w.whl'), 'demo_pkg', '1.0', METADATA);
  // Incompressible filler makes the sdist the larger file.
  writeSdist(path.join(dir, 's.tar.gz'), 'demo_pkg', '1.0', METADATA + randomBytes(30_000).toString('base64'));
  wheel = readFileSync(path.join(dir, 'w.whl'));
  sdist = readFileSync(path.join(dir, 's.tar.gz'));
  expect(sdist.length).toBeGreaterThan(wheel.length);
  laneApp = createApp(store, config(true));
  plainApp = createApp(store, config(false));
  expect(plainApp.serving.lane).toBeUndefined();
  [laneServer, plainServer] = await Promise.all([listen(laneApp), listen(plainApp)]);
  for (const d of ['dom', 'other']) await request(plainApp).post(`/v1/domain?domain=${d}`).send({}).expect(200);
  await request(plainApp).post('/v1/repository?domain=dom&repository=repo').send({}).expect(200);
  await request(plainApp)
    .post('/v1/repository?domain=dom&repository=team')
    .send({ upstreams: [{ repositoryName: 'repo' }] })
    .expect(200);
  token = (await request(plainApp).post('/v1/authorization-token?domain=dom').expect(200)).body.authorizationToken;
  otherToken = (await request(plainApp).post('/v1/authorization-token?domain=other').expect(200)).body.authorizationToken;
  await upload(wheel, 'demo_pkg-1.0-py3-none-any.whl').expect(200);
  await upload(sdist, 'demo_pkg-1.0.tar.gz').expect(200);
});

afterAll(async () => {
  await Promise.all([laneServer, plainServer].map((s) => s && new Promise((r) => s.close(r))));
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const WHEEL_URL = `${REPO}/simple/demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl`;
const SDIST_URL = `${REPO}/simple/demo-pkg/1.0/demo_pkg-1.0.tar.gz`;

describe('the fast lane answers as the routes do', () => {
  it.each([
    ['no Accept (HTML)', {}],
    ['PEP 691 JSON', { Accept: 'application/vnd.pypi.simple.v1+json' }],
    ['pip’s Accept', { Accept: 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01' }],
    ['text/html', { Accept: 'text/html' }],
    ['*/*', { Accept: '*/*' }],
  ])('a project page, %s', async (_name, headers) => {
    const { response, byLane } = await compare('GET', `${REPO}/simple/demo-pkg/`, authed(headers));
    expect(response.status).toBe(200);
    expect(response.body.toString()).toContain('demo_pkg-1.0-py3-none-any.whl');
    expect(byLane).toBe(true);
  });

  it('HEAD of a project page, and 304 for its ETag', async () => {
    const head = await compare('HEAD', `${REPO}/simple/demo-pkg/`, authed());
    expect(head.byLane).toBe(true);
    expect(head.response.body.length).toBe(0);
    const etag = (await send(plainServer, 'GET', `${REPO}/simple/demo-pkg/`, authed())).headers.find(([n]) => n === 'ETag')![1];
    const notModified = await compare('GET', `${REPO}/simple/demo-pkg/`, authed({ 'If-None-Match': etag }));
    expect(notModified.response.status).toBe(304);
    expect(notModified.byLane).toBe(true);
  });

  it('the project list, HTML and JSON', async () => {
    for (const accept of [undefined, 'application/vnd.pypi.simple.v1+json']) {
      const { response, byLane } = await compare('GET', `${REPO}/simple/`, authed(accept ? { Accept: accept } : {}));
      expect(response.body.toString()).toContain('demo-pkg');
      expect(byLane).toBe(true);
    }
  });

  it('PEP 658 metadata', async () => {
    const { response, byLane } = await compare('GET', `${WHEEL_URL}.metadata`, authed());
    expect(response.body.toString()).toBe(METADATA);
    expect(byLane).toBe(true);
  });

  it.each([
    ['GET', {}],
    ['HEAD', {}],
    ['GET', { Range: 'bytes=0-9' }],
    ['GET', { Range: 'bytes=-5' }],
    ['GET', { Range: 'bytes=0-1,5-9' }],
    ['GET', { Range: 'bytes=999999-' }],
    ['GET', { Range: 'bytes=0-9', 'If-Range': '"not-this"' }],
  ])('a file download from memory and streamed: %s %j', async (method, headers) => {
    for (const [url, file] of [
      [WHEEL_URL, wheel],
      [SDIST_URL, sdist],
    ] as const) {
      const { response, byLane } = await compare(method, url, authed(headers));
      expect(byLane).toBe(true);
      if (method === 'GET' && response.status === 200) expect(response.body.equals(file)).toBe(true);
    }
    expect(laneApp.serving.hot.size.entries).toBeGreaterThan(0);
  });

  it('a download with the ETag already held: 304', async () => {
    const { response, byLane } = await compare('GET', WHEEL_URL, authed({ 'If-None-Match': `"${sha256(wheel)}"` }));
    expect(response.status).toBe(304);
    expect(byLane).toBe(true);
  });

  it('the virtual-host form', async () => {
    const { response, byLane } = await compare('GET', '/pypi/repo/simple/demo-pkg/', authed({ Host: VHOST }));
    expect(response.status).toBe(200);
    expect(byLane).toBe(true);
  });

  it('Bearer tokens (npm’s form) as Basic ones', async () => {
    const { byLane } = await compare('GET', `${REPO}/simple/demo-pkg/`, { Authorization: `Bearer ${token}` });
    expect(byLane).toBe(true);
  });
});

describe('the fast lane steps aside', () => {
  it('for a missing, unknown or other domain’s token: 401 / 401 / 403 from the routes', async () => {
    await send(laneServer, 'GET', `${REPO}/simple/demo-pkg/`, authed());
    for (const [headers, status] of [
      [{}, 401],
      [{ Authorization: auth('nope') }, 401],
      [{ Authorization: auth(otherToken) }, 403],
    ] as const) {
      const { response, byLane } = await compare('GET', `${REPO}/simple/demo-pkg/`, headers);
      expect(response.status).toBe(status);
      expect(byLane).toBe(false);
    }
  });

  it('for a token that has expired since it was first seen', async () => {
    const shortLived = 'short-lived-token-for-the-lane';
    const domain = await store.domains.find(OWNER, 'dom');
    await store.transaction((tx) =>
      tx.tokens.add({ tokenSha256: sha256Hex(shortLived), domainId: domain!.id, createdAt: Date.now(), expiresAt: Date.now() + 600 }),
    );
    const url = `${REPO}/simple/demo-pkg/`;
    const headers = { Authorization: auth(shortLived) };
    await send(laneServer, 'GET', url, headers);
    expect((await send(laneServer, 'GET', url, headers)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    const hits = laneApp.serving.lane!.stats.hits;
    const after = await send(laneServer, 'GET', url, headers);
    expect(after.status).toBe(401);
    expect(after.body.toString()).toMatch(/expired/);
    expect(laneApp.serving.lane!.stats.hits).toBe(hits);
  });

  it('after any write: a new version shows at once, through the lane as through the routes', async () => {
    const url = `${REPO}/simple/demo-pkg/`;
    await compare('GET', url, authed());
    writeWheel(path.join(dir, 'w2.whl'), 'demo_pkg', '2.0', METADATA.replace('Version: 1.0', 'Version: 2.0'));
    await upload(readFileSync(path.join(dir, 'w2.whl')), 'demo_pkg-2.0-py3-none-any.whl', '2.0').expect(200);
    const first = await send(laneServer, 'GET', url, authed());
    expect(first.body.toString()).toContain('demo_pkg-2.0-py3-none-any.whl');
    const { response, byLane } = await compare('GET', url, authed());
    expect(response.body.toString()).toContain('demo_pkg-2.0-py3-none-any.whl');
    expect(byLane).toBe(true);
  });

  it('after a status change and after a delete: the file is gone in both', async () => {
    const url = `${REPO}/simple/demo-pkg/2.0/demo_pkg-2.0-py3-none-any.whl`;
    expect((await compare('GET', url, authed())).byLane).toBe(true);
    await request(plainApp)
      .post(`/v1/package/versions/update_status?domain=dom&repository=repo&format=pypi&package=demo-pkg`)
      .send({ versions: ['2.0'], targetStatus: 'Archived' })
      .expect(200);
    expect((await send(laneServer, 'GET', url, authed())).status).toBe(404);
    await request(plainApp)
      .post(`/v1/package/versions/delete?domain=dom&repository=repo&format=pypi&package=demo-pkg`)
      .send({ versions: ['2.0'] })
      .expect(200);
    const { response } = await compare('GET', url, authed());
    expect(response.status).toBe(404);
  });

  it('after a write from a second process on the same data', async () => {
    const url = `${REPO}/simple/demo-pkg/`;
    await compare('GET', url, authed());
    const second = openStore(dir);
    try {
      const secondApp = createApp(second, config(false));
      writeWheel(path.join(dir, 'w3.whl'), 'demo_pkg', '3.0', METADATA.replace('Version: 1.0', 'Version: 3.0'));
      let r = request(secondApp).post(`${REPO}/`).set('Authorization', auth(token));
      const w3 = readFileSync(path.join(dir, 'w3.whl'));
      for (const [k, v] of Object.entries({ ':action': 'file_upload', protocol_version: '1', name: 'demo-pkg', version: '3.0', sha256_digest: sha256(w3) }))
        r = r.field(k, v);
      await r.attach('content', w3, { filepath: 'demo_pkg-3.0-py3-none-any.whl', contentType: 'application/octet-stream' } as never).expect(200);
    } finally {
      await second.close();
    }
    expect((await send(laneServer, 'GET', url, authed())).body.toString()).toContain('demo_pkg-3.0-py3-none-any.whl');
  });

  it('for a file found upstream until the repository holds its own copy', async () => {
    const url = `${TEAM}/simple/demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl`;
    const offers = laneApp.serving.lane!.stats.offers;
    // The first GET copies the version into team (a write): nothing to replay yet.
    const first = await send(laneServer, 'GET', url, authed());
    expect(first.status).toBe(200);
    expect(laneApp.serving.lane!.stats.offers).toBe(offers);
    const versions = await request(plainApp)
      .post('/v1/package/versions?domain=dom&repository=team&format=pypi&package=demo-pkg')
      .send({})
      .expect(200);
    expect(versions.body.versions.map((v: { version: string }) => v.version)).toContain('1.0');
    const { response, byLane } = await compare('GET', url, authed());
    expect(response.body.equals(wheel)).toBe(true);
    expect(byLane).toBe(true);
  });

  it('for anything but GET and HEAD, and for paths it was never offered', async () => {
    const hits = laneApp.serving.lane!.stats.hits;
    await send(laneServer, 'GET', '/health');
    await send(laneServer, 'GET', '/health');
    await send(laneServer, 'DELETE', `${REPO}/simple/demo-pkg/`, authed());
    await send(laneServer, 'GET', `${REPO}/simple/no-such-project/`, authed());
    await send(laneServer, 'GET', `${REPO}/simple/no-such-project/`, authed());
    expect(laneApp.serving.lane!.stats.hits).toBe(hits);
  });

  it('a deleted repository: 404 from both', async () => {
    await request(plainApp).post('/v1/repository?domain=dom&repository=gone').send({}).expect(200);
    await upload(wheel, 'demo_pkg-1.0-py3-none-any.whl', '1.0', `/pypi/d/dom-${OWNER}/gone`).expect(200);
    const url = `/pypi/d/dom-${OWNER}/gone/simple/demo-pkg/`;
    expect((await compare('GET', url, authed())).byLane).toBe(true);
    await request(plainApp).delete('/v1/repository?domain=dom&repository=gone').expect(200);
    const { response } = await compare('GET', url, authed());
    expect(response.status).toBe(404);
  });
});

describe('what the lane shares with the request chain', () => {
  it('writes the same request log line (its own request id, the bytes it sent)', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const previous = log;
    setLogger(pino({ level: 'info' }, sink));
    try {
      const url = `${REPO}/simple/demo-pkg/`;
      await send(laneServer, 'GET', url, authed());
      const hits = laneApp.serving.lane!.stats.hits;
      const byLane = await send(laneServer, 'GET', url, authed());
      expect(laneApp.serving.lane!.stats.hits).toBe(hits + 1);
      await new Promise((r) => setTimeout(r, 50));
      const [viaExpress, viaLane] = lines.filter((l) => l.msg === 'request').slice(-2);
      const pick = (l: Record<string, unknown>) => ({ method: l.method, path: l.path, status: l.status, bytes: l.bytes, level: l.level });
      expect(pick(viaLane!)).toEqual(pick(viaExpress!));
      expect(viaLane!.bytes).toBe(byLane.body.length);
      expect(viaLane!.requestId).toBe(byLane.requestId);
    } finally {
      setLogger(previous);
    }
  });

  it('steps aside while fault rules are set, so they apply to the hot reads too', async () => {
    const url = `${REPO}/simple/demo-pkg/`;
    await send(laneServer, 'GET', url, authed());
    expect((await compare('GET', url, authed())).byLane).toBe(true);
    await request(laneApp)
      .put('/_local/faults')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ rules: ['route=GET /pypi/**,status=503'] }))
      .expect(200);
    try {
      const hits = laneApp.serving.lane!.stats.hits;
      expect((await send(laneServer, 'GET', url, authed())).status).toBe(503);
      expect(laneApp.serving.lane!.stats.hits).toBe(hits);
    } finally {
      await request(laneApp).delete('/_local/faults').expect(200);
    }
    expect((await send(laneServer, 'GET', url, authed())).status).toBe(200);
  });
});

