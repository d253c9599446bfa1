// Reading the core metadata out of an uploaded distribution on local disk: `{name}-{ver}.dist-info/METADATA` of
// a wheel, `{top}/PKG-INFO` of an sdist. Streams the archive (never loads it whole) and checks it the way
// Warehouse does before trusting it: a zip or tar it can read, no member outside the archive (absolute or `..`),
// an sdist in one top-level directory, no decompression bomb (an archive more than 50 times its size once
// unpacked, past 64 MiB), a metadata member of at most MAX_METADATA_BYTES. Every refusal comes back as an
// ArchiveProblem saying which rule and which member; the caller words the message.
import { open as openFile, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { copyFileRange } from '../../fileCopy.js';
import { normalizeProjectName } from './names.js';
import { sameVersion } from './versions.js';

export const MAX_METADATA_BYTES = 10 * 1024 * 1024;
/** Warehouse's decompression-bomb rule: refused past this many bytes unpacked ... */
export const COMPRESSION_RATIO_MIN_SIZE = 64 * 1024 * 1024;
/** ... when that is more than this many times the archive's own size. */
export const COMPRESSION_RATIO_THRESHOLD = 50;

export type ArchiveProblem =
  /** Neither the container the name says nor any we read. */
  | { kind: 'not-an-archive'; expected: 'zip' | 'tar' }
  /** It starts like one but does not read as one (truncated, bad checksums, sizes that lie). */
  | { kind: 'corrupt'; detail: string }
  /** A member whose path leaves the archive's directory: absolute, with `..`, or with a backslash or drive. */
  | { kind: 'unsafe-member'; member: string }
  /** The metadata member is larger than MAX_METADATA_BYTES once uncompressed. */
  | { kind: 'metadata-too-large'; member: string; size: number }
  /** The whole archive unpacks past the compression-ratio rule. */
  | { kind: 'bomb'; unpackedBytes: number; packedBytes: number }
  | { kind: 'encrypted'; member: string }
  /** No metadata member where it must be. `expected` is the path when it is known (an sdist's top directory). */
  | { kind: 'missing'; expected?: string }
  /** Several `.dist-info` directories of the project, none the obvious one. */
  | { kind: 'ambiguous'; members: string[] }
  /** An sdist's members are not all inside one top-level directory. */
  | { kind: 'top-level'; names: string[] };

export type MetadataRead = { ok: true; bytes: Buffer; member: string } | { ok: false; problem: ArchiveProblem };

const problem = (p: ArchiveProblem): MetadataRead => ({ ok: false, problem: p });

/** An ArchiveProblem thrown from deep inside a reader. */
class Refusal extends Error {
  constructor(readonly problem: ArchiveProblem) {
    super(problem.kind);
  }
}

/** Whether a bomb: more than the compression-ratio rule allows. */
function isBomb(unpacked: number, packed: number): boolean {
  return unpacked > COMPRESSION_RATIO_MIN_SIZE && unpacked > COMPRESSION_RATIO_THRESHOLD * Math.max(packed, 1);
}

/** A member path that stays inside the archive: relative, no `..` segment, no backslash, no drive. */
function isSafeMemberPath(name: string): boolean {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) return false;
  return !name.split('/').includes('..');
}

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

/** yauzl's own refusals of unsafe entry names, as an ArchiveProblem. */
function zipError(err: unknown): ArchiveProblem {
  const message = (err as Error)?.message ?? String(err);
  const unsafe = /^(?:invalid relative path|absolute path|invalid characters in fileName): (.*)$/.exec(message);
  if (unsafe) return { kind: 'unsafe-member', member: unsafe[1]! };
  if (/end of central directory record signature not found/i.test(message)) return { kind: 'not-an-archive', expected: 'zip' };
  return { kind: 'corrupt', detail: message };
}

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

