// What a request costs must not grow with the repository: every SQL statement the package endpoints and the
// listing operations run, on a repository of thousands of packages, is checked with EXPLAIN QUERY PLAN. None
// may scan a whole table of packages, versions or assets; none that returns a page (LIMIT) may sort its rows
// first (a page must come straight off an index, or it costs the whole table); and the keyset listings must
// be bounded ranges of their index: the /simple/ list's pages (of an index that covers them), and ListPackages
// with a packagePrefix, whose prefix is a range [prefix, successor) rather than a filter over every name after
// the cursor.
//
// Needs: python3 (test/support/archives.ts writes the wheel that is uploaded).
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/app.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';
import { successor } from '../../storage/sqlite/packages.js';
import { writeWheel } from '../support/archives.js';
import { testConfig } from '../support/config.js';
import { populate } from '../support/populate.js';

const OWNER = '000000000000';
const BASE = `/pypi/d/dom-${OWNER}/big`;
const CP = 'domain=dom&repository=big';
let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
/** Every SQL text the store prepared, from its opening on. */
const prepared = new Set<string>();

beforeAll(async () => {
  const prepare = Database.prototype.prepare;
  vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (this: Database.Database, text: string) {
    prepared.add(text);
    return prepare.call(this, text);
  });
  dir = mkdtempSync(path.join(tmpdir(), 'ca-plans-'));
  store = openStore(dir);
  app = createApp(store, testConfig({ auth: false, publicUrl: 'http://127.0.0.1:1' }));
  await request(app).post('/v1/domain?domain=dom').send({}).expect(200);
  await request(app).post('/v1/repository?domain=dom&repository=big').send({}).expect(200);
  const domain = (await store.domains.find(OWNER, 'dom'))!;
  const repository = (await store.repositories.find(domain.id, 'big'))!;
  await populate(
    store,
    repository.id,
    Array.from({ length: 3000 }, (_, i) => ({ name: `pkg-${String((i * 7919) % 3000).padStart(5, '0')}`, statuses: ['Published', 'Published'], files: 2 as const })),
  );

  // The requests of bench/scale.ts, and their neighbours.
  writeWheel(path.join(dir, 'w.whl'), 'pkg_01500', '9.0', 'Metadata-Version: 2.1\nName: pkg-01500\nVersion: 9.0\n\n');
  const wheel = readFileSync(path.join(dir, 'w.whl'));
  let upload = request(app).post(`${BASE}/`);
  for (const [k, v] of Object.entries({ ':action': 'file_upload', protocol_version: '1', name: 'pkg-01500', version: '9.0' })) upload = upload.field(k, v);
  await upload.attach('content', wheel, { filename: 'pkg_01500-9.0-py3-none-any.whl', contentType: 'application/octet-stream' }).expect(200);
  for (const accept of ['text/html', 'application/vnd.pypi.simple.v1+json']) {
    await request(app).get(`${BASE}/simple/`).set('Accept', accept).expect(200);
    await request(app).get(`${BASE}/simple/pkg-01500/`).set('Accept', accept).expect(200);
  }
  await request(app).get(`${BASE}/simple/pkg-01500/9.0/pkg_01500-9.0-py3-none-any.whl`).expect(200);
  await request(app).get(`${BASE}/simple/pkg-01500/9.0/pkg_01500-9.0-py3-none-any.whl.metadata`).expect(200);
  const first = await request(app).post(`/v1/packages?${CP}&max-results=20`).send({}).expect(200);
  await request(app).post(`/v1/packages?${CP}&max-results=20&next-token=${encodeURIComponent(first.body.nextToken)}`).send({}).expect(200);
  const prefixed = await request(app).post(`/v1/packages?${CP}&format=pypi&package-prefix=pkg-0150`).send({}).expect(200);
  expect(prefixed.body.packages).toHaveLength(10);
  await request(app).post(`/v1/package/versions?${CP}&format=pypi&package=pkg-01500`).send({}).expect(200);
  await request(app).get(`/v1/package/version?${CP}&format=pypi&package=pkg-01500&version=1.1`).expect(200);
  await request(app).post(`/v1/package/version/assets?${CP}&format=pypi&package=pkg-01500&version=1.1`).send({}).expect(200);
  vi.restoreAllMocks();
});

