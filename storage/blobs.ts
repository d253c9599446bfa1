// Content-addressed blob store: each asset's bytes live once, at blobs/ab/cd/<sha256>.
// A write streams into tmp/, hashing as it goes, is fsynced, and is only renamed into place by
// `commit()`, which the caller runs before committing the database row. A discarded or failed write
// leaves nothing behind.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { access, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface BlobDigests {
  size: number;
  sha256: string;
  sha1: string;
  sha512: string;
  md5: string;
  blake2b256: string;
}

/** Bytes written to a temporary file, hashed, not yet visible at their address. */
export interface PendingBlob extends BlobDigests {
  /** The temporary file, for inspection (e.g. reading METADATA out of a wheel) before commit. */
  readonly tempPath: string;
  /** Moves the file to its content address (a no-op if those bytes are already stored). */
  commit(): Promise<void>;
  /** Removes the temporary file. Safe to call after commit or twice. */
  discard(): Promise<void>;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`content exceeds ${limit} bytes`);
  }
}

export interface BlobStore {
  readonly root: string;
  write(source: Readable, options?: { maxBytes?: number }): Promise<PendingBlob>;
  pathOf(sha256: string): string;
  exists(sha256: string): Promise<boolean>;
  read(sha256: string, range?: { start: number; end: number }): Readable;
  /** Removes a blob unless a write of the same bytes is in progress (see `hold`). */
  remove(sha256: string): Promise<void>;
  /** Protects a digest from `remove` while a write that will reference it has not committed its row. */
  hold(sha256: string): () => void;
}

export function openBlobStore(root: string): BlobStore {
  const blobsDir = path.join(root, 'blobs');
  const tmpDir = path.join(root, 'tmp');
  mkdirSync(blobsDir, { recursive: true });
  mkdirSync(tmpDir, { recursive: true });
  // Whatever is in tmp/ belongs to writes that died with an earlier process.
  for (const f of readdirSync(tmpDir)) rmSync(path.join(tmpDir, f), { force: true });

  const pathOf = (sha256: string) => {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(blobsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };

  async function write(source: Readable, options: { maxBytes?: number } = {}): Promise<PendingBlob> {
    // The source may fail (a truncated upload) while the hashers below are still being set up: keep
    // that from being an unhandled 'error' event; pipeline() still sees the stream as failed.
    const ignoreUntilPiped = () => undefined;
    source.on('error', ignoreUntilPiped);
    const tempPath = path.join(tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const sha256 = createHash('sha256');
    const sha1 = createHash('sha1');
    const sha512 = createHash('sha512');
    const md5 = createHash('md5');
    // BLAKE2b-256 (twine's blake2_256_digest) is not in OpenSSL's menu; hash-wasm loads on first write.
    const { createBLAKE2b } = await import('hash-wasm');
    const blake = await createBLAKE2b(256);
    blake.init();
    let size = 0;
    const hasher = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (options.maxBytes !== undefined && size > options.maxBytes) {
          done(new BlobTooLargeError(options.maxBytes));
          return;
        }
        sha256.update(chunk);
        sha1.update(chunk);
        sha512.update(chunk);
        md5.update(chunk);
        blake.update(chunk);
        done(null, chunk);
      },
    });
    const out = createWriteStream(tempPath, { flags: 'wx' });
    // pipeline() can reject before the write stream's lazy open() has created the file; an rm() issued
    // then races that creation and leaves an orphan in tmp/. 'close' always comes after the open (a
    // stream destroyed while opening still opens, then closes), so cleanup waits for it.
    const outClosed = new Promise<void>((resolve) => out.once('close', resolve));
    try {
      await pipeline(source, hasher, out);
      source.off('error', ignoreUntilPiped);
      const handle = await open(tempPath, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      await outClosed;
      await rm(tempPath, { force: true });
      throw err;
    }
    const digests: BlobDigests = {
      size,
      sha256: sha256.digest('hex'),
      sha1: sha1.digest('hex'),
      sha512: sha512.digest('hex'),
      md5: md5.digest('hex'),
      blake2b256: blake.digest('hex'),
    };
    let settled = false;
    return {
      ...digests,
      tempPath,
      async commit() {
        if (settled) return;
        const target = pathOf(digests.sha256);
        if (await exists(digests.sha256)) {
          await rm(tempPath, { force: true });
        } else {
          mkdirSync(path.dirname(target), { recursive: true });
          await rename(tempPath, target);
        }
        settled = true;
      },
      async discard() {
        settled = true;
        await rm(tempPath, { force: true });
      },
    };
  }

  async function exists(sha256: string): Promise<boolean> {
    try {
      await access(pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  // Digests with writes in flight: a concurrent delete of the same bytes must not remove the file
  // between this write's rename and its database commit.
  const held = new Map<string, number>();
  const hold = (sha256: string) => {
    held.set(sha256, (held.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (held.get(sha256) ?? 1) - 1;
      if (n <= 0) held.delete(sha256);
      else held.set(sha256, n);
    };
  };

  return {
    root,
    hold,
    write,
    pathOf,
    exists,
    read: (sha256, range) => createReadStream(pathOf(sha256), range),
    remove: async (sha256) => {
      if (held.has(sha256)) return;
      await rm(pathOf(sha256), { force: true });
    },
  };
}

/** Size of a stored blob, or undefined when it is missing. */
export async function blobSize(store: BlobStore, sha256: string): Promise<number | undefined> {
  try {
    return (await stat(store.pathOf(sha256))).size;
  } catch {
    return undefined;
  }
}