/** Every entry of a zip's central directory that names a file (not a directory). */
function listZipEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const kept: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) kept.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(kept));
    zip.once('error', reject);
    zip.readEntry();
  });
}

async function readZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  if (entry.isEncrypted()) throw new Refusal({ kind: 'encrypted', member: entry.fileName });
  if (entry.uncompressedSize > MAX_METADATA_BYTES)
    throw new Refusal({ kind: 'metadata-too-large', member: entry.fileName, size: entry.uncompressedSize });
  const stream = await new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s))),
  );
  const bytes = await readCapped(stream, MAX_METADATA_BYTES);
  if (!bytes) throw new Refusal({ kind: 'metadata-too-large', member: entry.fileName, size: MAX_METADATA_BYTES + 1 });
  return bytes;
}

/**
 * Open the zip, check every entry (yauzl refuses unsafe names) and the compression ratio, let `choose` pick
 * one entry (or refuse), return its bytes.
 */
async function readFromZip(
  filePath: string,
  choose: (entries: yauzl.Entry[]) => yauzl.Entry | ArchiveProblem,
): Promise<MetadataRead> {
  let zip: yauzl.ZipFile | undefined;
  try {
    zip = await openZip(filePath);
    // A late 'error' (after we stopped listening) must not become an uncaught exception.
    zip.on('error', () => undefined);
    const entries = await listZipEntries(zip);
    const unpacked = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
    const packed = (await stat(filePath)).size;
    if (isBomb(unpacked, packed)) return problem({ kind: 'bomb', unpackedBytes: unpacked, packedBytes: packed });
    const chosen = choose(entries);
    if (!('fileName' in chosen)) return problem(chosen);
    return { ok: true, bytes: await readZipEntry(zip, chosen), member: chosen.fileName };
  } catch (err) {
    return problem(err instanceof Refusal ? err.problem : zipError(err));
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
 * The exact bytes of the wheel's `{distinfo}/METADATA`, where distinfo is the top-level `*.dist-info` directory
 * of this project (names compared PEP 503-normalized, versions by PEP 440). Several candidates: the one matching
 * name and version, if unique; else the one matching the name, if unique; else refused (pip refuses such wheels
 * too).
 */
export function readWheelMetadata(filePath: string, project: string, version: string): Promise<MetadataRead> {
  return readFromZip(filePath, (entries) => {
    const scored = entries.flatMap((entry) => {
      const stem = DIST_INFO_METADATA_RE.exec(entry.fileName)?.[1];
      return stem === undefined ? [] : [{ entry, score: distInfoMatch(stem, project, version) }];
    });
    for (const score of [2, 1]) {
      const hits = scored.filter((s) => s.score === score);
      if (hits.length === 1) return hits[0]!.entry;
      if (hits.length > 1) return { kind: 'ambiguous', members: hits.map((h) => h.entry.fileName) };
    }
    return { kind: 'missing' };
  });
}

/** A member name without the `./` prefixes tar writers add. */
const relative = (name: string) => name.replace(/^(\.\/)+/, '');

/**
 * An sdist's metadata from its member names: every member inside one top-level directory, and `{top}/PKG-INFO`
 * among them (Warehouse: "Incorrect number of top-level directories in sdist", "PKG-INFO not found at ...").
 */
function sdistLayout(names: string[]): { top: string } | ArchiveProblem {
  const tops = new Set<string>();
  for (const name of names) {
    const parts = relative(name).split('/');
    // A file at the top, outside any directory, counts as a top-level entry of its own.
    tops.add(parts.length > 1 ? parts[0]! : `${parts[0]} (a file)`);
  }
  if (tops.size !== 1 || [...tops][0]!.endsWith(' (a file)')) return { kind: 'top-level', names: [...tops].sort().slice(0, 5) };
  const top = [...tops][0]!;
  return names.some((n) => relative(n) === `${top}/PKG-INFO`) ? { top } : { kind: 'missing', expected: `${top}/PKG-INFO` };
}

async function readZipSdist(filePath: string): Promise<MetadataRead> {
  return readFromZip(filePath, (entries) => {
    const layout = sdistLayout(entries.map((e) => e.fileName));
    if ('kind' in layout) return layout;
    return entries.find((e) => relative(e.fileName) === `${layout.top}/PKG-INFO`)!;
  });
}

/**
 * Reads a whole .tar.gz: every member's path checked, the unpacked size held to the compression-ratio rule as it
 * streams, the candidates for `{top}/PKG-INFO` (members two levels deep) kept.
 */
async function readTarGzSdist(filePath: string): Promise<MetadataRead> {
  const tarStream = await loadTarStream();
  const packed = (await stat(filePath)).size;
  // Large reads and inflate buffers: the whole archive is read, and small chunks cost more than the inflating.
  // The reads go through two reused buffers (copyFileRange), not a fresh one per chunk.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const extract = tarStream.extract(); // a streamx Writable: wire errors by hand, not stream.pipeline
  const fail = (err: Error) => extract.destroy(err);
  let unpacked = 0;
  gunzip.on('error', fail);
  gunzip.on('data', (chunk: Buffer) => {
    unpacked += chunk.length;
    if (isBomb(unpacked, packed)) fail(new Refusal({ kind: 'bomb', unpackedBytes: unpacked, packedBytes: packed }));
  });
  gunzip.pipe(extract);
  // A failed read fails the extraction; an empty file reads nothing, and gunzip reports the empty stream.
  copyFileRange(filePath, { start: 0, end: packed - 1 }, 1024 * 1024, gunzip).then(
    () => gunzip.end(),
    (err: Error) => fail(err),
  );
  const names: string[] = [];
  const pkgInfos = new Map<string, Buffer>();
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (!isSafeMemberPath(relative(name))) throw new Refusal({ kind: 'unsafe-member', member: name });
      if (type === 'directory') {
        entry.resume();
        continue;
      }
      names.push(name);
      const parts = relative(name).split('/');
      if ((type === 'file' || type === 'contiguous-file') && parts.length === 2 && parts[1] === 'PKG-INFO') {
        if (size !== undefined && size > MAX_METADATA_BYTES) throw new Refusal({ kind: 'metadata-too-large', member: name, size });
        const bytes = await readCapped(entry, MAX_METADATA_BYTES);
        if (!bytes) throw new Refusal({ kind: 'metadata-too-large', member: name, size: MAX_METADATA_BYTES + 1 });
        pkgInfos.set(parts[0]!, bytes);
      } else entry.resume(); // skip the body
    }
  } catch (err) {
    if (err instanceof Refusal) return problem(err.problem);
    const message = (err as Error)?.message ?? String(err);
    return problem(/incorrect header check|unknown compression method/.test(message) ? { kind: 'not-an-archive', expected: 'tar' } : { kind: 'corrupt', detail: message });
  } finally {
    gunzip.destroy();
    extract.destroy();
  }
  if (names.length === 0) return problem({ kind: 'corrupt', detail: 'the archive holds no files' });
  const layout = sdistLayout(names);
  if ('kind' in layout) return problem(layout);
  const member = names.find((n) => relative(n) === `${layout.top}/PKG-INFO`)!;
  return { ok: true, bytes: pkgInfos.get(layout.top)!, member };
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

/**
 * The exact bytes of `{top}/PKG-INFO` of a `.tar.gz` or `.zip` sdist (format sniffed, not taken from the name;
 * `expected` is what the file name says, for the message when it is neither).
 */
export async function readSdistMetadata(filePath: string, expected: 'zip' | 'tar' = 'tar'): Promise<MetadataRead> {
  const kind = await archiveKind(filePath);
  if (kind === 'gzip') return readTarGzSdist(filePath);
  if (kind === 'zip') return readZipSdist(filePath);
  return problem({ kind: 'not-an-archive', expected });
}
