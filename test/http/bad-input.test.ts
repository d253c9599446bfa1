// Regression tests for the 5xx and lenient answers a user found with bad input (issue 8), in-process: each case
// failed (500, or a wrong 2xx, or an unclear message) before its fix. After every refusal the store is as it
// was: the control plane's listings, blobs/ and tmp/.
//
// Needs: python3 (test/support/archives.ts writes the wheels and sdists).
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { testConfig } from '../support/config.js';
import { openStore } from '../../storage/open.js';
import { MissingReferenceError, type Store } from '../../storage/ports.js';
import type { ArchiveMember } from '../support/archives.js';
import { listFiles } from '../support/files.js';

const OWNER = '000000000000';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const auth = (t: string) => `Basic ${Buffer.from(`aws:${t}`).toString('base64')}`;

let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
let server: http.Server;
let base: string;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-bad-input-'));
  store = openStore(dir);
  app = createApp(store, testConfig({ publicUrl: 'http://127.0.0.1:1' }));
  server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await request(app).post('/v1/domain?domain=dom').expect(200);
  await request(app).post('/v1/repository?domain=dom&repository=repo').expect(200);
  token = (await request(app).post('/v1/authorization-token?domain=dom').expect(200)).body.authorizationToken;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const tmpFiles = () => readdirSync(path.join(dir, 'tmp'));

/** What a refusal must leave as it was: every repository's packages and versions, and the files on disk. */
async function snapshot() {
  const repos = (await request(app).post('/v1/repositories').expect(200)).body.repositories as { name: string }[];
  const packages: string[] = [];
  for (const r of repos) {
    const list = await request(app).post(`/v1/packages?domain=dom&repository=${r.name}`).expect(200);
    for (const p of list.body.packages as { format: string; namespace?: string; package: string }[]) {
      const ns = p.namespace ? `&namespace=${encodeURIComponent(p.namespace)}` : '';
      const versions = await request(app)
        .post(`/v1/package/versions?domain=dom&repository=${r.name}&format=${p.format}${ns}&package=${encodeURIComponent(p.package)}`)
        .expect(200);
      packages.push(`${r.name} ${p.format} ${p.namespace ?? ''} ${p.package}: ${JSON.stringify(versions.body.versions)}`);
    }
  }
  return { repos: repos.map((r) => r.name).sort(), packages, blobs: listFiles(path.join(dir, 'blobs')), tmp: tmpFiles() };
}

/** Polls until `check` holds (the server reached a point of a request), failing after `ms`. */
async function until(check: () => boolean, what: string, ms = 5_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Sends `body` in two parts: up to `split`, then (after `between` ran) the rest. Resolves with the status, the
 * headers and the text of the answer.
 */
function sendInTwoParts(
  url: string,
  headers: Record<string, string>,
  body: Buffer,
  split: number,
  between: () => Promise<void>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.write(body.subarray(0, split));
    between().then(
      () => req.end(body.subarray(split)),
      (err) => {
        req.destroy();
        reject(err);
      },
    );
  });
}

