// A file that only an external source has, fetched when a client asks for it: the bytes are checked against
// the SHA-256 the source listed (a mismatch is refused and nothing is stored), stored as a blob, and the
// version recorded (origin EXTERNAL, domainEntryPoint = the connection, the package's defaults publish BLOCK /
// upstream ALLOW) in the repository that owns the connection and in the one the client asked, as AWS retains
// it. From then on it is served from here, even when the source is gone. The fetch happens outside any
// transaction.
import { claimBlobs, reclaimUnreferenced, releaseClaims } from '../blobLifecycle.js';
import type { RequestContext } from '../context.js';
import { newRevision } from '../ids.js';
import { MAX_ASSET_BYTES } from '../registry/publish.js';
import { digestsOf, type DistributionFile, type RepositoryRecord } from '../../storage/ports.js';
import type { PackageView, ServedFile } from './packageView.js';
import type { ReadPath } from './readPath.js';

type ExternalFileFound = Extract<ServedFile, { kind: 'external' }>;

/** The source could not give the file, or gave other bytes than it listed. */
export class ExternalFetchError extends Error {}

export async function ingestExternalFile(
  rp: ReadPath,
  ctx: RequestContext,
  view: PackageView,
  found: ExternalFileFound,
): Promise<Pick<DistributionFile, 'sha256' | 'size' | 'filename'>> {
  const { store } = rp;
  const source = rp.listings.source(found.link.connection);
  if (!source) throw new ExternalFetchError(`external connection ${found.link.connection} has no source configured`);
  const where = `${found.file.filename} from ${found.link.connection} (${source.description})`;
  let blob;
  try {
    blob = await store.blobs.put(await source.openFile(found.file), { maxBytes: MAX_ASSET_BYTES });
  } catch (err) {
    throw new ExternalFetchError(`could not fetch ${where}: ${(err as Error).message}`);
  }
  if (found.file.sha256 && blob.sha256 !== found.file.sha256) {
    await blob.discard();
    throw new ExternalFetchError(
      `refused ${where}: its SHA-256 is ${blob.sha256}, the source lists ${found.file.sha256}; nothing was stored`,
    );
  }
  const format = view.name.format;
  const pkgName = view.name.normalizedName;
  const described = (await format.external?.describe(found.file.filename, blob.localPath, pkgName, found.version)) ?? {};
  const targets: RepositoryRecord[] = [found.link.owner, ...(found.link.owner.id === view.repository.id ? [] : [view.repository])];
  const claims = await claimBlobs(store, [blob.sha256], ctx.now);
  try {
    await blob.commit();
    await store.transaction(async (tx) => {
      const now = ctx.now.getTime();
      for (const target of targets) {
        // A package that first arrives from outside takes new versions from upstreams, not from publishers.
        const pkg = await tx.packages.findOrCreate({
          repositoryId: target.id,
          format: format.name,
          namespace: view.name.namespace,
          normalizedName: view.name.normalizedName,
          name: described.metadata?.displayName ?? view.name.normalizedName,
          publish: 'BLOCK',
          upstream: 'ALLOW',
        });
        const m = described.metadata;
        const { version, created } = await tx.versions.findOrCreate({
          packageId: pkg.id,
          version: found.version,
          status: 'Published',
          revision: newRevision(),
          originType: 'EXTERNAL',
          entryRepository: null,
          entryExternalConnection: found.link.connection,
          createdAt: now,
          publishedAt: now,
          displayName: null,
          summary: m?.summary ?? null,
          homePage: m?.homePage ?? null,
          sourceCodeRepository: m?.sourceCodeRepository ?? null,
          licenses: m?.licenses?.length ? m.licenses : null,
          readme: m?.readme ?? null,
          readmeContentType: m?.readmeContentType ?? null,
          requiresPython: m?.requiresPython ?? found.file.requiresPython ?? null,
          metadata: m?.metadata ?? null,
        });
        if (await tx.assets.find(version.id, found.file.filename)) continue;
        await tx.assets.add({
          versionId: version.id,
          name: found.file.filename,
          ...digestsOf(blob),
          coreMetadata: described.coreMetadata ?? null,
          coreMetadataSha256: described.coreMetadataSha256 ?? null,
          createdAt: now,
          yanked: found.file.yanked ?? null,
        });
        if (!created) await tx.versions.setRevision(version.id, newRevision());
        if (m?.dependencies?.length && (await tx.versions.dependencies(version.id)).length === 0)
          await tx.versions.setDependencies(version.id, m.dependencies);
      }
      await releaseClaims(tx, claims);
    });
  } catch (err) {
    await blob.discard();
    await store.transaction((tx) => releaseClaims(tx, claims));
    await reclaimUnreferenced(store, [blob.sha256]);
    throw err;
  }
  return { sha256: blob.sha256, size: blob.size, filename: found.file.filename };
}
