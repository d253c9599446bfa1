// `fsck`: the store's rows and its blobs, checked against each other. Reports assets whose bytes are missing or
// have the wrong size, blobs nothing refers to, bytes that do not hash to their address (--verify-hashes),
// staging leftovers and stale claims; --repair fixes what is safe to fix (everything but missing bytes, which
// only a backup can bring back): it sweeps, and moves corrupt bytes aside.
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import type { Store, StoredBlob } from '../../storage/ports.js';
import { DEFAULT_SWEEP, sweep, type SweepOptions, type SweepReport } from './sweep.js';

export interface FsckOptions {
  repair: boolean;
  verifyHashes: boolean;
  sweep?: SweepOptions;
}

export interface FsckReport {
  assetsChecked: number;
  blobsChecked: number;
  /** Referenced by assets, absent from the blob store. */
  missingBlobs: string[];
  /** Present, but not the size the assets record. */
  sizeMismatches: { sha256: string; expected: number; actual: number }[];
  /** Present, but their bytes hash to something else (only with verifyHashes). */
  corruptBlobs: string[];
  /** Present, referenced by nothing (nor claimed). */
  orphanBlobs: string[];
  temporaryFiles: number;
  /**
   * What --repair did, when asked, and the missing blobs still missing after it (the sweep brings back the
   * bytes of interrupted reclaims that assets refer to).
   */
  repaired?: SweepReport & { quarantined: number; stillMissing: string[] };
}

async function sha256Of(store: Store, sha256: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(
    store.blobs.open(sha256),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done();
      },
    }),
  );
  return hash.digest('hex');
}

export async function fsck(store: Store, now: Date, options: FsckOptions): Promise<FsckReport> {
  const stored = new Map<string, StoredBlob>();
  for await (const blob of store.blobs.list()) stored.set(blob.sha256, blob);
  const report: FsckReport = {
    assetsChecked: 0,
    blobsChecked: stored.size,
    missingBlobs: [],
    sizeMismatches: [],
    corruptBlobs: [],
    orphanBlobs: [],
    temporaryFiles: 0,
  };
  const referenced = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await store.assets.referencedDigests(after, 1000);
    if (page.length === 0) break;
    for (const { sha256, size } of page) {
      report.assetsChecked++;
      referenced.add(sha256);
      const blob = stored.get(sha256);
      if (!blob) report.missingBlobs.push(sha256);
      else if (blob.size !== size) report.sizeMismatches.push({ sha256, expected: size, actual: blob.size });
    }
    after = page[page.length - 1]!.sha256;
  }
  for (const sha256 of stored.keys())
    if (!referenced.has(sha256) && !(await store.assets.isReferenced(sha256))) report.orphanBlobs.push(sha256);
  if (options.verifyHashes)
    for (const sha256 of stored.keys()) if ((await sha256Of(store, sha256)) !== sha256) report.corruptBlobs.push(sha256);
  for await (const _file of store.blobs.temporaryFiles()) report.temporaryFiles++;

  if (options.repair) {
    let quarantined = 0;
    for (const sha256 of new Set([...report.corruptBlobs, ...report.sizeMismatches.map((m) => m.sha256)])) {
      await store.blobs.quarantine(sha256);
      quarantined++;
    }
    const swept = await sweep(store, now, options.sweep ?? DEFAULT_SWEEP);
    const stillMissing: string[] = [];
    for (const sha256 of report.missingBlobs) if (!(await store.blobs.exists(sha256))) stillMissing.push(sha256);
    report.repaired = { ...swept, quarantined, stillMissing };
  }
  return report;
}

/** Whether anything is wrong that --repair cannot fix (missing or corrupt bytes), after the repair when there was one. */
export const fsckHasDamage = (r: FsckReport) =>
  (r.repaired ? r.repaired.stillMissing : r.missingBlobs).length + r.sizeMismatches.length + r.corruptBlobs.length > 0;

export function formatFsckReport(r: FsckReport): string {
  const lines = [
    `checked ${r.assetsChecked} referenced blobs and ${r.blobsChecked} stored blobs`,
    `missing blobs (assets whose bytes are gone): ${r.missingBlobs.length}`,
    ...r.missingBlobs.map((s) => `  missing ${s}`),
    `size mismatches: ${r.sizeMismatches.length}`,
    ...r.sizeMismatches.map((m) => `  ${m.sha256}: ${m.actual} bytes stored, ${m.expected} expected`),
    `corrupt blobs (bytes not matching their SHA-256): ${r.corruptBlobs.length}`,
    ...r.corruptBlobs.map((s) => `  corrupt ${s}`),
    `orphan blobs (referenced by nothing): ${r.orphanBlobs.length}`,
    `staging files in tmp/: ${r.temporaryFiles}`,
  ];
  if (r.repaired)
    lines.push(
      `repaired: ${r.repaired.orphanBlobsReclaimed} orphan blobs reclaimed (${r.repaired.orphanBytesReclaimed} bytes), ` +
        `${r.repaired.temporaryFilesRemoved} staging files removed, ${r.repaired.staleClaimsDropped} stale claims dropped, ` +
        `${r.repaired.reclaimsRestored} interrupted reclaims restored, ${r.repaired.quarantined} corrupt blobs moved to quarantine/`,
      `still missing after the repair: ${r.repaired.stillMissing.length}`,
    );
  return `${lines.join('\n')}\n`;
}
