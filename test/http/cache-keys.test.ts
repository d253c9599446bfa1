// Cached simple-index pages never outlive what they were rendered from, in-process (supertest): a project
// page after its package was deleted and a new one published under the same name, and a project list after
// its repository was deleted and a repository created in its place (same name, or in another domain).
//
// Why these cases: cached pages were once keyed by database row ids plus counters
// (`project:{package.id}:{generation}:{format}`, `list:{repository.id}:{serial}:{format}`). SQLite gives a new
// row max(rowid)+1 (no AUTOINCREMENT), so after the row with the highest id is deleted the next insert gets
// the same id, and its counter restarts at 0. Each test below deletes the newest row, creates its successor
// at once (so it inherits the id), then makes exactly as many changes as its predecessor had (so the counter
// matches too): a cache keyed that way serves the deleted row's page. Keys are now change serials, which are
// never handed out twice. A last case: a second server on the same data dir sees the first one's changes.
//
// Needs: python3 (test/support/archives.ts writes the wheels). Same set-up as pypi-endpoint.test.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { testConfig } from '../support/config.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';
import { writeWheel } from '../support/archives.js';

const OWNER = '000000000000';
const JSON_ACCEPT = 'application/vnd.pypi.simple.v1+json';
const HTML_ACCEPT = 'text/html';

let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
const tokens: Record<string, string> = {};

const auth = (t: string) => `Basic ${Buffer.from(`aws:${t}`).toString('base64')}`;
const baseOf = (domain: string, repository: string) => `/pypi/d/${domain}-${OWNER}/${repository}`;

/** A wheel of `name` `version` whose bytes differ from every other one this suite builds. */
function wheelOf(name: string, version: string): { bytes: Buffer; filename: string } {
  const dist = name.replace(/-/g, '_');
  const file = path.join(dir, `${dist}-${version}-py3-none-any.whl`);
  writeWheel(file, dist, version, `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: ${name} ${version}\n\n`);
  return { bytes: readFileSync(file), filename: path.basename(file) };
}

async function upload(domain: string, repository: string, name: string, version: string) {
  const w = wheelOf(name, version);
  await request(app)
    .post(`${baseOf(domain, repository)}/`)
    .set('Authorization', auth(tokens[domain]!))
    .field(':action', 'file_upload')
    .field('protocol_version', '1')
    .field('name', name)
    .field('version', version)
    .field('filetype', 'bdist_wheel')
    .field('pyversion', 'py3')
    .field('metadata_version', '2.1')
    .attach('content', w.bytes, { filename: w.filename, contentType: 'application/octet-stream' })
    .expect(200);
  return w;
}

function page(domain: string, repository: string, suffix: string, accept: string) {
  return request(app)
    .get(`${baseOf(domain, repository)}/simple/${suffix}`)
    .set('Authorization', auth(tokens[domain]!))
    .set('Accept', accept);
}

async function projectPage(domain: string, repository: string, project: string) {
  const res = await page(domain, repository, `${project}/`, JSON_ACCEPT).expect(200);
  const body = JSON.parse(res.text);
  return { versions: body.versions as string[], files: (body.files as { filename: string }[]).map((f) => f.filename) };
}

