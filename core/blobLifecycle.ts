// The life of a blob, owned here alone. Blobs are shared by every asset with the same bytes, so:
// - a writer claims a blob (durably, in the store) before putting its bytes in place, and releases the claim in
//   the transaction that writes the asset rows referring to it;
// - bytes are deleted only by reclaiming, after the rows are gone, and only if neither an asset nor a claim
//   refers to them, checked again after the bytes are taken out of their address (storage/ports.ts reclaim).
// A crash in between leaves an unreferenced blob or a stale claim (the sweep takes care of both), never a row
// without its bytes.
import type { Store, Transaction } from '../storage/ports.js';

/** Claims `digests` for a write that will reference them; returns the claim ids to release. */
export function claimBlobs(store: Store, digests: string[], now: Date): Promise<number[]> {
  return store.transaction(async (tx) => {
    const ids: number[] = [];
    for (const d of digests) ids.push(await tx.assets.claimBlob(d, now.getTime()));
    return ids;
  });
}

/** Releases claims, inside the transaction that wrote the rows (or alone, when the write failed). */
export async function releaseClaims(tx: Transaction, ids: number[]): Promise<void> {
  for (const id of ids) await tx.assets.releaseClaim(id);
}

/** Deletes the bytes of those digests that nothing refers to any more. */
export async function reclaimUnreferenced(store: Store, digests: string[]): Promise<string[]> {
  const gone: string[] = [];
  for (const sha256 of await store.assets.unreferenced([...new Set(digests)]))
    if (await store.blobs.reclaim(sha256, () => store.assets.isReferenced(sha256))) gone.push(sha256);
  return gone;
}
