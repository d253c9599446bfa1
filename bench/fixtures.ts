// Test data and the calls that load it through the real APIs: tiny but valid sdists (.tar.gz, .zip) and
// wheels built in memory, the legacy PyPI upload (multipart, streamed when large), generic
// PublishPackageVersion, and a shared data dir holding a repository of many projects.
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { crc32, gzipSync } from 'node:zlib';
import {
  expectStatus,
  forEachConcurrent,
  log,
  makeTempDir,
  now,
  removeTempDir,
  request,
  startServer,
  type Response,
  type Server,
} from './lib.js';

export const DOMAIN = 'bench';

// ---------------------------------------------------------------------------------------------------
// Archives

interface Entry {
  name: string;
  data: Buffer;
}

/** A zip with stored (uncompressed) entries: what yauzl and pip read. */
export function zipStored(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = (2024 - 1980) << 9 | (1 << 5) | 1;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, e.data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, at: number, len: number) => h.write(text, at, len, 'utf8');
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(1_700_000_000, 12), 136, 12);
  put('        ', 148, 8); // checksum placeholder
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

/** A gzipped ustar archive. */
export function tarGz(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(tarHeader(e.name, e.data.length), e.data, Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

const escaped = (name: string) => name.replace(/[-_.]+/g, '_');

function coreMetadata(name: string, version: string): Buffer {
  return Buffer.from(
    [
      'Metadata-Version: 2.1',
      `Name: ${name}`,
      `Version: ${version}`,
      `Summary: Benchmark project ${name}`,
      'Requires-Python: >=3.8',
      'Requires-Dist: requests>=2',
      '',
      `A benchmark distribution (${randomBytes(6).toString('hex')}).`,
      '',
    ].join('\n'),
  );
}

/** `{name}-{version}.tar.gz` with `{name}-{version}/PKG-INFO`; unique bytes each call. */
export function sdistTarGz(name: string, version: string): { filename: string; data: Buffer } {
  const top = `${escaped(name)}-${version}`;
  return {
    filename: `${top}.tar.gz`,
    data: tarGz([
      { name: `${top}/PKG-INFO`, data: coreMetadata(name, version) },
      { name: `${top}/setup.py`, data: Buffer.from('from setuptools import setup\nsetup()\n') },
    ]),
  };
}

/**
 * A gzip stream of stored deflate blocks around `chunks` (RFC 1951/1952, written by hand so that the same chunks
 * always give the same bytes, which zlib's own streams need not).
 */
function* storedGzip(chunks: Iterable<Buffer>): Generator<Buffer> {
  yield Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  let crc = 0;
  let total = 0;
  for (const chunk of chunks) {
    // One write per chunk (as many stored blocks as it takes), as large as the chunks given.
    const blocks: Buffer[] = [];
    for (let at = 0; at < chunk.length; at += 0xffff) {
      const piece = chunk.subarray(at, at + 0xffff);
      const head = Buffer.alloc(5);
      head.writeUInt16LE(piece.length, 1);
      head.writeUInt16LE(~piece.length & 0xffff, 3);
      crc = crc32(piece, crc);
      total += piece.length;
      blocks.push(head, piece);
    }
    yield Buffer.concat(blocks);
  }
  const tail = Buffer.alloc(13);
  tail.writeUInt8(1, 0); // the final block, empty
  tail.writeUInt16LE(0, 1);
  tail.writeUInt16LE(0xffff, 3);
  tail.writeUInt32LE(crc >>> 0, 5);
  tail.writeUInt32LE(total % 2 ** 32, 9);
  yield tail;
}

/** The tar of an sdist: `{top}/PKG-INFO`, then one member `{top}/payload.bin` of `size` bytes from `chunks`. */
function* sdistTar(name: string, version: string, pkgInfo: Buffer, size: number, chunks: Iterable<Buffer>): Generator<Buffer> {
  const top = `${escaped(name)}-${version}`;
  const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
  yield Buffer.concat([tarHeader(`${top}/PKG-INFO`, pkgInfo.length), pkgInfo, pad(pkgInfo.length), tarHeader(`${top}/payload.bin`, size)]);
  yield* chunks;
  yield Buffer.concat([pad(size), Buffer.alloc(1024)]);
}

/**
 * `{name}-{version}.tar.gz` with its PKG-INFO and one member of `size` bytes from `chunks`, streamed: a real sdist
 * (the server reads every upload to its end) without holding the file, close to `size` bytes on the wire. Each
 * call of the result streams the same bytes.
 */
export function sdistStream(name: string, version: string, size: number, chunks: () => Iterable<Buffer>): () => AsyncIterable<Buffer> {
  const pkgInfo = coreMetadata(name, version); // once: it carries a random line, and each pass must match
  return async function* () {
    yield* storedGzip(sdistTar(name, version, pkgInfo, size, chunks()));
  };
}

/** `{name}-{version}.tar.gz` holding its PKG-INFO and `payload` as one member, in memory. */
export function sdistWith(name: string, version: string, payload: Buffer): Buffer {
  return Buffer.concat([...storedGzip(sdistTar(name, version, coreMetadata(name, version), payload.length, [payload]))]);
}

/** `{name}-{version}.zip`, the other sdist form. */
export function sdistZip(name: string, version: string): { filename: string; data: Buffer } {
  const top = `${escaped(name)}-${version}`;
  return { filename: `${top}.zip`, data: zipStored([{ name: `${top}/PKG-INFO`, data: coreMetadata(name, version) }]) };
}

/** A py3-none-any wheel with a real `.dist-info/METADATA`. */
export function wheel(name: string, version: string): { filename: string; data: Buffer } {
  const stem = `${escaped(name)}-${version}`;
  const mod = escaped(name).toLowerCase();
  return {
    filename: `${stem}-py3-none-any.whl`,
    data: zipStored([
      { name: `${mod}/__init__.py`, data: Buffer.from(`__version__ = "${version}"\n`) },
      { name: `${stem}.dist-info/METADATA`, data: coreMetadata(name, version) },
      { name: `${stem}.dist-info/WHEEL`, data: Buffer.from('Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
      { name: `${stem}.dist-info/RECORD`, data: Buffer.from('') },
    ]),
  };
}

// ---------------------------------------------------------------------------------------------------
// Control plane

async function control(server: Server, pathAndQuery: string, what: string, okIfConflict = false, body: object = {}): Promise<Response> {
  const res = await request(`${server.url}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (okIfConflict && res.status === 409) return res;
  return expectStatus(res, 200, what);
}

/** Creates the domain (if missing) and the repository, with `upstreams` (names, in priority order). */
export async function createRepo(server: Server, repo: string, domain = DOMAIN, upstreams: string[] = []): Promise<void> {
  await control(server, `/v1/domain?domain=${domain}`, 'CreateDomain', true);
  const body = upstreams.length > 0 ? { upstreams: upstreams.map((repositoryName) => ({ repositoryName })) } : {};
  await control(server, `/v1/repository?domain=${domain}&repository=${repo}`, 'CreateRepository', false, body);
}

export interface GenericAsset {
  namespace: string;
  packageName: string;
  version: string;
  asset: string;
}

export function genericQuery(repo: string, a: GenericAsset, domain = DOMAIN): string {
  const q = new URLSearchParams({
    domain,
    repository: repo,
    format: 'generic',
    namespace: a.namespace,
    package: a.packageName,
    version: a.version,
    asset: a.asset,
  });
  return q.toString();
}

/** PublishPackageVersion of one generic asset, streamed (body may be an async iterable). */
export async function genericPublish(
  server: Server,
  repo: string,
  a: GenericAsset,
  body: Buffer | AsyncIterable<Buffer>,
  sha256: string,
  size: number,
): Promise<Response> {
  const res = await request(`${server.url}/v1/package/version/publish?${genericQuery(repo, a)}`, {
    method: 'POST',
    headers: { 'x-amz-content-sha256': sha256, 'content-type': 'application/octet-stream', 'content-length': size },
    body,
    timeoutMs: 300_000,
  });
  return expectStatus(res, 200, `PublishPackageVersion ${a.packageName} ${a.version}`);
}

// ---------------------------------------------------------------------------------------------------
// PyPI legacy upload

export interface UploadFile {
  name: string;
  version: string;
  filename: string;
  size: number;
  sha256: string;
  /** The file's bytes: a buffer, or a fresh iterable of chunks for streaming. */
  content: Buffer | (() => AsyncIterable<Buffer>);
}

/** The multipart body twine sends, as an iterable of chunks, and its exact length. */
export function multipartBody(file: UploadFile): {
  contentType: string;
  length: number;
  head: Buffer;
  tail: Buffer;
  chunks: () => AsyncIterable<Buffer>;
} {
  const boundary = `----bench${randomBytes(12).toString('hex')}`;
  const fields: [string, string][] = [
    [':action', 'file_upload'],
    ['protocol_version', '1'],
    ['metadata_version', '2.1'],
    ['name', file.name],
    ['version', file.version],
    ['filetype', file.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist'],
    ['pyversion', file.filename.endsWith('.whl') ? 'py3' : 'source'],
    ['sha256_digest', file.sha256],
  ];
  let head = '';
  for (const [k, v] of fields) head += `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${file.filename}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  const headBuf = Buffer.from(head);
  const tailBuf = Buffer.from(`\r\n--${boundary}--\r\n`);
  const content = file.content;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: headBuf.length + file.size + tailBuf.length,
    head: headBuf,
    tail: tailBuf,
    chunks: async function* () {
      yield headBuf;
      if (Buffer.isBuffer(content)) yield content;
      else yield* content();
      yield tailBuf;
    },
  };
}

/** The legacy upload of one file; `headers` are added (e.g. an Authorization for a server with `--auth on`). */
export async function pypiUpload(
  server: Server,
  repo: string,
  file: UploadFile,
  domain = DOMAIN,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = multipartBody(file);
  const res = await request(`${server.pypiBase(domain, repo)}/`, {
    method: 'POST',
    headers: { ...headers, 'content-type': body.contentType, 'content-length': body.length },
    // A small file goes in one write, as twine sends it; a large one streams with back-pressure.
    body: Buffer.isBuffer(file.content) ? Buffer.concat([body.head, file.content, body.tail]) : body.chunks(),
    timeoutMs: 300_000,
  });
  return expectStatus(res, 200, `PyPI upload of ${file.filename}`);
}

/** Upload a built distribution (bytes in memory). */
export function uploadDist(
  server: Server,
  repo: string,
  name: string,
  version: string,
  dist: { filename: string; data: Buffer },
  domain = DOMAIN,
  headers: Record<string, string> = {},
) {
  return pypiUpload(
    server,
    repo,
    {
      name,
      version,
      filename: dist.filename,
      size: dist.data.length,
      sha256: createHash('sha256').update(dist.data).digest('hex'),
      content: dist.data,
    },
    domain,
    headers,
  );
}

// ---------------------------------------------------------------------------------------------------
// A repository with many projects, built once per process and shared (benches copy it).

export const BIG_REPO = 'big';

export interface PopulatedFixture {
  dataDir: string;
  projects: number;
  uploadSeconds: number;
  bytesOnDisk: number;
}

const fixtures = new Map<number, Promise<PopulatedFixture>>();

function diskUsage(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? diskUsage(p) : statSync(p).size;
  }
  return total;
}

/**
 * A data dir whose repository `bench/big` holds `projects` PyPI projects (one .tar.gz sdist each),
 * uploaded through the real upload API. Built once per process; do not modify it (copy it instead).
 */
export function populatedFixture(projects: number, concurrency: number): Promise<PopulatedFixture> {
  let f = fixtures.get(projects);
  if (!f) {
    f = (async () => {
      const dataDir = makeTempDir('fixture');
      const server = await startServer(dataDir);
      try {
        await createRepo(server, BIG_REPO);
        log('fixture', `uploading ${projects} projects to ${DOMAIN}/${BIG_REPO} (concurrency ${concurrency})`);
        const t0 = now();
        const indices = Array.from({ length: projects }, (_, i) => i);
        await forEachConcurrent(indices, concurrency, async (i) => {
          const name = `project-${String(i).padStart(5, '0')}`;
          await uploadDist(server, BIG_REPO, name, '1.0.0', sdistTarGz(name, '1.0.0'));
        });
        const uploadSeconds = (now() - t0) / 1000;
        log('fixture', `${projects} uploads in ${uploadSeconds.toFixed(1)} s (${(projects / uploadSeconds).toFixed(0)}/s)`);
        await server.stop();
        return { dataDir, projects, uploadSeconds, bytesOnDisk: diskUsage(dataDir) };
      } catch (err) {
        await server.stop();
        throw err;
      }
    })();
    fixtures.set(projects, f);
  }
  return f;
}

/** A private copy of the fixture's data dir (the server must not be running on the original). */
export function copyFixture(fixture: PopulatedFixture, prefix: string): string {
  const dir = makeTempDir(prefix);
  cpSync(fixture.dataDir, dir, { recursive: true });
  return dir;
}

export async function releaseFixtures(): Promise<void> {
  for (const f of fixtures.values()) {
    try {
      removeTempDir((await f).dataDir);
    } catch {
      // failed fixtures have nothing to remove beyond what the exit handler takes
    }
  }
  fixtures.clear();
}
