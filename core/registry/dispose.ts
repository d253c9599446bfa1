// DisposePackageVersions: the version record stays (status Disposed, a new revision), its assets go, and
// their bytes are reclaimed once no other version refers to them (blobs are shared).
import type { DisposePackageVersionsRequest, DisposePackageVersionsResult } from '@aws-sdk/client-codeartifact';
import { reclaimUnreferenced } from '../blobLifecycle.js';
import type { RequestContext } from '../context.js';
import { newRevision } from '../ids.js';
import type { Store } from '../../storage/ports.js';
import { runBatch } from './batch.js';
import { getPackage } from './lookup.js';

export async function disposePackageVersions(
  store: Store,
  ctx: RequestContext,
  input: DisposePackageVersionsRequest,
): Promise<DisposePackageVersionsResult> {
  const { outcome, digests } = await store.transaction(async (tx) => {
    const { pkg } = await getPackage(tx, ctx, input);
    const digests: string[] = [];
    const outcome = await runBatch(
      tx,
      pkg,
      input,
      () => undefined,
      async (v) => {
        if (v.status === 'Disposed') return { revision: v.revision, status: v.status };
        digests.push(...(await tx.assets.removeAllOf(v.id)));
        const revision = newRevision();
        await tx.versions.setStatus(v.id, 'Disposed', revision, v.publishedAt);
        return { revision, status: 'Disposed' };
      },
    );
    return { outcome, digests };
  });
  await reclaimUnreferenced(store, digests);
  return outcome;
}
