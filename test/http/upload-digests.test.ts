// Multi-MiB uploads through the PyPI endpoint, whose digests the worker lanes compute: the form's md5,
// sha256 and BLAKE2b-256 digests are checked against them, ListPackageVersionAssets reports the others,
// and a mismatch or a file over --max-upload-bytes is refused with nothing left in tmp/ or blobs/.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBLAKE2b } from 'hash-wasm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';
import { INLINE_MAX_BYTES } from '../../storage/localBlobs/digests/stream.js';
import { writeArchives } from '../support/archives.js';
import { listFiles } from '../support/files.js';

const MiB = 1024 * 1024;
const BASE = '/pypi/d/dom-000000000000/repo';
let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;

/** An sdist of about `bytes` (a random, incompressible member beside PKG-INFO). */
function bigSdist(version: string, bytes: number): Buffer {
  const file = path.join(dir, `big_pkg-${version}.tar.gz`);
  const top = `big_pkg-${version}`;
  writeArchives([
    {
      path: file,
      kind: 'tar.gz',
      members: [
        { name: `${top}/PKG-INFO`, data: `Metadata-Version: 2.1\nName: big-pkg\nVersion: ${version}\n` },
        { name: `${top}/payload.bin`, data: randomBytes(bytes) },
      ],
    },
  ]);
  return readFileSync(file);
}

async function digests(data: Buffer) {
  const blake = await createBLAKE2b(256);
  blake.init();
  blake.update(data);
  const hex = (name: string) => createHash(name).update(data).digest('hex');
  return { md5: hex('md5'), sha1: hex('sha1'), sha256: hex('sha256'), sha512: hex('sha512'), blake2b256: blake.digest('hex') };
}

function upload(file: Buffer, version: string, fields: Record<string, string>) {
  let r = request(app).post(`${BASE}/`);
  const all = { ':action': 'file_upload', protocol_version: '1', metadata_version: '2.1', name: 'big-pkg', version, filetype: 'sdist', pyversion: 'source', ...fields };
  for (const [k, v] of Object.entries(all)) r = r.field(k, v);
  return r.attach('content', file, { filename: `big_pkg-${version}.tar.gz`, contentType: 'application/octet-stream' });
}

const stored = () => listFiles(path.join(dir, 'data', 'blobs'));
const temporary = () => readdirSync(path.join(dir, 'data', 'tmp'));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-upload-digests-'));
  store = openStore(path.join(dir, 'data'));
  const config = loadConfig(['--auth', 'off', '--max-upload-bytes', '4MiB'], {});
  app = createApp(store, { ...config, publicUrl: 'http://127.0.0.1:1' });
  await request(app).post('/v1/domain?domain=dom').send({}).expect(200);
  await request(app).post('/v1/repository?domain=dom&repository=repo').send({}).expect(200);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('uploads hashed by the worker lanes', () => {
  it('accepts a 3 MiB sdist whose md5, sha256 and BLAKE2b-256 the form states, and lists all its hashes', async () => {
    const file = bigSdist('1.0', 3 * MiB);
    expect(file.length).toBeGreaterThan(INLINE_MAX_BYTES);
    const d = await digests(file);
    await upload(file, '1.0', { md5_digest: d.md5, sha256_digest: d.sha256, blake2_256_digest: d.blake2b256 }).expect(200);
    const assets = await request(app)
      .post('/v1/package/version/assets?domain=dom&repository=repo&format=pypi&package=big-pkg&version=1.0')
      .expect(200);
    expect(assets.body.assets).toEqual([
      expect.objectContaining({
        name: 'big_pkg-1.0.tar.gz',
        size: file.length,
        hashes: { MD5: d.md5, 'SHA-1': d.sha1, 'SHA-256': d.sha256, 'SHA-512': d.sha512 },
      }),
    ]);
    expect(stored()).toEqual([`${d.sha256.slice(0, 2)}/${d.sha256.slice(2, 4)}/${d.sha256} ${file.length}`]);
    expect(temporary()).toEqual([]);
  });

  it('refuses a wrong BLAKE2b-256 digest on a large file and keeps nothing', async () => {
    const before = stored();
    const file = bigSdist('1.1', 2 * MiB);
    const d = await digests(file);
    const wrong = d.blake2b256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const res = await upload(file, '1.1', { sha256_digest: d.sha256, blake2_256_digest: wrong }).expect(400);
    expect(res.text).toMatch(/digest supplied does not match/);
    expect(stored()).toEqual(before);
    expect(temporary()).toEqual([]);
  });

  it('answers 413 past --max-upload-bytes once the file is on the lanes, and keeps nothing', async () => {
    const before = stored();
    const file = bigSdist('1.2', 5 * MiB);
    const res = await upload(file, '1.2', {}).expect(413);
    expect(res.text).toMatch(/File too large\. Limit is 4/);
    expect(stored()).toEqual(before);
    expect(temporary()).toEqual([]);
  });
});
