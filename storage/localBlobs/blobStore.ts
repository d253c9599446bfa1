// The BlobStore port on a local folder: each asset's bytes live once, at blobs/ab/cd/<sha256>.
// A put streams into tmp/, hashing as it goes, is fsynced, and is only renamed into place by
// `commit()`, which the caller runs before committing the database row. A discarded or failed put
// leaves nothing behind.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { access, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { BlobTooLargeError, type BlobDigests, type BlobStore, type PendingBlob } from '../ports.js';
import { pipeline } from 'node:stream/promises';

/** The local folder's own view: where a blob's file is (for tests and tools such as fsck). */
export interface LocalBlobStore extends BlobStore {
  readonly root: string;
  pathOf(sha256: string): string;
}

export function openLocalBlobStore(root: string): LocalBlobStore {
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

  async function put(source: Readable, options: { maxBytes?: number } = {}): Promise<PendingBlob> {
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
      localPath: tempPath,
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
    put,
    pathOf,
    exists,
    open: (sha256, range) => createReadStream(pathOf(sha256), range),
    delete: async (sha256) => {
      if (held.has(sha256)) return;
      await rm(pathOf(sha256), { force: true });
    },
  };
}
