// A repository's /simple/ list longer than one page of rows is streamed as its names are read: its first
// bytes leave before its last page is read, a client that goes away stops the reading, its ETag is known
// before its body (a revalidation or a HEAD reads no row), and once written it is kept and served whole,
// with its length, until something it shows changes. Over real sockets; runs with the fast lane on and off.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PAGE_SIZE, PAGE_SIZE } from '../../core/readPath/projectList.js';
import { createApp, type AppListener } from '../../server/app.js';
import { openStore } from '../../storage/open.js';
import type { Store, StoreReads } from '../../storage/ports.js';
import { testConfig } from '../support/config.js';
import { populate } from '../support/populate.js';

const OWNER = '000000000000';
const LIST = `/pypi/d/dom-${OWNER}/big/simple/`;
const PACKAGES = FIRST_PAGE_SIZE + 4 * PAGE_SIZE + 123; // six pages of rows, the last one short
const PAGES = 6;
const names = Array.from({ length: PACKAGES }, (_, i) => `pkg-${String(i).padStart(5, '0')}`);

let dir: string;
let store: Store;
let app: AppListener;
let server: Server;
let token: string;
let reads = 0;
/** Each page of rows takes a while to read, as a big repository's do on a busy machine. */
const PAGE_DELAY_MS = 15;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Pages of rows read (completely) when the first body byte arrived, and at the end. */
  readsAtFirstByte: number | undefined;
  readsAtEnd: number;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET', abortOnFirstByte = false): Promise<Reply> {
  const { port } = server.address() as AddressInfo;
  const start = reads;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: url, method, agent: false, headers: { Authorization: `Bearer ${token}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        let readsAtFirstByte: number | undefined;
        const done = () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), readsAtFirstByte, readsAtEnd: reads - start });
        res.on('data', (c: Buffer) => {
          readsAtFirstByte ??= reads - start;
          chunks.push(c);
          if (abortOnFirstByte) {
            req.destroy();
            done();
          }
        });
        res.on('end', done);
        res.on('error', (err) => (abortOnFirstByte ? undefined : reject(err)));
      },
    );
    req.on('error', (err) => (abortOnFirstByte ? undefined : reject(err)));
    req.end();
  });
}

const expectedHtml = (list: string[]) =>
  '<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1"><title>Simple index</title></head><body>' +
  list.map((n) => `<a href="${n}/">${n}</a><br>`).join('') +
  '</body></html>';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-list-stream-'));
  store = openStore(dir);
  const packages = {
    ...store.packages,
    listForIndex: async (...args: Parameters<StoreReads['packages']['listForIndex']>) => {
      await new Promise((r) => setTimeout(r, PAGE_DELAY_MS));
      const page = await store.packages.listForIndex(...args);
      reads++;
      return page;
    },
  };
  app = createApp({ ...store, packages }, { ...testConfig(), publicUrl: 'http://127.0.0.1:1' });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await request(app).post('/v1/domain?domain=dom').send({}).expect(200);
  await request(app).post('/v1/repository?domain=dom&repository=big').send({}).expect(200);
  token = (await request(app).post('/v1/authorization-token?domain=dom').expect(200)).body.authorizationToken;
  const domain = (await store.domains.find(OWNER, 'dom'))!;
  // Inserted out of order: the list's order must come from the index, not from row ids.
  await populate(store, (await store.repositories.find(domain.id, 'big'))!.id, [...names].reverse().map((name) => ({ name })));
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a long /simple/ list', () => {
  it('is streamed: its first bytes arrive before its last page of rows is read', async () => {
    const reply = await get(LIST);
    expect(reply.status).toBe(200);
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.headers.etag).toMatch(/^"[\w-]{27}"$/);
    expect(reply.body.toString('utf8')).toBe(expectedHtml(names));
    expect(reply.readsAtEnd).toBe(PAGES);
    expect(reply.readsAtFirstByte).toBe(1);
  });

  it('is kept once written: served whole with its length and the same ETag, reading no row', async () => {
    const first = await get(LIST, { Accept: 'application/vnd.pypi.simple.v1+json' });
    expect(first.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(first.body.toString('utf8'))).toEqual({ meta: { 'api-version': '1.1' }, projects: names.map((name) => ({ name })) });
    for (const accept of ['text/html', 'application/vnd.pypi.simple.v1+json']) {
      const streamed = accept === 'text/html' ? expectedHtml(names) : first.body.toString('utf8');
      const again = await get(LIST, { Accept: accept });
      expect(again.readsAtEnd).toBe(0);
      expect(again.headers['content-length']).toBe(String(Buffer.byteLength(streamed)));
      expect(again.body.toString('utf8')).toBe(streamed);
    }
    const etag = (await get(LIST)).headers.etag;
    expect((await get(LIST)).headers.etag).toBe(etag);
    if (app.serving.lane) {
      const hits = app.serving.lane.stats.hits;
      expect((await get(LIST)).body.toString('utf8')).toBe(expectedHtml(names));
      expect(app.serving.lane.stats.hits).toBe(hits + 1);
    }
  });

  it('after a change: a new ETag; a revalidation (304) and a HEAD read no row; the old ETag gets the new list', async () => {
    const before = (await get(LIST)).headers.etag!;
    const domain = (await store.domains.find(OWNER, 'dom'))!;
    await populate(store, (await store.repositories.find(domain.id, 'big'))!.id, [{ name: 'aaa-new' }]);
    const head = await get(LIST, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers.etag).not.toBe(before);
    const etag = head.headers.etag!;
    const notModified = await get(LIST, { 'If-None-Match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.readsAtEnd).toBe(0);
    const stale = await get(LIST, { 'If-None-Match': before });
    expect(stale.status).toBe(200);
    expect(stale.headers.etag).toBe(etag);
    expect(stale.body.toString('utf8')).toBe(expectedHtml(['aaa-new', ...names]));
  });

  it('stops reading when the client goes away', async () => {
    const domain = (await store.domains.find(OWNER, 'dom'))!;
    await populate(store, (await store.repositories.find(domain.id, 'big'))!.id, [{ name: 'aab-new' }]);
    const start = reads;
    const reply = await get(LIST, {}, 'GET', true);
    expect(reply.readsAtFirstByte).toBe(1);
    await new Promise((r) => setTimeout(r, PAGES * PAGE_DELAY_MS * 3));
    expect(reads - start).toBeLessThan(PAGES);
  });

  it('a list of one page is sent whole, with its length', async () => {
    await request(app).post('/v1/repository?domain=dom&repository=few').send({}).expect(200);
    const domain = (await store.domains.find(OWNER, 'dom'))!;
    await populate(store, (await store.repositories.find(domain.id, 'few'))!.id, [{ name: 'only-one' }]);
    const reply = await get(`/pypi/d/dom-${OWNER}/few/simple/`);
    expect(reply.headers['content-length']).toBe(String(reply.body.length));
    expect(reply.body.toString('utf8')).toBe(expectedHtml(['only-one']));
    expect(reply.readsAtEnd).toBe(1);
  });
});