afterAll(async () => {
  vi.restoreAllMocks();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The plan of `text` on the populated database, its placeholders bound to NULL. */
function planOf(db: Database.Database, text: string): string[] {
  const named = [...new Set([...text.matchAll(/(?<![\w'])[:@$]([A-Za-z_]\w*)/g)].map((m) => m[1]!))];
  const positional = (text.match(/\?/g) ?? []).length;
  const statement = db.prepare(`EXPLAIN QUERY PLAN ${text}`);
  const rows = (named.length > 0 ? statement.all(Object.fromEntries(named.map((n) => [n, null]))) : statement.all(...Array(positional).fill(null))) as {
    detail: string;
  }[];
  return rows.map((r) => r.detail);
}

const BIG_TABLES = /\bSCAN (package|package_version|asset|dependency|blob_claim|auth_token)\b/;

describe('query plans on a repository of 3,000 packages', () => {
  const plans = () => {
    const db = new Database(path.join(dir, 'codeartifact.db'), { readonly: true });
    try {
      return [...prepared]
        .filter((t) => /^\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b/i.test(t) && !/^\s*EXPLAIN/i.test(t))
        .map((text) => ({ text: text.replace(/\s+/g, ' ').trim(), plan: planOf(db, text) }));
    } finally {
      db.close();
    }
  };

  it('saw the statements of every request', () => {
    expect(prepared.size).toBeGreaterThan(30);
    expect([...prepared].some((t) => t.includes('INSERT INTO asset'))).toBe(true);
  });

  it('no statement scans a whole table of packages, versions, assets, claims or tokens', () => {
    const offenders = plans().filter((p) => p.plan.some((line) => BIG_TABLES.test(line)));
    expect(offenders).toEqual([]);
  });

  it('no page (LIMIT) is sorted or grouped in a temporary B-tree', () => {
    const offenders = plans().filter((p) => /\bLIMIT\b/i.test(p.text) && p.plan.some((line) => /TEMP B-TREE/.test(line)));
    expect(offenders).toEqual([]);
  });

  it('the /simple/ list reads a range of its covering index after its cursor (no lookup of each row)', () => {
    const pages = plans().filter((p) => /FROM package p WHERE p\.repository_id = \? AND p\.format = \? AND \(p\.namespace, p\.normalized_name\) >/.test(p.text));
    expect(pages).toHaveLength(1);
    expect(pages[0]!.plan.join('\n')).toMatch(
      /SEARCH p USING COVERING INDEX package_for_index \(repository_id=\? AND format=\? AND \(namespace,normalized_name\)>\(\?,\?\)\)/,
    );
    expect(pages[0]!.plan.join('\n')).toMatch(/SEARCH v USING COVERING INDEX package_version_by_package \(package_id=\? AND status=\?\)/);
  });

  it('ListPackages with a packagePrefix reads only the prefix’s range of the index', () => {
    const prefixed = plans().filter((p) => p.text.includes('p.normalized_name < :prefixEnd'));
    expect(prefixed).toHaveLength(1);
    expect(prefixed[0]!.plan.join('\n')).toMatch(/SEARCH p USING INDEX \w+ \(repository_id=\? AND \(normalized_name,format,namespace\)>\(\?,\?,\?\) AND normalized_name<\?\)/);
  });

  it('a prefix’s successor bounds exactly the names that start with it', () => {
    expect(successor('pkg-0150')).toBe('pkg-0151');
    expect(successor('a-')).toBe('a.');
    expect(successor('x\u{1f600}')).toBe('x\u{1f601}');
    expect(successor('x\ud7ff')).toBe('x\ue000');
    expect(successor('x\u{10ffff}')).toBeUndefined();
    expect(successor('')).toBeUndefined();
  });
});
