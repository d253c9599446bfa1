// Blobs are shared by every asset with the same bytes, so a delete removes a blob file only once no
// asset row refers to it any more, and only after the rows are gone (a crash in between leaves an
// unreferenced file, never a row without its file).
import { unreferencedDigests } from '../../storage/assets.js';
import type { Store } from '../../storage/store.js';

export async function removeUnreferencedBlobs(store: Store, digests: string[]): Promise<void> {
  for (const sha256 of unreferencedDigests(store.db, digests)) await store.blobs.remove(sha256);
}
