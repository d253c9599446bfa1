// /_local/faults in process: GET shows, PUT replaces (every invalid body a 4xx with a reason, never a 5xx),
// DELETE clears; and what an injected fault looks like on the wire: the control plane's modeled error
// (status, x-amzn-ErrorType, Retry-After, JSON body), a package route's status with Retry-After, latency, and
// the paths faults never touch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import type { FaultLogEntry } from '../../server/faults/log.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';

let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
const logged: FaultLogEntry[] = [];

const put = (body: unknown, type = 'application/json') =>
  request(app)
    .put('/_local/faults')
    .set('Content-Type', type)
    .send(typeof body === 'string' ? body : JSON.stringify(body));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-faults-'));
  store = openStore(dir);
  const config = { ...loadConfig(['--auth', 'off'], {}), publicUrl: 'http://127.0.0.1:9' };
  app = createApp(store, config, { faultLog: (e) => logged.push(e) });
  await request(app).post('/v1/domain?domain=acme').send({}).expect(200);
  await request(app).post('/v1/repository?domain=acme&repository=main').send({}).expect(200);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await request(app).delete('/_local/faults').expect(200);
  logged.length = 0;
});

describe('/_local/faults', () => {
  it('GET: no rules by default, the default seed, not cached', async () => {
    const r = await request(app).get('/_local/faults').expect(200);
    expect(r.body).toEqual({ seed: 1, rules: [] });
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('PUT replaces the rules (strings and objects), answers what GET then shows; counters start at 0', async () => {
    const r = await put({
      seed: 7,
      rules: ['op=ListDomains,error=ThrottlingException,every=2', { route: 'GET /pypi/**/*.whl', status: 503, prob: 0.5, count: 2 }],
    }).expect(200);
    const expected = {
      seed: 7,
      rules: [
        {
          rule: 1,
          spec: 'op=ListDomains,error=ThrottlingException,retryAfter=1,every=2',
          op: 'ListDomains',
          error: 'ThrottlingException',
          retryAfter: 1,
          every: 2,
          matched: 0,
          injected: 0,
          injectedOn: [],
        },
        {
          rule: 2,
          spec: 'route=GET /pypi/**/*.whl,status=503,retryAfter=1,prob=0.5,count=2',
          route: 'GET /pypi/**/*.whl',
          status: 503,
          retryAfter: 1,
          prob: 0.5,
          count: 2,
          matched: 0,
          injected: 0,
          injectedOn: [],
        },
      ],
    };
    expect(r.body).toEqual(expected);
    expect((await request(app).get('/_local/faults').expect(200)).body).toEqual(expected);
    // Without a seed the current one stays; the rules and counters are replaced.
    await request(app).post('/v1/domains').expect(200);
    const again = await put({ rules: ['op=ListDomains,latency=1'] }).expect(200);
    expect(again.body).toMatchObject({ seed: 7, rules: [{ spec: 'op=ListDomains,latency=1', matched: 0 }] });
  });

  it('the specs GET shows go back in with PUT as they are', async () => {
    await put({ rules: ['op=List*,error=ThrottlingException,prob=0.25,count=3', 'route=POST /pypi/**,status=500,latency=5'] }).expect(200);
    const shown = (await request(app).get('/_local/faults')).body.rules.map((r: { spec: string }) => r.spec);
    const back = await put({ rules: shown }).expect(200);
    expect(back.body.rules.map((r: { spec: string }) => r.spec)).toEqual(shown);
  });

  it('DELETE clears the rules and keeps the seed', async () => {
    await put({ seed: 3, rules: ['op=ListDomains,error=ThrottlingException'] }).expect(200);
    const r = await request(app).delete('/_local/faults').expect(200);
    expect(r.body).toEqual({ seed: 3, rules: [] });
    await request(app).post('/v1/domains').expect(200);
  });

  it.each([
    ['an empty body', '', /PUT takes a JSON body/],
    ['text that is not JSON', 'op=ListDomains', /the body is not JSON/],
    ['a JSON array', [], /the body is a JSON object/],
    ['null', 'null', /the body is a JSON object/],
    ['an unknown member', { rules: [], faults: [] }, /unknown member 'faults' \(members: rules, seed\)/],
    ['no rules', { seed: 1 }, /"rules" is an array/],
    ['rules not an array', { rules: 'op=ListDomains,latency=1' }, /"rules" is an array/],
    ['a bad seed', { seed: -1, rules: [] }, /"seed" is a whole number/],
    ['a fractional seed', { seed: 1.5, rules: [] }, /"seed" is a whole number/],
    ['a bad rule, named by position', { rules: ['op=ListDomains,latency=1', 'op=ListDomains'] }, /^rules\[1\]: a rule needs an effect/],
    ['an object rule with a wrong type', { rules: [{ op: 'ListDomains', error: 'ThrottlingException', every: '2x' }] }, /rules\[0\]: every must be a whole number/],
    ['an undeclared error', { rules: [{ op: 'ListDomains', error: 'ConflictException' }] }, /ListDomains does not declare ConflictException/],
    ['too many rules', { rules: Array.from({ length: 101 }, () => 'op=ListDomains,latency=1') }, /at most 100 rules/],
    ['JSON nested 50,000 deep', `{"rules": [${'['.repeat(50_000)}${']'.repeat(50_000)}]}`, /rules\[0\]: a rule is a string|the body is not JSON/],
  ])('PUT with %s: 400 with the reason, and the rules unchanged', async (_what, body, reason) => {
    await put({ rules: ['op=DescribeDomain,latency=1'] }).expect(200);
    const r = await put(body);
    expect(r.status, r.text).toBe(400);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.body.message).toMatch(reason);
    expect(r.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect((await request(app).get('/_local/faults')).body.rules.map((x: { spec: string }) => x.spec)).toEqual(['op=DescribeDomain,latency=1']);
  });

  it('PUT of a body over 1 MiB: 413 with a reason', async () => {
    const r = await put(JSON.stringify({ rules: [], pad: 'x'.repeat(1_100_000) }));
    expect(r.status).toBe(413);
    expect(r.body.message).toMatch(/larger than 1mb/);
  });

  it('PUT in a charset the reader does not know: a 4xx with a reason, not a 5xx', async () => {
    const r = await put('{"rules": []}', 'application/json; charset=klingon');
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body.message).toMatch(/cannot read the body/);
  });

  it('PUT accepts any content type (curl --data sends form-urlencoded)', async () => {
    await put({ rules: ['op=ListDomains,latency=1'] }, 'application/x-www-form-urlencoded').expect(200);
  });

  it('other methods: 405 with Allow', async () => {
    for (const method of ['post', 'patch'] as const) {
      const r = await request(app)[method]('/_local/faults').send('{}');
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('GET, PUT, DELETE');
      expect(r.body.message).toMatch(/GET shows the rules, PUT replaces them, DELETE clears them/);
    }
  });
});

describe('injected faults on the wire', () => {
  it('control plane: ThrottlingException as AWS sends it — 429, x-amzn-ErrorType, Retry-After, {message}', async () => {
    await put({ rules: ['op=ListDomains,error=ThrottlingException,every=2,retryAfter=3'] }).expect(200);
    await request(app).post('/v1/domains').expect(200);
    const r = await request(app).post('/v1/domains').expect(429);
    expect(r.headers['x-amzn-errortype']).toBe('ThrottlingException');
    expect(r.headers['retry-after']).toBe('3');
    expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body).toEqual({ message: 'Injected fault (rule 1: op=ListDomains,error=ThrottlingException,retryAfter=3,every=2)' });
    await request(app).post('/v1/domains').expect(200);
    expect(logged).toEqual([
      expect.objectContaining({ rule: 1, match: 2, target: 'ListDomains', requestId: r.headers['x-amzn-requestid'] }),
    ]);
    expect((await request(app).get('/_local/faults')).body.rules[0]).toMatchObject({ matched: 3, injected: 1, injectedOn: [2] });
  });

  it('control plane: the other modeled errors with their declared statuses and members', async () => {
    const cases: Array<[string, string, number, Record<string, unknown>]> = [
      ['InternalServerException', 'post /v1/domains', 500, {}],
      ['AccessDeniedException', 'post /v1/domains', 403, {}],
      ['ValidationException', 'post /v1/domains', 400, { reason: 'OTHER' }],
      ['ServiceQuotaExceededException', 'post /v1/domain?domain=other', 402, {}],
      ['ConflictException', 'post /v1/domain?domain=other', 409, {}],
      ['ResourceNotFoundException', 'get /v1/domain?domain=acme', 404, {}],
    ];
    for (const [code, route, status, members] of cases) {
      const op = route.includes('domains') ? 'ListDomains' : route.startsWith('get') ? 'DescribeDomain' : 'CreateDomain';
      await put({ rules: [`op=${op},error=${code}`] }).expect(200);
      const [method, url] = route.split(' ') as ['post' | 'get', string];
      const r = await request(app)[method](url).send({});
      expect(r.status, code).toBe(status);
      expect(r.headers['x-amzn-errortype']).toBe(code);
      expect(r.headers['retry-after']).toBeUndefined();
      expect(r.body).toEqual({ message: `Injected fault (rule 1: op=${op},error=${code})`, ...members });
    }
    // The fault came before the handler: the domain was not created.
    expect((await request(app).post('/v1/domains').expect(200)).body.domains.map((d: { name: string }) => d.name)).toEqual(['acme']);
  });

  it('control plane: the fault comes before input validation, and other operations are untouched', async () => {
    await put({ rules: ['op=DescribeDomain,error=ThrottlingException'] }).expect(200);
    expect((await request(app).get('/v1/domain')).status).toBe(429); // no ?domain=: would be a 400
    await request(app).post('/v1/domains').expect(200);
  });

  it('latency: the answer waits, then proceeds normally', async () => {
    await put({ rules: ['op=ListDomains,latency=300'] }).expect(200);
    const start = Date.now();
    await request(app).post('/v1/domains').expect(200);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(logged[0]?.effect).toBe('latency 300 ms');
  });

  it('package route: the status with Retry-After and a line of text; the route answers again after count', async () => {
    await put({ rules: ['route=GET /pypi/**/simple/,status=503,count=1'] }).expect(200);
    const url = '/pypi/d/acme-000000000000/main/simple/';
    const r = await request(app).get(url).expect(503);
    expect(r.headers['retry-after']).toBe('1');
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expect(r.text).toBe('Injected fault (rule 1: route=GET /pypi/**/simple/,status=503,retryAfter=1,count=1)\n');
    await request(app).get(url).expect(200);
    expect(logged).toEqual([expect.objectContaining({ target: `GET ${url}`, effect: '503 (Retry-After 1 s)' })]);
  });

  it('package route: 429 and a status without Retry-After; the method must match', async () => {
    await put({ rules: ['route=POST /pypi/**,status=429,retryAfter=5', 'route=GET /pypi/**,status=500,count=1'] }).expect(200);
    const post = await request(app).post('/pypi/d/acme-000000000000/main/').send('x');
    expect(post.status).toBe(429);
    expect(post.headers['retry-after']).toBe('5');
    const get = await request(app).get('/pypi/d/acme-000000000000/main/simple/');
    expect(get.status).toBe(500);
    expect(get.headers['retry-after']).toBeUndefined();
  });

  it('route patterns see the path as the client sent it: virtual-host and path-style told apart', async () => {
    await put({ rules: ['route=GET /pypi/*/simple/,status=503'] }).expect(200);
    const vhost = await request(app).get('/pypi/main/simple/').set('Host', 'acme-000000000000.d.codeartifact.us-east-1.localhost');
    expect(vhost.status).toBe(503);
    await request(app).get('/pypi/d/acme-000000000000/main/simple/').expect(200);
  });

  it('never /health, /_local/faults or the control plane, whatever the route rule', async () => {
    await put({ rules: ['route=* /**,status=503'] }).expect(200);
    await request(app).get('/health').expect(200);
    await request(app).get('/_local/faults').expect(200);
    await request(app).post('/v1/domains').expect(200);
    expect((await request(app).get('/')).status).toBe(503); // the web UI is a route like any other
    await request(app).delete('/_local/faults').expect(200);
  });
});
