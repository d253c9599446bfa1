// The PyPI endpoint in-process (supertest): the HTTP details real clients depend on but rarely show —
// auth challenges, expiry, negotiation, redirects, caching headers, ranges, statuses, PEP 658 files.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { testConfig } from '../support/config.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';
import { sha256Hex } from '../../core/ids.js';
import { writeSdist, writeWheel } from '../support/archives.js';

const OWNER = '000000000000';
const BASE = `/pypi/d/dom-${OWNER}/repo`;
let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
let token: string;
let otherToken: string;
let wheel: Buffer;
let sdist: Buffer;
/** The same file name as `sdist`, other bytes (a valid sdist: a corrupt one is refused before the name clash). */
let sdistVariant: Buffer;
/** Hand-made archives whose core metadata carries the Metadata-Version in the name (see beforeAll). */
const mv: Record<'modern' | 'wheel99' | 'wheelNone' | 'sdist99' | 'wheel25', Buffer> = {} as never;
/** Metadata 2.5, as idna 3.20 and urllib3 2.8.0 on PyPI have it (PEP 794 Import-Name). */
const METADATA_2_5 = 'Metadata-Version: 2.5\nName: modern-pkg\nVersion: 2.5.0\nSummary: metadata 2.5\nLicense-Expression: MIT\nImport-Name: modern_pkg\nRequires-Python: >=3.9\n\n# Modern\n';
const METADATA = 'Metadata-Version: 2.1\nName: Demo.Pkg\nVersion: 1.0\nSummary: demo\nRequires-Python: >=3.8,<4\nRequires-Dist: demo-dep (>=1.0)\n\n# Demo\n';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const auth = (t: string) => `Basic ${Buffer.from(`aws:${t}`).toString('base64')}`;

function upload(file: Buffer, filename: string, fields: Record<string, string> = {}) {
  let r = request(app).post(`${BASE}/`).set('Authorization', auth(token));
  const all = { ':action': 'file_upload', protocol_version: '1', name: 'Demo.Pkg', version: '1.0', ...fields };
  for (const [k, v] of Object.entries(all)) r = r.field(k, v);
  // `filepath` keeps a path in the filename as sent (form-data would reduce `filename` to its basename).
  return r.attach('content', file, { filepath: filename, contentType: 'application/octet-stream' } as never);
}