/** The project names of /simple/, as JSON and as HTML (each format is cached on its own). */
async function projectList(domain: string, repository: string) {
  const json = await page(domain, repository, '', JSON_ACCEPT).expect(200);
  const html = await page(domain, repository, '', HTML_ACCEPT).expect(200);
  return {
    json: (JSON.parse(json.text).projects as { name: string }[]).map((p) => p.name).sort(),
    html: [...html.text.matchAll(/<a href="[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]!).sort(),
  };
}

const cp = {
  createDomain: (domain: string) => request(app).post(`/v1/domain?domain=${domain}`).send({}).expect(200),
  createRepository: (domain: string, repository: string) =>
    request(app).post(`/v1/repository?domain=${domain}&repository=${repository}`).send({}).expect(200),
  deleteRepository: (domain: string, repository: string) =>
    request(app).delete(`/v1/repository?domain=${domain}&repository=${repository}`).expect(200),
  deletePackage: (domain: string, repository: string, pkg: string) =>
    request(app)
      .delete(`/v1/package?domain=${domain}&repository=${repository}&format=pypi&package=${pkg}`)
      .expect(200),
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-cache-keys-'));
  store = openStore(dir);
  app = createApp(store, testConfig({ publicUrl: 'http://127.0.0.1:1' }));
  for (const d of ['dom', 'other']) {
    await cp.createDomain(d);
    tokens[d] = (await request(app).post(`/v1/authorization-token?domain=${d}`).expect(200)).body.authorizationToken;
  }
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('project page after DeletePackage and a new upload under the same name', () => {
  it('lists only what the new package holds', async () => {
    await cp.createRepository('dom', 'republish');
    // One upload: the package row is the newest (highest id), its generation 1.
    const first = await upload('dom', 'republish', 'demo-pkg', '1.0');
    expect(await projectPage('dom', 'republish', 'demo-pkg')).toEqual({ versions: ['1.0'], files: [first.filename] });
    await page('dom', 'republish', 'demo-pkg/', HTML_ACCEPT).expect(200);

    await cp.deletePackage('dom', 'republish', 'demo-pkg');
    await page('dom', 'republish', 'demo-pkg/', JSON_ACCEPT).expect(404);

    // One upload again: a new package row (the same id, once SQLite reuses it) at generation 1.
    const second = await upload('dom', 'republish', 'demo-pkg', '2.0');
    expect(await projectPage('dom', 'republish', 'demo-pkg')).toEqual({ versions: ['2.0'], files: [second.filename] });
    const html = await page('dom', 'republish', 'demo-pkg/', HTML_ACCEPT).expect(200);
    expect(html.text).toContain(second.filename);
    expect(html.text).not.toContain(first.filename);
  });
});

describe('project list after DeleteRepository and a new repository', () => {
  it('a repository re-created under the same name lists only its own projects', async () => {
    // The newest repository (highest id), one upload: serial 1, and its /simple/ cached in both formats.
    await cp.createRepository('dom', 'recreated');
    await upload('dom', 'recreated', 'old-project', '1.0');
    expect(await projectList('dom', 'recreated')).toEqual({ json: ['old-project'], html: ['old-project'] });

    await cp.deleteRepository('dom', 'recreated');
    await cp.createRepository('dom', 'recreated');
    // A fresh repository lists nothing.
    expect(await projectList('dom', 'recreated')).toEqual({ json: [], html: [] });
    // One upload: serial 1 again.
    await upload('dom', 'recreated', 'new-project', '1.0');
    expect(await projectList('dom', 'recreated')).toEqual({ json: ['new-project'], html: ['new-project'] });
  });

  it('a repository created in another domain after the delete lists only its own projects', async () => {
    await cp.createRepository('dom', 'vanishing');
    await upload('dom', 'vanishing', 'vanished-project', '1.0');
    expect(await projectList('dom', 'vanishing')).toEqual({ json: ['vanished-project'], html: ['vanished-project'] });

    await cp.deleteRepository('dom', 'vanishing');
    // Created at once, so it takes the deleted repository's row id; the same number of uploads (serial 1).
    await cp.createRepository('other', 'elsewhere');
    await upload('other', 'elsewhere', 'elsewhere-project', '1.0');
    expect(await projectList('other', 'elsewhere')).toEqual({ json: ['elsewhere-project'], html: ['elsewhere-project'] });
  });
});

describe('two servers on one data dir', () => {
  it('a page cached by one is replaced as soon as the other changes the package', async () => {
    await cp.createRepository('dom', 'shared-dir');
    const second = openStore(dir);
    try {
      const app2 = createApp(second, testConfig({ publicUrl: 'http://127.0.0.1:1' }));
      const read = async () => {
        const res = await request(app2)
          .get(`${baseOf('dom', 'shared-dir')}/simple/twin/`)
          .set('Authorization', auth(tokens.dom!))
          .set('Accept', JSON_ACCEPT);
        return res.status === 200 ? (JSON.parse(res.text).versions as string[]) : res.status;
      };
      await upload('dom', 'shared-dir', 'twin', '1.0');
      expect(await read()).toEqual(['1.0']);
      await upload('dom', 'shared-dir', 'twin', '2.0');
      expect(await read()).toEqual(['1.0', '2.0']);
      await cp.deletePackage('dom', 'shared-dir', 'twin');
      expect(await read()).toBe(404);
    } finally {
      await second.close();
    }
  });
});