describe('the repository deleted while a write is under way is a 404, never a 500', () => {
  it('PublishPackageVersion whose repository is deleted mid-body: 404 ResourceNotFoundException, nothing stored', async () => {
    await request(app).post('/v1/repository?domain=dom&repository=doomed').expect(200);
    const content = Buffer.alloc(256 * 1024, 'x');
    const res = await sendInTwoParts(
      `${base}/v1/package/version/publish?domain=dom&repository=doomed&format=generic&namespace=ns&package=p&version=1.0&asset=a.bin`,
      { 'x-amz-content-sha256': sha256(content), 'Content-Type': 'application/octet-stream' },
      content,
      content.length / 2,
      async () => {
        await until(() => tmpFiles().length > 0, 'the asset to be streaming into tmp/');
        await request(app).delete('/v1/repository?domain=dom&repository=doomed').expect(200);
      },
    );
    expect(res.status, res.text).toBe(404);
    expect(res.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(res.text)).toMatchObject({ resourceType: 'repository', resourceId: 'doomed' });
    expect(await snapshot()).toEqual({ repos: ['repo'], packages: [], blobs: [], tmp: [] });
  });

  it('a PyPI upload whose repository is deleted mid-body: 404 naming the repository, nothing stored', async () => {
    const { writeSdist } = await import('../support/archives.js');
    await request(app).post('/v1/repository?domain=dom&repository=doomed').expect(200);
    const file = path.join(dir, 'race.tar.gz');
    writeSdist(file, 'race_pkg', '1.0', 'Metadata-Version: 2.1\nName: race-pkg\nVersion: 1.0\n');
    const bytes = (await import('node:fs')).readFileSync(file);
    const boundary = 'raceboundary1234';
    const field = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body = Buffer.concat([
      Buffer.from(field(':action', 'file_upload') + field('protocol_version', '1') + field('name', 'race-pkg') + field('version', '1.0')),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="race_pkg-1.0.tar.gz"\r\n\r\n`),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await sendInTwoParts(
      `${base}/pypi/d/dom-${OWNER}/doomed/`,
      { Authorization: auth(token), 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      body,
      body.length - 20,
      async () => {
        await until(() => tmpFiles().length > 0, 'the file part to be streaming into tmp/');
        await request(app).delete('/v1/repository?domain=dom&repository=doomed').expect(200);
      },
    );
    expect(res.status, res.text).toBe(404);
    expect(res.text).toMatch(/^Repository not found: doomed/);
    expect(await snapshot()).toEqual({ repos: ['repo'], packages: [], blobs: [], tmp: [] });
  });
});

describe('the storage port', () => {
  it('fails a write that refers to a deleted record with MissingReferenceError, not the driver\'s error', async () => {
    await request(app).post('/v1/repository?domain=dom&repository=gone').expect(200);
    const domain = (await store.domains.find(OWNER, 'dom'))!;
    const gone = (await store.repositories.find(domain.id, 'gone'))!;
    await request(app).delete('/v1/repository?domain=dom&repository=gone').expect(200);
    const write = store.transaction((tx) =>
      tx.packages.findOrCreate({ repositoryId: gone.id, format: 'generic', namespace: 'ns', normalizedName: 'p', name: 'p', publish: 'ALLOW', upstream: 'BLOCK' }),
    );
    await expect(write).rejects.toBeInstanceOf(MissingReferenceError);
  });
});

describe('names a client chose never go into a header raw', () => {
  it('GetPackageVersionAsset of names outside Latin-1: 200, X-AssetName / X-PackageVersion percent-encoded UTF-8', async () => {
    const asset = 'données-日本 v2.txt';
    const version = '1.0-ü';
    const content = Buffer.from('unicode names');
    const q = `domain=dom&repository=repo&format=generic&namespace=ns&package=names&version=${encodeURIComponent(version)}&asset=${encodeURIComponent(asset)}`;
    await request(app)
      .post(`/v1/package/version/publish?${q}`)
      .set('x-amz-content-sha256', sha256(content))
      .set('Content-Type', 'application/octet-stream')
      .send(content)
      .expect(200);
    const res = await request(app).get(`/v1/package/version/asset?${q}`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status, String(res.body)).toBe(200);
    expect(Buffer.compare(res.body as Buffer, content)).toBe(0);
    expect(res.headers['x-assetname']).toBe('donn%C3%A9es-%E6%97%A5%E6%9C%AC v2.txt');
    expect(decodeURIComponent(res.headers['x-assetname']!)).toBe(asset);
    expect(decodeURIComponent(res.headers['x-packageversion']!)).toBe(version);
    // Plain ASCII names are sent as they are.
    expect(res.headers['x-packageversionrevision']).toMatch(/^[\x21-\x7e]+$/);
  });

  it('CR, LF or a quote in a path segment without a token: one sanitised challenge, no injected header', async () => {
    const res = await request(app).get(`/pypi/d/do%22m%0D%0AX-Injected:%201-${OWNER}/re%22po,%20Evil%20realm=%22x/simple/`);
    expect(res.status).toBe(401);
    expect(res.headers['x-injected']).toBeUndefined();
    expect(res.headers['www-authenticate']).toBe('Basic realm="do_m__X-Injected__1-000000000000/re_po__Evil_realm__x", Bearer realm="do_m__X-Injected__1-000000000000/re_po__Evil_realm__x"');
  });

  it('an upload refused for a field with CR/LF and non-ASCII: the reason phrase is one line of printable ASCII', async () => {
    const res = await request(app)
      .post(`/pypi/d/dom-${OWNER}/repo/`)
      .set('Authorization', auth(token))
      .field(':action', 'file_upload')
      .field('name', 'bad\r\nX-Injected: 1 ü')
      .field('version', '1.0');
    expect(res.status).toBe(400);
    expect(res.headers['x-injected']).toBeUndefined();
    const { statusMessage } = (res as unknown as { res: { statusMessage: string } }).res;
    expect(statusMessage).toMatch(/^[\x20-\x7e]+$/);
    expect(statusMessage).toContain('invalid value for Name');
  });
});

/** A ValidationException: 400, the error type header, the reason, and a message matching `message`. */
function expectValidation(res: request.Response, message: RegExp | string, reason = 'FIELD_VALIDATION_FAILED') {
  expect(res.status, res.text).toBe(400);
  expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
  expect(res.body.reason, res.text).toBe(reason);
  if (typeof message === 'string') expect(res.body.message).toContain(message);
  else expect(res.body.message).toMatch(message);
}

describe('control plane input as strict as AWS, with messages that say what to fix', () => {
  const coordinates = 'domain=dom&repository=repo&format=generic';

  it('JSON nested 50,000 deep is a ValidationException naming the limit, not a 500 (stack overflow)', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    const res = await request(app).post('/v1/repository?domain=dom&repository=deep').set('Content-Type', 'application/json').send(`{"upstreams":${deep}}`);
    expectValidation(res, /^Request body nests objects and arrays more than 32 levels deep \(at line 1, column 45\)/, 'OTHER');
    const objects = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    expectValidation(await request(app).post('/v1/domains').set('Content-Type', 'application/json').send(objects), /more than 32 levels deep/, 'OTHER');
    expect((await snapshot()).repos).toEqual(['repo']);
  });

  it('a body over the limit is refused after it was read, so the client gets the answer', async () => {
    const big = JSON.stringify({ description: 'd'.repeat(3 * 1024 * 1024) });
    const res = await request(app).post('/v1/repository?domain=dom&repository=big').set('Content-Type', 'application/json').send(big);
    expectValidation(res, `The request body is ${big.length} bytes; a JSON body may take at most 1048576 bytes`, 'OTHER');
    expect((await snapshot()).repos).toEqual(['repo']);
  });

  it('malformed JSON says what and where; a member given twice and invalid UTF-8 are refused', async () => {
    // A Buffer as raw bytes (superagent would serialise it to JSON under a JSON content type).
    const post = (body: string | Buffer) =>
      request(app).post('/v1/domains').set('Content-Type', Buffer.isBuffer(body) ? 'application/octet-stream' : 'application/json').send(body);
    expectValidation(await post('{"maxResults": 5,}'), "Request body is not valid JSON: expected a member name in double quotes, found '}' (at line 1, column 18)", 'CANNOT_PARSE');
    expectValidation(await post('{"maxResults": 5, "maxResults": 6}'), "member 'maxResults' is given twice", 'CANNOT_PARSE');
    expectValidation(await post(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), 'Request body is not valid UTF-8: the byte 0xFF at offset 2', 'CANNOT_PARSE');
  });

  it('99999999999999999999999 is quoted as sent and refused as out of range (query and JSON body)', async () => {
    const q = await request(app).post(`/v1/packages?domain=dom&repository=repo&max-results=99999999999999999999999`);
    expectValidation(q, "Value '99999999999999999999999' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
    const b = await request(app).post('/v1/domains').set('Content-Type', 'application/json').send('{"maxResults": 99999999999999999999999}');
    expectValidation(b, "Value '99999999999999999999999' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000");
    expect(b.body.message).not.toContain('1e+23');
  });

  it('a bad percent-escape or bytes that are not UTF-8 name the parameter and the place, never "URIError"', async () => {
    const bad = await request(app).get(`/v1/package?${coordinates}&namespace=ns&package=p%ZZx`);
    expectValidation(bad, "Query parameter 'package' ('p%ZZx') has a malformed percent-escape '%ZZ' at character 2", 'CANNOT_PARSE');
    expect(bad.body.message).not.toMatch(/URIError|Failed to decode/);
    const notUtf8 = await request(app).get(`/v1/package?${coordinates}&namespace=ns&package=p%C3x`);
    expectValidation(notUtf8, "Query parameter 'package' ('p%C3x') is not valid UTF-8: the byte %C3 at character 2", 'CANNOT_PARSE');
    expectValidation(await request(app).get(`/v1/package?${coordinates}&namespace=ns&package=p%FF`), 'is not valid UTF-8', 'CANNOT_PARSE');
    // Before: a lone %C3 became U+FFFD, and a name with U+FFFD in it was looked up (and could be created).
  });

  it.each([
    ['NUL', '\u0000', 'U+0000'],
    ['ESC', '\u001b', 'U+001B'],
    ['a C1 control (NEL)', '\u0085', 'U+0085'],
    ['U+202E RIGHT-TO-LEFT OVERRIDE', '\u202e', 'U+202E'],
    ['a zero-width space', '\u200b', 'U+200B'],
  ])('a generic name, namespace, version or asset with %s is refused naming the member and the character', async (_l, ch, code) => {
    const before = await snapshot();
    const content = Buffer.from('x');
    const members: [string, string][] = [['package', 'package'], ['namespace', 'namespace'], ['version', 'packageVersion'], ['asset', 'assetName']];
    for (const [param, member] of members) {
      const values: Record<string, string> = { namespace: 'ns', package: 'pkg', version: '1.0', asset: 'a.txt', [param]: `x${ch}y` };
      const q = Object.entries(values).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const res = await request(app)
        .post(`/v1/package/version/publish?${coordinates}&${q}`)
        .set('x-amz-content-sha256', sha256(content))
        .set('Content-Type', 'application/octet-stream')
        .send(content);
      expectValidation(res, `at '${member}' failed to satisfy constraint: Member must not contain control or format characters, found ${code} at character 2`);
    }
    // The same rule on the reads and deletes that take names.
    const name = encodeURIComponent(`x${ch}y`);
    const reads: [string, string][] = [
      ['GET', `/v1/package?${coordinates}&namespace=ns&package=${name}`],
      ['POST', `/v1/package/versions?${coordinates}&namespace=${name}&package=pkg`],
      ['GET', `/v1/package/version?${coordinates}&namespace=ns&package=pkg&version=${name}`],
      ['GET', `/v1/package/version/asset?${coordinates}&namespace=ns&package=pkg&version=1.0&asset=${name}`],
      ['DELETE', `/v1/package?${coordinates}&namespace=ns&package=${name}`],
      ['POST', `/v1/packages?domain=dom&repository=repo&package-prefix=${name}`],
    ];
    for (const [method, url] of reads) {
      const res = await (method === 'GET' ? request(app).get(url) : method === 'POST' ? request(app).post(url) : request(app).delete(url));
      expectValidation(res, `found ${code} at character 2`);
    }
    const del = await request(app).post(`/v1/package/versions/delete?${coordinates}&namespace=ns&package=pkg`).send({ versions: [`1${ch}`] });
    expectValidation(del, `at 'versions.1.member' failed to satisfy constraint: Member must not contain control or format characters, found ${code}`);
    expect(await snapshot()).toEqual(before);
  });

  it('an asset named . or .. is refused, as AWS documents', async () => {
    for (const asset of ['.', '..']) {
      const res = await request(app)
        .post(`/v1/package/version/publish?${coordinates}&namespace=ns&package=dots&version=1.0&asset=${asset}`)
        .set('x-amz-content-sha256', sha256('x'))
        .send('x');
      expectValidation(res, `Value '${asset}' at 'assetName' failed to satisfy constraint: an asset cannot be named . or ..`);
    }
  });

  it('a query parameter given twice is refused, not silently one of them', async () => {
    expectValidation(await request(app).get('/v1/domain?domain=dom&domain=other'), "Query parameter 'domain' is given 2 times: send it once");
  });

  it('input is refused as input before anything is looked up (400, not 404)', async () => {
    expectValidation(await request(app).get('/v1/package-group?domain=Bad_Domain&package-group=/x'), "at 'domain' failed to satisfy constraint");
    const valid = await request(app).get('/v1/package-group?domain=dom&package-group=/pypi//x$');
    expect(valid.status).toBe(404);
    expect(valid.headers['x-amzn-errortype']).toMatch(/ResourceNotFoundException/);
  });
});

describe('PyPI uploads as strict as Warehouse, each refusal saying what is wrong', () => {
  const repoUrl = `/pypi/d/dom-${OWNER}/repo/`;
  const good = 'Metadata-Version: 2.1\nName: strict-pkg\nVersion: 1.0\nSummary: strict\n';
  const wheelName = 'strict_pkg-1.0-py3-none-any.whl';
  const sdistName = 'strict_pkg-1.0.tar.gz';
  let archives: Record<string, Buffer>;

  beforeAll(async () => {
    const { writeArchives } = await import('../support/archives.js');
    const { readFileSync } = await import('node:fs');
    const wheel = (metadata: string | Buffer, extra: ArchiveMember[] = [], distInfo = 'strict_pkg-1.0.dist-info'): ArchiveMember[] => [
      { name: 'strict_pkg/__init__.py', data: '' },
      { name: `${distInfo}/METADATA`, data: metadata },
      { name: `${distInfo}/WHEEL`, data: 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
      { name: `${distInfo}/RECORD`, data: '' },
      ...extra,
    ];
    const specs: Record<string, { kind: 'zip' | 'tar.gz'; members: ArchiveMember[] }> = {
      emptyMetadata: { kind: 'zip', members: wheel('') },
      binaryMetadata: { kind: 'zip', members: wheel(Buffer.from([0x4e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0xff, 0xfe, 0x00])) },
      garbageMetadata: { kind: 'zip', members: wheel('just some words\nand more words\n') },
      otherProject: { kind: 'zip', members: wheel('Metadata-Version: 2.1\nName: other-pkg\nVersion: 1.0\n') },
      otherVersion: { kind: 'zip', members: wheel('Metadata-Version: 2.1\nName: strict-pkg\nVersion: 2.0\n') },
      noName: { kind: 'zip', members: wheel('Metadata-Version: 2.1\nVersion: 1.0\n') },
      wrongDistInfo: { kind: 'zip', members: wheel(good, [], 'other_pkg-1.0.dist-info') },
      traversal: { kind: 'zip', members: wheel(good, [{ name: '../evil.py', data: 'x' }]) },
      hugeMetadata: { kind: 'zip', members: wheel(`${good}${'x'.repeat(11 * 1024 * 1024)}`) },
      bomb: { kind: 'zip', members: wheel(good, [{ name: 'strict_pkg/zeros.bin', data: '', zeros: 80 * 1024 * 1024 }]) },
      sdistNoPkgInfo: { kind: 'tar.gz', members: [{ name: 'strict_pkg-1.0/setup.py', data: '' }] },
      sdistTwoTops: { kind: 'tar.gz', members: [{ name: 'strict_pkg-1.0/PKG-INFO', data: good }, { name: 'other/x', data: '' }] },
      sdistTraversal: { kind: 'tar.gz', members: [{ name: 'strict_pkg-1.0/PKG-INFO', data: good }, { name: 'strict_pkg-1.0/../../evil', data: 'x' }] },
      sdistOtherProject: { kind: 'tar.gz', members: [{ name: 'strict_pkg-1.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: other-pkg\nVersion: 1.0\n' }] },
      validWheel: { kind: 'zip', members: wheel(good) },
    };
    writeArchives(Object.entries(specs).map(([key, spec]) => ({ path: path.join(dir, `${key}.archive`), ...spec })));
    archives = Object.fromEntries(Object.keys(specs).map((key) => [key, readFileSync(path.join(dir, `${key}.archive`))]));
  });

  function upload(file: Buffer, filename: string, fields: Record<string, string> = {}) {
    let r = request(app).post(repoUrl).set('Authorization', auth(token));
    for (const [k, v] of Object.entries({ ':action': 'file_upload', protocol_version: '1', name: 'strict-pkg', version: '1.0', ...fields }))
      r = r.field(k, v);
    return r.attach('content', file, { filepath: filename, contentType: 'application/octet-stream' } as never);
  }

  const cases: [string, () => [Buffer, string], RegExp | string][] = [
    ['an empty METADATA', () => [archives.emptyMetadata!, wheelName], `The METADATA of ${wheelName} is empty`],
    ['a METADATA that is not UTF-8', () => [archives.binaryMetadata!, wheelName], `The METADATA of ${wheelName} is not valid UTF-8`],
    ['a METADATA of garbage text', () => [archives.garbageMetadata!, wheelName], `The METADATA of ${wheelName} has no core metadata fields`],
    ['a METADATA naming another project', () => [archives.otherProject!, wheelName], `Name 'other-pkg' in the METADATA of ${wheelName} does not match the name 'strict-pkg' of the upload form`],
    ['a METADATA naming another version', () => [archives.otherVersion!, wheelName], `Version '2.0' in the METADATA of ${wheelName} does not match the version '1.0' of the upload form`],
    ['a METADATA without Name', () => [archives.noName!, wheelName], `'Name' is a required field in the METADATA of ${wheelName}`],
    ['METADATA in another project’s .dist-info', () => [archives.wrongDistInfo!, wheelName], `Wheel '${wheelName}' does not contain the required METADATA file: strict_pkg-1.0.dist-info/METADATA`],
    ['a ../ member in a wheel', () => [archives.traversal!, wheelName], /has a member outside its directory: '\.\.\/evil\.py'/],
    ['a METADATA of 11 MiB', () => [archives.hugeMetadata!, wheelName], /METADATA in strict_pkg-1\.0-py3-none-any\.whl unpacks to \d+ bytes; core metadata may take at most 10485760 bytes/],
    ['a zip bomb', () => [archives.bomb!, wheelName], /^Invalid distribution file\. File exceeds compression ratio of 50/],
    ['a wheel that is not a zip', () => [Buffer.from('not a zip at all'), wheelName], /^Invalid distribution file\. File is not a zipfile/],
    ['an sdist that is not an archive', () => [Buffer.from('not an archive'), sdistName], /^Invalid distribution file\. File is not a tarfile/],
    ['an sdist without PKG-INFO', () => [archives.sdistNoPkgInfo!, sdistName], 'Invalid distribution file. PKG-INFO not found at strict_pkg-1.0/PKG-INFO'],
    ['an sdist with two top-level directories', () => [archives.sdistTwoTops!, sdistName], /Incorrect number of top-level directories in sdist/],
    ['a ../ member in an sdist', () => [archives.sdistTraversal!, sdistName], /has a member outside its directory: 'strict_pkg-1\.0\/\.\.\/\.\.\/evil'/],
    ['a PKG-INFO naming another project', () => [archives.sdistOtherProject!, sdistName], `Name 'other-pkg' in the PKG-INFO of ${sdistName} does not match`],
    ['a wheel tag outside ASCII', () => [archives.validWheel!, 'strict_pkg-1.0-py3-none-ańy.whl'], /^Invalid wheel filename 'strict_pkg-1\.0-py3-none-ańy\.whl'/],
  ];

  it.each(cases)('%s: 400 with its reason, nothing stored', async (_label, file, message) => {
    const before = await snapshot();
    const [bytes, filename] = file();
    const res = await upload(bytes, filename);
    expect(res.status, res.text).toBe(400);
    if (typeof message === 'string') expect(res.text).toContain(message);
    else expect(res.text).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  it('a wrong multipart boundary says so', async () => {
    const body = `--realboundary\r\nContent-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n--realboundary--\r\n`;
    const res = await request(app)
      .post(repoUrl)
      .set('Authorization', auth(token))
      .set('Content-Type', 'multipart/form-data; boundary=wrongboundary')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/no parts found \(does the boundary in Content-Type match the body\?\)/);
  });

  it('control: the valid wheel is accepted', async () => {
    const res = await upload(archives.validWheel!, wheelName);
    expect(res.status, res.text).toBe(200);
  });
});
