// Reading the core metadata out of an uploaded distribution on local disk: `{name}-{ver}.dist-info/
// METADATA` of a wheel, `{top}/PKG-INFO` of an sdist. Streams the archive (never loads it whole),
// refuses a metadata member over MAX_METADATA_BYTES, and answers undefined instead of throwing for
// a missing, corrupt or unexpected archive: the caller decides what that means.
import { createReadStream } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { normalizeProjectName } from './names.js';
import { sameVersion } from './versions.js';

export const MAX_METADATA_BYTES = 10 * 1024 * 1024;

/** Read a stream fully, giving up (undefined) past `limit` bytes. */
async function readCapped(
  stream: AsyncIterable<unknown> & { destroy(): unknown },
  limit: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buf.length;
    if (total > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

// The archive libraries load on first use: start-up should not pay for them.
const loadYauzl = async () => (await import('yauzl')).default;
const loadTarStream = async () => (await import('tar-stream')).default;

async function openZip(filePath: string): Promise<yauzl.ZipFile> {
  const yauzl = await loadYauzl();
  return new Promise((resolve, reject) => {
    yauzl.open(
      filePath,
      // autoClose off: the wanted entry is only known after the whole central directory is read.
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: true },
      (err, zip) => (err || !zip ? reject(err ?? new Error('zip open failed')) : resolve(zip)),
    );
  });
}

/** Walk a zip's central directory; keep the entries `want` accepts (names of files, not dirs). */
function listZipEntries(zip: yauzl.ZipFile, want: (name: string) => boolean): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const kept: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/') && want(entry.fileName)) kept.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(kept));
    zip.once('error', reject);
    zip.readEntry();
  });
}

async function readZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer | undefined> {
  if (entry.isEncrypted() || entry.uncompressedSize > MAX_METADATA_BYTES) return undefined;
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s))),
  );
  return readCapped(stream, MAX_METADATA_BYTES);
}

/**
 * Open the zip, pick one entry among those `want` accepts, return its bytes. Every failure
 * (unreadable file, bad zip, yauzl's file name or size validation) gives undefined.
 */
async function readFromZip(
  filePath: string,
  want: (name: string) => boolean,
  choose: (entries: yauzl.Entry[]) => yauzl.Entry | undefined,
): Promise<Buffer | undefined> {
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await openZip(filePath);
    // A late 'error' (after we stopped listening) must not become an uncaught exception.
    zip.on('error', () => undefined);
    const entry = choose(await listZipEntries(zip, want));
    return entry ? await readZipEntry(zip, entry) : undefined;
  } catch {
    return undefined;
  } finally {
    zip?.close();
  }
}

const DIST_INFO_METADATA_RE = /^([^/]+)\.dist-info\/METADATA$/i;

/** How well a `.dist-info` directory stem (`demo_pkg-1.0.0`) matches the wheel: 2 name+version, 1 name, 0 none. */
function distInfoMatch(stem: string, project: string, version: string): number {
  const want = normalizeProjectName(project);
  let best = 0;
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    if (normalizeProjectName(stem.slice(0, i)) !== want) continue;
    const v = stem.slice(i + 1);
    best = Math.max(best, v === version || sameVersion(v, version) ? 2 : 1);
  }
  return best;
}

/**
 * The exact bytes of the wheel's `{distinfo}/METADATA`, where distinfo is the top-level
 * `*.dist-info` directory of this project (names compared PEP 503-normalized, versions by PEP 440).
 * Several candidates: the one matching name and version, if unique; else the one matching the name,
 * if unique; else undefined (pip refuses such wheels too).
 */
export async function readWheelMetadata(
  filePath: string,
  project: string,
  version: string,
): Promise<Buffer | undefined> {
  return readFromZip(
    filePath,
    (name) => DIST_INFO_METADATA_RE.test(name),
    (entries) => {
      const scored = entries.map((entry) => {
        const stem = (DIST_INFO_METADATA_RE.exec(entry.fileName)?.[1] ?? '');
        return { entry, score: distInfoMatch(stem, project, version) };
      });
      for (const score of [2, 1]) {
        const hits = scored.filter((s) => s.score === score);
        if (hits.length === 1) return hits[0]?.entry;
        if (hits.length > 1) return undefined;
      }
      return undefined;
    },
  );
}

/** `{top}/PKG-INFO`, exactly one directory deep (a leading `./` is tolerated). */
function isTopPkgInfo(name: string): boolean {
  const parts = name.replace(/^(\.\/)+/, '').split('/');
  return parts.length === 2 && parts[1] === 'PKG-INFO' && parts[0] !== '' && parts[0] !== '.' && parts[0] !== '..';
}

async function readTarGzPkgInfo(filePath: string): Promise<Buffer | undefined> {
  const tarStream = await loadTarStream();
  const source = createReadStream(filePath);
  const gunzip = createGunzip();
  const extract = tarStream.extract(); // a streamx Writable: wire errors by hand, not stream.pipeline
  const fail = (err: Error) => extract.destroy(err);
  source.on('error', fail);
  gunzip.on('error', fail);
  source.pipe(gunzip).pipe(extract);
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if ((type === 'file' || type === 'contiguous-file') && isTopPkgInfo(name)) {
        if (size !== undefined && size > MAX_METADATA_BYTES) return undefined;
        return await readCapped(entry, MAX_METADATA_BYTES);
      }
      entry.resume(); // skip the body
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    source.destroy();
    gunzip.destroy();
    extract.destroy();
  }
}

type ArchiveKind = 'gzip' | 'zip';

/** Sniff the container by its magic bytes (stored blobs may have no extension). */
async function archiveKind(filePath: string): Promise<ArchiveKind | undefined> {
  let handle: Awaited<ReturnType<typeof openFile>> | undefined;
  try {
    handle = await openFile(filePath, 'r');
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && [3, 5, 7].includes(head[2] ?? 0)) return 'zip';
    return undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The exact bytes of `{top}/PKG-INFO` of a `.tar.gz` or `.zip` sdist (format sniffed, not taken from the name). */
export async function readSdistMetadata(filePath: string): Promise<Buffer | undefined> {
  const kind = await archiveKind(filePath);
  if (kind === 'gzip') return readTarGzPkgInfo(filePath);
  if (kind === 'zip') {
    return readFromZip(filePath, isTopPkgInfo, (entries) => entries[0]);
  }
  return undefined;
}
