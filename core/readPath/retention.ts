// AWS's "Requesting a package version with upstream repositories": when a client fetches a version found
// upstream, a reference to it is copied into the repository it asked (only that one, not the repositories in
// between). The copy shares the blobs, keeps the version's origin and domain entry point, and is served from
// then on even if the upstream deletes or changes its own.
import { assetCopy } from '../assetCopy.js';
import type { RequestContext } from '../context.js';
import { newRevision } from '../ids.js';
import type { Store } from '../../storage/ports.js';
import { claimBlobs, releaseClaims } from '../blobLifecycle.js';
import type { PackageView, ServedFile } from './packageView.js';

type StoredFile = Extract<ServedFile, { kind: 'stored' }>;

/** Copies the version of `found` into the view's repository, unless it is there already. */
export async function retainVersion(store: Store, ctx: RequestContext, view: PackageView, found: StoredFile): Promise<void> {
  const target = view.repository;
  if (found.source.repository.id === target.id) return;
  const assets = await store.assets.list(found.version.id);
  // The bytes must outlive a delete upstream that races this copy: claim them, then make sure they exist.
  const claims = await claimBlobs(store, assets.map((a) => a.sha256), ctx.now);
  let released = false;
  try {
    for (const a of assets) if (!(await store.blobs.exists(a.sha256))) return;
    const coreMetadata = await Promise.all(assets.map((a) => (a.coreMetadataSha256 ? store.assets.coreMetadata(a.id) : undefined)));
    const dependencies = await store.versions.dependencies(found.version.id);
    await store.transaction(async (tx) => {
      await releaseClaims(tx, claims);
      // The repository asked may have been deleted since it was resolved: then there is nothing to retain into.
      if ((await tx.repositories.find(target.domainId, target.name))?.id !== target.id) return;
      const source = found.source.pkg;
      // A package that first arrives from an upstream takes new versions from upstreams, not from publishers.
      const pkg = await tx.packages.findOrCreate({
        repositoryId: target.id,
        format: source.format,
        namespace: source.namespace,
        normalizedName: source.normalizedName,
        name: source.name,
        publish: 'BLOCK',
        upstream: 'ALLOW',
      });
      if (pkg.upstream === 'BLOCK') return;
      const { id: _id, packageId: _packageId, ...fields } = found.version;
      const { version, created } = await tx.versions.findOrCreate({
        ...fields,
        packageId: pkg.id,
        revision: newRevision(),
        entryRepository: found.version.entryRepository ?? (found.version.entryExternalConnection ? null : found.source.repository.name),
        createdAt: ctx.now.getTime(),
      });
      if (!created) return;
      for (const [i, a] of assets.entries())
        await tx.assets.add(assetCopy(a, version.id, coreMetadata[i] ?? null));
      await tx.versions.setDependencies(version.id, dependencies);
    });
    released = true;
  } finally {
    if (!released) await store.transaction((tx) => releaseClaims(tx, claims));
  }
}
