// Local folders a store writes to (the data dir, blobs/, tmp/): made at open, and proven writable by writing
// a small probe file, the only test that holds for every cause (permissions, another owner, a read-only
// mount, an immutable flag, a file where a folder should be; access(2) is wrong for root, for one).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StorageUnavailableError } from './ports.js';

/** `EACCES: permission denied` out of `EACCES: permission denied, open '/data/.probe-…'`. */
export function errorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? (e.message.split(',')[0] ?? e.code) : String(e.message ?? e);
}

const probeName = () => `.write-probe-${process.pid}-${randomBytes(6).toString('hex')}`;

const whoami = () => (typeof process.getuid === 'function' ? ` by this process (uid ${process.getuid()})` : '');

/** Creates `dir` if needed and writes a probe file in it; throws one sentence when either fails. */
export function ensureWritableDir(dir: string, label: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StorageUnavailableError(`cannot create ${label} ${dir}: ${errorReason(err)}`);
  }
  const probe = path.join(dir, probeName());
  try {
    writeFileSync(probe, 'probe', { flag: 'wx' });
  } catch (err) {
    throw new StorageUnavailableError(`${label} ${dir} is not writable${whoami()}: ${errorReason(err)}`);
  } finally {
    try {
      rmSync(probe, { force: true });
    } catch {
      // the write failed, so there is nothing to remove
    }
  }
}

/** The same probe, at run time: undefined when `dir` takes a write, else why not. */
export async function probeWritable(dir: string): Promise<string | undefined> {
  const probe = path.join(dir, probeName());
  try {
    await writeFile(probe, 'probe', { flag: 'wx' });
    return undefined;
  } catch (err) {
    return errorReason(err);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}
