// Blobs are shared by every asset with the same bytes, so a delete removes a blob file only once no
// asset refers to it any more, and only after the rows are gone (a crash in between leaves an
// unreferenced file, never a row without its file).
import type { Store } from '../../storage/ports.js';

export async function removeUnreferencedBlobs(store: Store, digests: string[]): Promise<void> {
  for (const sha256 of await store.assets.unreferenced(digests)) await store.blobs.delete(sha256);
}