const blobFiles = () => {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }))
      e.isDirectory() ? walk(path.join(d, e.name)) : out.push(e.name);
  };
  walk(path.join(dir, 'blobs'));
  return out.sort();
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-http-'));
  store = openStore(path.join(dir));
  app = createApp(store, testConfig({ publicUrl: 'http://127.0.0.1:1' }));
  for (const d of ['dom', 'other']) await request(app).post(`/v1/domain?domain=${d}`).send({}).expect(200);
  await request(app).post('/v1/repository?domain=dom&repository=repo').send({}).expect(200);
  token = (await request(app).post('/v1/authorization-token?domain=dom').expect(200)).body.authorizationToken;
  otherToken = (await request(app).post('/v1/authorization-token?domain=other').expect(200)).body.authorizationToken;
  writeWheel(path.join(dir, 'w.whl'), 'demo_pkg', '1.0', METADATA);
  writeSdist(path.join(dir, 's.tar.gz'), 'demo_pkg', '1.0', METADATA);
  wheel = readFileSync(path.join(dir, 'w.whl'));
  sdist = readFileSync(path.join(dir, 's.tar.gz'));
  writeSdist(path.join(dir, 's2.tar.gz'), 'demo_pkg', '1.0', `${METADATA}other bytes\n`);
  sdistVariant = readFileSync(path.join(dir, 's2.tar.gz'));
  const demoMeta = (v: string | undefined, version: string) =>
    `${v === undefined ? '' : `Metadata-Version: ${v}\n`}Name: Demo.Pkg\nVersion: ${version}\nSummary: demo\n\n# Demo\n`;
  const make = (key: keyof typeof mv, file: string, write: () => void) => {
    write();
    mv[key] = readFileSync(path.join(dir, file));
  };
  make('modern', 'modern.whl', () => writeWheel(path.join(dir, 'modern.whl'), 'modern_pkg', '2.5.0', METADATA_2_5));
  make('wheel99', 'w99.whl', () => writeWheel(path.join(dir, 'w99.whl'), 'demo_pkg', '1.0.post5', demoMeta('9.9', '1.0.post5')));
  make('wheelNone', 'wnone.whl', () => writeWheel(path.join(dir, 'wnone.whl'), 'demo_pkg', '1.0.post6', demoMeta(undefined, '1.0.post6')));
  make('sdist99', 's99.tar.gz', () => writeSdist(path.join(dir, 's99.tar.gz'), 'demo_pkg', '1.0.post7', demoMeta('9.9', '1.0.post7')));
  make('wheel25', 'w25.whl', () => writeWheel(path.join(dir, 'w25.whl'), 'demo_pkg', '1.0.post8', demoMeta('2.5', '1.0.post8')));
  await upload(wheel, 'demo_pkg-1.0-py3-none-any.whl', { sha256_digest: sha256(wheel) }).expect(200);
  await upload(sdist, 'demo_pkg-1.0.tar.gz').expect(200);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('authorization', () => {
  it('asks for credentials with 401 and a Basic challenge naming domain/repo', async () => {
    const res = await request(app).get(`${BASE}/simple/`).expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic realm="dom\/repo"/);
  });

  it('accepts Basic with any user name, and Bearer', async () => {
    await request(app).get(`${BASE}/simple/`).set('Authorization', auth(token)).expect(200);
    await request(app).get(`${BASE}/simple/`).set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('answers an unknown token with 401 and another domain’s token with 403', async () => {
    await request(app).get(`${BASE}/simple/`).set('Authorization', auth('nope')).expect(401);
    const res = await request(app).get(`${BASE}/simple/`).set('Authorization', auth(otherToken)).expect(403);
    expect(res.text).toMatch(/not valid for domain dom/);
  });

  it('answers an expired token with 401', async () => {
    const expired = 'expired-token-for-test';
    await store.transaction((tx) =>
      tx.tokens.add({ tokenSha256: sha256Hex(expired), domainId: 1, createdAt: 0, expiresAt: Date.now() - 1000 }),
    );
    const res = await request(app).get(`${BASE}/simple/`).set('Authorization', auth(expired)).expect(401);
    expect(res.text).toMatch(/expired/);
  });
});

describe('simple index', () => {
  const get = (url: string) => request(app).get(url).set('Authorization', auth(token));

  it('serves PEP 503 HTML with hashes, escaped requires-python and PEP 658 attributes for wheels only', async () => {
    const res = await get(`${BASE}/simple/demo-pkg/`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers.vary).toBe('Accept');
    const metaSha = sha256(METADATA);
    expect(res.text).toContain(`href="1.0/demo_pkg-1.0-py3-none-any.whl#sha256=${sha256(wheel)}"`);
    expect(res.text).toContain(`data-core-metadata="sha256=${metaSha}"`);
    expect(res.text).toContain('data-requires-python="&gt;=3.8,&lt;4"');
    const sdistLink = /<a [^>]*>demo_pkg-1.0.tar.gz<\/a>/.exec(res.text)![0];
    expect(sdistLink).not.toContain('data-core-metadata');
    expect(res.text).toContain('<meta name="pypi:repository-version" content="1.1">');
  });

  it('serves PEP 691/700 JSON when asked, with versions, size and upload-time', async () => {
    const res = await get(`${BASE}/simple/demo-pkg/`)
      .set('Accept', 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1')
      .expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.pypi.simple.v1+json');
    const body = JSON.parse(res.text);
    expect(body.meta['api-version']).toBe('1.1');
    expect(body.name).toBe('demo-pkg');
    expect(body.versions).toEqual(['1.0']);
    const whl = body.files.find((f: { filename: string }) => f.filename.endsWith('.whl'));
    expect(whl).toMatchObject({ size: wheel.length, hashes: { sha256: sha256(wheel) }, 'requires-python': '>=3.8,<4' });
    expect(whl['core-metadata']).toEqual({ sha256: sha256(METADATA) });
    expect(whl['upload-time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
    expect(body.files.find((f: { filename: string }) => f.filename.endsWith('.tar.gz'))['core-metadata']).toBeUndefined();
  });

  it('answers 406 when nothing offered is acceptable', async () => {
    await get(`${BASE}/simple/demo-pkg/`).set('Accept', 'application/xml').expect(406);
  });

  it('redirects non-normalized names and a missing slash with 301', async () => {
    const a = await get(`${BASE}/simple/Demo.Pkg/`).expect(301);
    expect(a.headers.location).toBe(`${BASE}/simple/demo-pkg/`);
    const b = await get(`${BASE}/simple/demo-pkg`).expect(301);
    expect(b.headers.location).toBe(`${BASE}/simple/demo-pkg/`);
    await get(`${BASE}/simple`).expect(301);
  });

  it('answers a repeated request with 304 for the same ETag and a new ETag after a change', async () => {
    const first = await get(`${BASE}/simple/demo-pkg/`).expect(200);
    await get(`${BASE}/simple/demo-pkg/`).set('If-None-Match', first.headers.etag!).expect(304);
    await request(app)
      .post('/v1/package/versions/update_status?domain=dom&repository=repo&format=pypi&package=demo-pkg')
      .send({ versions: ['1.0'], targetStatus: 'Published' })
      .expect(200);
    const list = await get(`${BASE}/simple/`).expect(200);
    expect(list.text).toContain('<a href="demo-pkg/">demo-pkg</a>');
  });

  it('404s unknown projects (pip probes /simple/pip/)', async () => {
    await get(`${BASE}/simple/pip/`).expect(404);
  });
});

describe('files', () => {
  const file = `${BASE}/simple/demo-pkg/1.0/demo_pkg-1.0-py3-none-any.whl`;
  const get = (url: string) =>
    request(app)
      .get(url)
      .set('Authorization', auth(token))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });

  it('streams the exact bytes with length, type and a sha256 ETag', async () => {
    const res = await get(file).expect(200);
    expect(Buffer.compare(res.body as Buffer, wheel)).toBe(0);
    expect(res.headers['content-length']).toBe(String(wheel.length));
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers.etag).toBe(`"${sha256(wheel)}"`);
    await get(file).set('If-None-Match', `"${sha256(wheel)}"`).expect(304);
  });

  it('honours Range requests', async () => {
    const res = await get(file).set('Range', 'bytes=0-9').expect(206);
    expect(Buffer.compare(res.body as Buffer, wheel.subarray(0, 10))).toBe(0);
    expect(res.headers['content-range']).toBe(`bytes 0-9/${wheel.length}`);
  });

  it('serves the wheel METADATA at {file}.metadata and nothing for sdists', async () => {
    const res = await get(`${file}.metadata`).expect(200);
    expect((res.body as Buffer).toString('utf8')).toBe(METADATA);
    await get(`${BASE}/simple/demo-pkg/1.0/demo_pkg-1.0.tar.gz.metadata`).expect(404);
  });

  it('keeps Unlisted versions installable but unlisted; Archived ones neither', async () => {
    const setStatus = (targetStatus: string) =>
      request(app)
        .post('/v1/package/versions/update_status?domain=dom&repository=repo&format=pypi&package=demo-pkg')
        .send({ versions: ['1.0'], targetStatus })
        .expect(200);
    await setStatus('Unlisted');
    await get(`${BASE}/simple/demo-pkg/`).expect(404);
    await get(file).expect(200);
    await setStatus('Archived');
    await get(file).expect(404);
    await setStatus('Published');
    await get(`${BASE}/simple/demo-pkg/`).expect(200);
    await get(file).expect(200);
  });
});

describe('upload rejections change nothing', () => {
  it.each([
    ['digest mismatch', () => upload(sdist, 'demo_pkg-1.0.post1.tar.gz', { version: '1.0.post1', sha256_digest: '0'.repeat(64) }), 400, /digest supplied does not match/],
    ['name/filename mismatch', () => upload(sdist, 'other-1.0.tar.gz'), 400, /Start filename/],
    ['version mismatch', () => upload(sdist, 'demo_pkg-2.0.tar.gz'), 400, /Version in filename should be/],
    ['invalid version', () => upload(sdist, 'demo_pkg-x.y.tar.gz', { version: 'x.y' }), 400, /invalid value for Version/],
    ['invalid name', () => upload(sdist, '-bad-1.0.tar.gz', { name: '-bad' }), 400, /invalid value for Name/],
    ['unknown extension', () => upload(sdist, 'demo_pkg-1.0.exe'), 400, /Invalid file extension/],
    ['traversal', () => upload(sdist, '../demo_pkg-1.0.tar.gz'), 400, /Invalid filename/],
    ['absolute path', () => upload(sdist, '/tmp/demo_pkg-1.0.tar.gz'), 400, /Invalid filename/],
    ['NUL byte (busboy refuses the part header)', () => upload(sdist, 'demo_pkg-1.0.tar.gz\u0000.exe'), 400, /Invalid (filename|multipart form)/],
    ['backslash', () => upload(sdist, 'x\\demo_pkg-1.0.tar.gz'), 400, /Invalid filename/],
    ['unknown metadata version', () => upload(sdist, 'demo_pkg-1.0.post2.tar.gz', { version: '1.0.post2', metadata_version: '9.9' }), 400, /Metadata-Version/],
    ['Metadata-Version 9.9 in the wheel METADATA, none in the form', () => upload(mv.wheel99, 'demo_pkg-1.0.post5-py3-none-any.whl', { version: '1.0.post5' }), 400, /^'9\.9' is not a valid metadata version in the METADATA of demo_pkg-1\.0\.post5-py3-none-any\.whl/],
    ['Metadata-Version 9.9 in the wheel METADATA, 2.1 in the form', () => upload(mv.wheel99, 'demo_pkg-1.0.post5-py3-none-any.whl', { version: '1.0.post5', metadata_version: '2.1' }), 400, /^'9\.9' is not a valid metadata version in the METADATA/],
    ['no Metadata-Version in the wheel METADATA', () => upload(mv.wheelNone, 'demo_pkg-1.0.post6-py3-none-any.whl', { version: '1.0.post6', metadata_version: '2.1' }), 400, /^'Metadata-Version' is a required field in the METADATA of demo_pkg-1\.0\.post6-py3-none-any\.whl/],
    ['Metadata-Version 9.9 in the sdist PKG-INFO', () => upload(mv.sdist99, 'demo_pkg-1.0.post7.tar.gz', { version: '1.0.post7', metadata_version: '2.1' }), 400, /^'9\.9' is not a valid metadata version in the PKG-INFO of demo_pkg-1\.0\.post7\.tar\.gz/],
    ['form 2.4, wheel METADATA 2.5', () => upload(mv.wheel25, 'demo_pkg-1.0.post8-py3-none-any.whl', { version: '1.0.post8', metadata_version: '2.4' }), 400, /^Metadata-Version '2\.4' of the upload form does not match Metadata-Version '2\.5' in the METADATA of demo_pkg-1\.0\.post8-py3-none-any\.whl/],
    ['form 2.2, sdist PKG-INFO 2.1', () => upload(sdist, 'demo_pkg-1.0.post9.tar.gz', { version: '1.0.post9', metadata_version: '2.2' }), 400, /^Metadata-Version '2\.2' of the upload form does not match Metadata-Version '2\.1' in the PKG-INFO/],
    ['same name, different bytes', () => upload(sdistVariant, 'demo_pkg-1.0.tar.gz'), 409, /^File already exists/],
    ['a corrupt wheel', () => upload(Buffer.from('not a zip'), 'demo_pkg-1.0.post3-py3-none-any.whl', { version: '1.0.post3' }), 400, /^Invalid distribution file. File is not a zipfile/],
  ])('%s', async (_name, send, status, message) => {
    const before = blobFiles();
    const versionsBefore = (
      await request(app).post('/v1/package/versions?domain=dom&repository=repo&format=pypi&package=demo-pkg').expect(200)
    ).body.versions;
    const res = await send().expect(status);
    expect(res.text).toMatch(message);
    expect(blobFiles()).toEqual(before);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    const versionsAfter = (
      await request(app).post('/v1/package/versions?domain=dom&repository=repo&format=pypi&package=demo-pkg').expect(200)
    ).body.versions;
    expect(versionsAfter).toEqual(versionsBefore);
  });

  it('puts both Metadata-Version values of a form/file mismatch in the reason phrase too (twine prints it)', async () => {
    const res = await upload(mv.wheel25, 'demo_pkg-1.0.post8-py3-none-any.whl', { version: '1.0.post8', metadata_version: '2.4' }).expect(400);
    // superagent keeps the raw response (and its reason phrase) as `res`; its types do not show it.
    const { statusMessage } = (res as unknown as { res: { statusMessage: string } }).res;
    expect(statusMessage).toMatch(/^Metadata-Version '2\.4' of the upload form does not match Metadata-Version '2\.5'/);
  });

  it('accepts identical bytes again with 200 and no change', async () => {
    const before = blobFiles();
    const res = await upload(sdist, 'demo_pkg-1.0.tar.gz').expect(200);
    expect(res.text).toMatch(/identical/);
    expect(blobFiles()).toEqual(before);
  });

  it('accepts the upload without the trailing slash, and refuses other actions', async () => {
    const r = request(app)
      .post(BASE)
      .set('Authorization', auth(token))
      .field(':action', 'submit')
      .field('name', 'Demo.Pkg')
      .field('version', '1.0');
    await r.expect(410);
  });
});

describe('Metadata-Version 2.5 (idna 3.20, urllib3 2.8.0 and other current wheels)', () => {
  const get = (url: string) => request(app).get(url).set('Authorization', auth(token));
  const file = 'modern_pkg-2.5.0-py3-none-any.whl';

  it('accepts a wheel whose METADATA says 2.5, with the form saying 2.5, and serves it and its METADATA', async () => {
    const res = await upload(mv.modern, file, { name: 'modern-pkg', version: '2.5.0', metadata_version: '2.5', sha256_digest: sha256(mv.modern) });
    expect(res.status, res.text).toBe(200);
    const page = await get(`${BASE}/simple/modern-pkg/`).expect(200);
    expect(page.text).toContain(`href="2.5.0/${file}#sha256=${sha256(mv.modern)}"`);
    expect(page.text).toContain(`data-core-metadata="sha256=${sha256(METADATA_2_5)}"`);
    expect(page.text).toContain('data-requires-python="&gt;=3.9"');
    const bytes = await get(`${BASE}/simple/modern-pkg/2.5.0/${file}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(Buffer.compare(bytes.body as Buffer, mv.modern)).toBe(0);
    const meta = await get(`${BASE}/simple/modern-pkg/2.5.0/${file}.metadata`).expect(200);
    expect(meta.text).toBe(METADATA_2_5);
    const described = await request(app)
      .get('/v1/package/version?domain=dom&repository=repo&format=pypi&package=modern-pkg&version=2.5.0')
      .expect(200);
    expect(described.body.packageVersion).toMatchObject({ version: '2.5.0', summary: 'metadata 2.5', status: 'Published' });
  });

  it('accepts the same 2.5 wheel again without a metadata_version field (the file alone decides)', async () => {
    const res = await upload(mv.modern, file, { name: 'modern-pkg', version: '2.5.0' });
    expect(res.status, res.text).toBe(200);
    expect(res.text).toMatch(/identical/);
  });
});

describe('virtual-host form', () => {
  it('serves the same routes for {domain}-{owner}.d.codeartifact.{region}.* and redirects within that form', async () => {
    const host = `dom-${OWNER}.d.codeartifact.us-east-1.amazonaws.com`;
    const page = await request(app).get('/pypi/repo/simple/demo-pkg/').set('Host', host).set('Authorization', auth(token)).expect(200);
    expect(page.text).toContain('demo_pkg-1.0-py3-none-any.whl');
    const redirect = await request(app).get('/pypi/repo/simple/Demo_Pkg/').set('Host', host).set('Authorization', auth(token)).expect(301);
    expect(redirect.headers.location).toBe('/pypi/repo/simple/demo-pkg/');
  });
});

describe('malformed requests', () => {
  it('a bad percent-escape in the path is a 400 with a line of text, no stack trace', async () => {
    for (const url of [`${BASE}/simple/%E0%A4%A/`, `${BASE}/simple/demo-pkg/%ZZ/x.whl`]) {
      const res = await request(app).get(url).set('Authorization', auth(token));
      expect(res.status, url).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).not.toMatch(/at \w+ \(|node_modules|Error:/);
      // It says where: the segment that does not decode.
      expect(res.text).toMatch(/^Bad request: the URL path segment '%(E0%A4%A|ZZ)' has a malformed percent-escape or bytes that are not UTF-8/);
    }
  });
});
