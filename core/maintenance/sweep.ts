// What crashes and killed clients leave behind, cleaned up: staging files of writes that died, claims of writers
// that died, reclaims a crash interrupted, and blobs no asset refers to. Run at start-up (in the background)
// and on a timer. Safe with other processes on the same data dir: it touches only what has been left alone
// for a while, and deletes bytes only through the reclaim protocol (core/blobLifecycle.ts).
import { reclaimUnreferenced } from '../blobLifecycle.js';
import type { Store } from '../../storage/ports.js';

export interface SweepOptions {
  /** Staging files and interrupted reclaims untouched for this long are leftovers (a live upload writes on). */
  staleAfterMs: number;
  /** A claim this old belongs to a writer that died. */
  claimExpiryMs: number;
}

export const DEFAULT_SWEEP: SweepOptions = { staleAfterMs: 15 * 60_000, claimExpiryMs: 24 * 3600_000 };

export interface SweepReport {
  temporaryFilesRemoved: number;
  temporaryBytesRemoved: number;
  staleClaimsDropped: number;
  reclaimsRestored: number;
  orphanBlobsReclaimed: number;
  orphanBytesReclaimed: number;
}

const BATCH = 500;

export async function sweep(store: Store, now: Date, options: SweepOptions = DEFAULT_SWEEP): Promise<SweepReport> {
  const report: SweepReport = {
    temporaryFilesRemoved: 0,
    temporaryBytesRemoved: 0,
    staleClaimsDropped: 0,
    reclaimsRestored: 0,
    orphanBlobsReclaimed: 0,
    orphanBytesReclaimed: 0,
  };
  const staleBefore = now.getTime() - options.staleAfterMs;

  report.staleClaimsDropped = (
    await store.transaction((tx) => tx.assets.dropClaimsBefore(now.getTime() - options.claimExpiryMs))
  ).length;

  const interrupted = await store.blobs.finishInterruptedReclaims((sha) => store.assets.isReferenced(sha), staleBefore);
  report.reclaimsRestored = interrupted.restored.length;

  for await (const file of store.blobs.temporaryFiles()) {
    if (file.modifiedAt >= staleBefore) continue;
    await store.blobs.removeTemporary(file.name);
    report.temporaryFilesRemoved++;
    report.temporaryBytesRemoved += file.size;
  }

  // Blobs written a while ago that nothing refers to: checked in batches, reclaimed one by one.
  let batch: { sha256: string; size: number }[] = [];
  const flush = async () => {
    const sizes = new Map(batch.map((b) => [b.sha256, b.size]));
    for (const sha256 of await reclaimUnreferenced(store, [...sizes.keys()])) {
      report.orphanBlobsReclaimed++;
      report.orphanBytesReclaimed += sizes.get(sha256) ?? 0;
    }
    batch = [];
  };
  for await (const blob of store.blobs.list()) {
    if (blob.modifiedAt >= staleBefore) continue;
    batch.push(blob);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return report;
}

export const sweepIsEmpty = (r: SweepReport) =>
  r.temporaryFilesRemoved + r.staleClaimsDropped + r.reclaimsRestored + r.orphanBlobsReclaimed === 0;
