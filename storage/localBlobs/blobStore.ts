// The BlobStore port on a local folder: each asset's bytes live once, at blobs/ab/cd/<sha256>.
// A put streams into tmp/, hashed as it goes (off the event loop, see digests/), and is fsynced; `commit()`
// renames it into place (over identical bytes if they are there already, so no check-then-act race) and
// fsyncs the directory. Bytes leave only by `reclaim`, which takes them out of their address first and
// re-checks their references after, putting them back if a writer claimed them meanwhile. Nothing here
// deletes at start-up: another process may be writing.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, open, opendir, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BlobStore,
  type HealthReport,
  type PendingBlob,
  type StoredBlob,
  type TemporaryFile,
} from '../ports.js';
import { copyFileRange } from '../../core/fileCopy.js';
import { ensureWritableDir, probeWritable } from '../localDirs.js';
import { digestingStream } from './digests/stream.js';

/** The local folder's own view: where a blob's file is (for tests and tools). */
export interface LocalBlobStore extends BlobStore {
  readonly root: string;
  pathOf(sha256: string): string;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** A directory's entry for a renamed file is durable only once the directory itself is synced. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A download's read size: up to 1 MiB (a sixteenth of the reads and thread-pool trips of the 64 KiB stream
 * default on a 64 MiB download; the socket takes such chunks whole); copyFileRange reads a smaller range whole.
 */
const COPY_CHUNK = 1024 * 1024;

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export function openLocalBlobStore(root: string): LocalBlobStore {
  const blobsDir = path.join(root, 'blobs');
  const tmpDir = path.join(root, 'tmp');
  const quarantineDir = path.join(root, 'quarantine');
  // Refuses to open (one sentence) rather than answer every write with an error later.
  ensureWritableDir(blobsDir, 'blob folder');
  ensureWritableDir(tmpDir, 'staging folder');

  const pathOf = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(blobsDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };
  const tempName = (kind: string) => `${kind}-${Date.now()}-${randomBytes(8).toString('hex')}`;

  async function put(source: Readable, options: { maxBytes?: number } = {}): Promise<PendingBlob> {
    // The source may fail (a truncated upload) before pipeline() takes it over: keep that from being an
    // unhandled 'error' event; pipeline() still sees the stream as failed.
    const ignoreUntilPiped = () => undefined;
    source.on('error', ignoreUntilPiped);
    const tempPath = path.join(tmpDir, tempName('put'));
    const digester = digestingStream(options);
    const out = createWriteStream(tempPath, { flags: 'wx' });
    // pipeline() can reject before the write stream's lazy open() has created the file; an rm() issued
    // then races that creation and leaves an orphan in tmp/. 'close' always comes after the open (a
    // stream destroyed while opening still opens, then closes), so cleanup waits for it.
    const outClosed = new Promise<void>((resolve) => out.once('close', resolve));
    try {
      await pipeline(source, digester.stream, out);
      source.off('error', ignoreUntilPiped);
      await syncFile(tempPath);
    } catch (err) {
      await outClosed;
      await rm(tempPath, { force: true });
      throw err;
    }
    const digests = digester.digests();
    let state: 'pending' | 'committed' | 'discarded' = 'pending';
    return {
      ...digests,
      localPath: tempPath,
      async commit() {
        if (state === 'committed') return;
        if (state === 'discarded') throw new Error(`blob ${digests.sha256} was discarded before its commit`);
        const target = pathOf(digests.sha256);
        await mkdir(path.dirname(target), { recursive: true });
        await rename(tempPath, target);
        state = 'committed';
        await syncDirectory(path.dirname(target));
      },
      async discard() {
        if (state !== 'pending') return;
        state = 'discarded';
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

  async function reclaim(sha256: string, isReferenced: () => Promise<boolean>): Promise<boolean> {
    const target = pathOf(sha256);
    if (await isReferenced()) return false;
    // Out of its address first: from here no new reader or writer can find these bytes in place...
    const aside = path.join(tmpDir, tempName(`reclaim-${sha256}`));
    try {
      await rename(target, aside);
    } catch (err) {
      if (isMissing(err)) return true;
      throw err;
    }
    // ...then a second look: a writer that claimed the blob before the move keeps it. One that claims it
    // after the move finds no file and puts its own copy in place.
    if (await isReferenced()) {
      await rename(aside, target);
      return false;
    }
    await rm(aside, { force: true });
    await syncDirectory(path.dirname(target));
    return true;
  }

  async function* list(): AsyncIterable<StoredBlob> {
    for (const a of (await readdir(blobsDir)).sort()) {
      let level1: string[];
      try {
        level1 = (await readdir(path.join(blobsDir, a))).sort();
      } catch {
        continue;
      }
      for (const b of level1) {
        const dir = path.join(blobsDir, a, b);
        let handle;
        try {
          handle = await opendir(dir);
        } catch {
          continue;
        }
        for await (const entry of handle) {
          if (!entry.isFile() || !SHA256.test(entry.name)) continue;
          try {
            const st = await stat(path.join(dir, entry.name));
            yield { sha256: entry.name, size: st.size, modifiedAt: st.mtimeMs };
          } catch (err) {
            if (!isMissing(err)) throw err; // reclaimed meanwhile
          }
        }
      }
    }
  }

  const RECLAIM_ASIDE = /^reclaim-([0-9a-f]{64})-/;

  async function finishInterruptedReclaims(isReferenced: (sha256: string) => Promise<boolean>, before: number) {
    const restored: string[] = [];
    const deleted: string[] = [];
    for (const name of await readdir(tmpDir)) {
      const sha256 = RECLAIM_ASIDE.exec(name)?.[1];
      if (!sha256) continue;
      const aside = path.join(tmpDir, name);
      const st = await stat(aside).catch(() => undefined);
      if (!st || st.mtimeMs >= before) continue;
      if ((await isReferenced(sha256)) && !(await exists(sha256))) {
        await mkdir(path.dirname(pathOf(sha256)), { recursive: true });
        await rename(aside, pathOf(sha256));
        restored.push(sha256);
      } else {
        await rm(aside, { force: true });
        deleted.push(sha256);
      }
    }
    return { restored, deleted };
  }

  /** A probe write in blobs/ and in tmp/ (every put goes through both), and the disk's free space. */
  async function health(): Promise<HealthReport> {
    const problems: string[] = [];
    for (const [label, dir] of [['blobs/', blobsDir], ['tmp/', tmpDir]] as const) {
      const reason = await probeWritable(dir);
      if (reason) problems.push(`${label} is not writable (${reason}): uploads and publishes fail`);
    }
    let freeBytes: number | undefined;
    try {
      const fs = await statfs(root);
      freeBytes = fs.bavail * fs.bsize;
    } catch {
      // not every platform answers; the probes above are what matters
    }
    return { problems, freeBytes };
  }

  async function* temporaryFiles(): AsyncIterable<TemporaryFile> {
    for (const name of await readdir(tmpDir)) {
      // Dot files are health probes (see health below), there for a moment and removed by their writer.
      if (RECLAIM_ASIDE.test(name) || name.startsWith('.')) continue;
      try {
        const st = await stat(path.join(tmpDir, name));
        if (st.isFile()) yield { name, size: st.size, modifiedAt: st.mtimeMs };
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
  }

  return {
    root,
    put,
    pathOf,
    exists,
    reclaim,
    list,
    temporaryFiles,
    finishInterruptedReclaims,
    open: (sha256) => createReadStream(pathOf(sha256)),
    copyTo: (sha256, range, sink, start) => copyFileRange(pathOf(sha256), range, COPY_CHUNK, sink, start),
    removeTemporary: async (name) => {
      if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`not a temporary file: ${name}`);
      await rm(path.join(tmpDir, name), { force: true });
    },
    quarantine: async (sha256) => {
      await mkdir(quarantineDir, { recursive: true });
      await rename(pathOf(sha256), path.join(quarantineDir, `${sha256}-${Date.now()}`));
    },
    health,
  };
}
