// Security headers on every kind of response (API answers and errors, package endpoints, simple pages, the
// UI, fallbacks), a strict CSP for the UI that still allows what its pages use (one same-origin stylesheet),
// and default-src 'none' everywhere else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { testConfig } from '../support/config.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';

let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
let open: ReturnType<typeof createApp>;

const API_CSP = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";
const UI_CSP = "default-src 'none';style-src 'self';img-src 'self';frame-ancestors 'none';base-uri 'none';form-action 'none'";

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-headers-'));
  store = openStore(dir);
  const config = testConfig({ publicUrl: 'http://127.0.0.1:9' });
  app = createApp(store, config);
  open = createApp(store, { ...config, auth: false });
  await request(app).post('/v1/domain?domain=acme').send({}).expect(200);
  await request(app).post('/v1/repository?domain=acme&repository=team').send({}).expect(200);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectHeaders(res: request.Response, csp: string) {
  expect(res.headers['content-security-policy']).toBe(csp);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe('security headers', () => {
  const api: [string, () => request.Test, number][] = [
    ['health', () => request(app).get('/health'), 200],
    ['a control-plane answer', () => request(app).post('/v1/domains').send({}), 200],
    ['a control-plane error', () => request(app).post('/v1/domain?domain=acme').send({}), 409],
    ['a validation error', () => request(app).post('/v1/domain?domain=Not_Valid').send({}), 400],
    ['an unknown operation', () => request(app).get('/v1/nothing'), 400],
    ['a package endpoint without a token', () => request(app).get('/pypi/d/acme-000000000000/team/simple/'), 401],
    ['a simple index page', () => request(open).get('/pypi/d/acme-000000000000/team/simple/'), 200],
    ['a missing project', () => request(open).get('/pypi/d/acme-000000000000/team/simple/nope/'), 404],
    ['a missing file', () => request(open).get('/pypi/d/acme-000000000000/team/files/nope-1.0.tar.gz'), 404],
    ['a format not served yet', () => request(open).get('/npm/d/acme-000000000000/team/x'), 501],
    ['the fallback 404', () => request(app).get('/no/such/path'), 404],
  ];
  for (const [what, send, status] of api) {
    it(`on ${what} (${status}): default-src 'none'`, async () => {
      const res = await send();
      expect(res.status).toBe(status);
      expectHeaders(res, API_CSP);
    });
  }

  it('on a bad percent-escape answered by the last-resort handler', async () => {
    const res = await request(app).get('/ui/%E0%A4%A/x');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectHeaders(res, API_CSP);
  });

  it('on the UI: a CSP that allows only its same-origin stylesheet, which is all its pages use', async () => {
    for (const page of ['/', '/ui/acme/team']) {
      const res = await request(app).get(page).expect(200);
      expectHeaders(res, UI_CSP);
      expect(res.text).not.toMatch(/<style|\sstyle=|<script|\son[a-z]+=/i);
      const sheets = [...res.text.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
      expect(sheets).toEqual(['/ui/style.css']);
    }
    const css = await request(app).get('/ui/style.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toContain('.status-Published');
    expectHeaders(css, API_CSP);
    await request(app).get('/ui/style.css').set('If-None-Match', css.headers.etag!).expect(304);
  });

  it('on a UI error page too', async () => {
    const res = await request(app).get('/ui/nope/none').expect(404);
    expectHeaders(res, UI_CSP);
  });
});
