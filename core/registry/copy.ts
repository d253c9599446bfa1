// CopyPackageVersions, as AWS's user guide describes it ("Copy packages between repositories"): records are
// copied, blobs are shared (never copied); a version already in the destination with the same assets and
// metadata is left alone and not reported, one that differs is ALREADY_EXISTS unless allowOverwrite; all or
// nothing (the others SKIPPED); includeFromUpstream also looks through the source's upstreams.
import { assetCopy } from '../assetCopy.js';
import type {
  CopyPackageVersionsRequest,
  CopyPackageVersionsResult,
  PackageVersionError,
} from '@aws-sdk/client-codeartifact';
import { claimBlobs, reclaimUnreferenced, releaseClaims } from '../blobLifecycle.js';
import type { RequestContext } from '../context.js';
import { ResourceNotFoundError, ValidationError } from '../errors.js';
import { resolvePackage } from '../readPath/packageView.js';
import { createReadPath } from '../readPath/readPath.js';
import type {
  AssetRecord,
  PackageRecord,
  RepositoryRecord,
  Store,
  StoreReads,
  VersionRecord,
} from '../../storage/ports.js';
import { getDomain, packageKeyOf, required } from './lookup.js';

interface SourceVersion {
  version: VersionRecord;
  pkg: PackageRecord;
  assets: AssetRecord[];
}

async function repositoryNamed(store: StoreReads, domainId: number, domainName: string, name: string): Promise<RepositoryRecord> {
  const r = await store.repositories.find(domainId, name);
  if (!r) throw new ResourceNotFoundError(`Repository not found: ${name} in domain ${domainName}`, 'repository', name);
  return r;
}

const METADATA = ['summary', 'homePage', 'sourceCodeRepository', 'readme', 'readmeContentType', 'requiresPython', 'displayName'] as const;

function identical(a: SourceVersion, b: { version: VersionRecord; assets: AssetRecord[] }): boolean {
  const files = (xs: AssetRecord[]) => xs.map((x) => `${x.name}\u0000${x.sha256}`).sort().join('\n');
  return files(a.assets) === files(b.assets) && METADATA.every((m) => a.version[m] === b.version[m]);
}

export async function copyPackageVersions(
  store: Store,
  ctx: RequestContext,
  input: CopyPackageVersionsRequest,
): Promise<CopyPackageVersionsResult> {
  if (input.versions?.length && input.versionRevisions && Object.keys(input.versionRevisions).length)
    throw new ValidationError('Give versions or versionRevisions, not both');
  const names = input.versions?.length ? input.versions : Object.keys(input.versionRevisions ?? {});
  if (names.length === 0) throw new ValidationError('versions or versionRevisions must name at least one version');
  const key = packageKeyOf(input);
  const domain = await getDomain(store, ctx, input);
  const source = await repositoryNamed(store, domain.id, domain.name, required(input.sourceRepository, 'sourceRepository'));
  const destination = await repositoryNamed(store, domain.id, domain.name, required(input.destinationRepository, 'destinationRepository'));
  if (source.id === destination.id) throw new ValidationError('The source and destination repositories must differ');

  // Where each version comes from: the source alone, or the source's chain too.
  // Through the source's upstreams, not its external connections (nothing is fetched to be copied).
  const view = await resolvePackage(createReadPath(store), source, key);
  const sources = input.includeFromUpstream ? view.sources : view.sources.filter((s) => s.repository.id === source.id);
  const found = new Map<string, SourceVersion>();
  for (const name of new Set(names))
    for (const s of sources) {
      const version = await store.versions.find(s.pkg.id, name);
      if (!version) continue;
      found.set(name, { version, pkg: s.pkg, assets: await store.assets.list(version.id) });
      break;
    }

  const digests = [...new Set([...found.values()].flatMap((f) => f.assets.map((a) => a.sha256)))];
  const claims = await claimBlobs(store, digests, ctx.now);
  const replaced: string[] = [];
  try {
    const result = await store.transaction(async (tx) => {
      const failedVersions: Record<string, PackageVersionError> = {};
      const existing = await tx.packages.find({
        repositoryId: destination.id,
        format: key.format.name,
        namespace: key.namespace,
        normalizedName: key.normalizedName,
      });
      const plan: SourceVersion[] = [];
      for (const name of new Set(names)) {
        const f = found.get(name);
        if (!f) {
          failedVersions[name] = { errorCode: 'NOT_FOUND', errorMessage: `Could not find version ${name}` };
          continue;
        }
        const expectedRevision = input.versionRevisions?.[name];
        if (expectedRevision !== undefined && expectedRevision !== f.version.revision) {
          failedVersions[name] = {
            errorCode: 'MISMATCHED_REVISION',
            errorMessage: `current revision: ${f.version.revision}, expected revision: ${expectedRevision}`,
          };
          continue;
        }
        const there = existing && (await tx.versions.find(existing.id, name));
        if (there) {
          if (identical(f, { version: there, assets: await tx.assets.list(there.id) })) continue;
          if (!input.allowOverwrite) {
            failedVersions[name] = { errorCode: 'ALREADY_EXISTS', errorMessage: `Version ${name} already exists` };
            continue;
          }
        }
        plan.push(f);
      }
      if (Object.keys(failedVersions).length > 0) {
        for (const f of plan)
          failedVersions[f.version.version] = { errorCode: 'SKIPPED', errorMessage: `Version ${f.version.version} was skipped` };
        await releaseClaims(tx, claims);
        return { successfulVersions: {}, failedVersions };
      }
      const successfulVersions: CopyPackageVersionsResult['successfulVersions'] = {};
      const pkg =
        existing ??
        (await tx.packages.findOrCreate({
          repositoryId: destination.id,
          format: key.format.name,
          namespace: key.namespace,
          normalizedName: key.normalizedName,
          name: found.values().next().value!.pkg.name,
          publish: 'ALLOW',
          upstream: 'BLOCK',
        }));
      for (const f of plan) {
        const previous = await tx.versions.find(pkg.id, f.version.version);
        if (previous) {
          replaced.push(...(await tx.assets.removeAllOf(previous.id)));
          await tx.versions.delete(previous.id);
        }
        const { id: _id, packageId: _pkg, ...fields } = f.version;
        const { version } = await tx.versions.findOrCreate({ ...fields, packageId: pkg.id });
        for (const a of f.assets)
          await tx.assets.add(assetCopy(a, version.id, a.coreMetadataSha256 ? ((await tx.assets.coreMetadata(a.id)) ?? null) : null));
        await tx.versions.setDependencies(version.id, await tx.versions.dependencies(f.version.id));
        successfulVersions[f.version.version] = { revision: version.revision, status: version.status };
      }
      await releaseClaims(tx, claims);
      return { successfulVersions, failedVersions };
    });
    return result;
  } catch (err) {
    await store.transaction((tx) => releaseClaims(tx, claims));
    throw err;
  } finally {
    await reclaimUnreferenced(store, replaced);
  }
}
