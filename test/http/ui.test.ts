// The read-only web UI renders what the API holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { testConfig } from '../support/config.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';
import { createHash } from 'node:crypto';

let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-ui-'));
  store = openStore(dir);
  app = createApp(store, testConfig({ publicUrl: 'http://127.0.0.1:9' }));
  await request(app).post('/v1/domain?domain=acme').send({}).expect(200);
  await request(app).post('/v1/repository?domain=acme&repository=base').send({}).expect(200);
  await request(app)
    .post('/v1/repository?domain=acme&repository=team')
    .send({ description: 'Team <packages>', upstreams: [{ repositoryName: 'base' }] })
    .expect(200);
  const body = Buffer.from('tool bytes');
  await request(app)
    .post('/v1/package/version/publish?domain=acme&repository=team&format=generic&namespace=tools&package=cli&version=2.0.0&asset=cli.tgz')
    .set('x-amz-content-sha256', createHash('sha256').update(body).digest('hex'))
    .set('Content-Type', 'application/octet-stream')
    .send(body)
    .expect(200);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('web UI', () => {
  it('lists domains and repositories with their upstreams, escaping text', async () => {
    const res = await request(app).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<h2>acme</h2>');
    expect(res.text).toContain('<a href="/ui/acme/team">team</a>');
    expect(res.text).toContain('Team &lt;packages&gt;');
    expect(res.text).toMatch(/<td>base<\/td>/);
  });

  it('shows a repository’s packages and how to log in to it', async () => {
    const res = await request(app).get('/ui/acme/team').expect(200);
    expect(res.text).toContain('aws codeartifact login --tool pip   --domain acme --repository team');
    expect(res.text).toContain('/ui/acme/team/generic/cli?namespace=tools');
  });

  it('shows a package’s versions, statuses and asset hashes', async () => {
    const res = await request(app).get('/ui/acme/team/generic/cli?namespace=tools').expect(200);
    expect(res.text).toContain('status-Published');
    expect(res.text).toContain(createHash('sha256').update('tool bytes').digest('hex'));
  });

  it('answers unknown resources with 404', async () => {
    await request(app).get('/ui/acme/nope').expect(404);
    await request(app).get('/ui/acme/team/generic/missing?namespace=tools').expect(404);
  });
});
