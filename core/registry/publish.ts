// The one write path for package content: every format (generic PublishPackageVersion, the PyPI upload,
// later npm and Maven) adds an asset to a version through `addAsset`, so counts, revisions, statuses and
// index generations change the same way whoever publishes.
import type {
  PackageFormat,
  PublishPackageVersionRequest,
  PublishPackageVersionResult,
} from '@aws-sdk/client-codeartifact';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError, ValidationError } from '../errors.js';
import { formatOf, namespaceOf } from '../formats/index.js';
import { newRevision } from '../ids.js';
import {
  AlreadyExistsError,
  BlobTooLargeError,
  digestsOf,
  MissingReferenceError,
  type AssetRecord,
  type DependencyRecord,
  type License,
  type PackageKey,
  type PackageRecord,
  type PendingBlob,
  type RepositoryRecord,
  type Store,
  type Transaction,
  type VersionMetadataFields,
  type VersionRecord,
} from '../../storage/ports.js';
import { GroupTree } from '../packageGroups/hierarchy.js';
import { searchOrder, upstreamChain } from '../readPath/chain.js';
import { assetSummary } from './assets.js';
import { claimBlobs, reclaimUnreferenced, releaseClaims } from '../blobLifecycle.js';
import { getRepository, required } from './lookup.js';

/** Largest single asset accepted (CodeArtifact's own limit for generic assets is 5 GB). */
export const MAX_ASSET_BYTES = 5 * 1024 ** 3;

export interface VersionMetadata {
  displayName?: string;
  summary?: string;
  homePage?: string;
  sourceCodeRepository?: string;
  licenses?: License[];
  readme?: string;
  readmeContentType?: string;
  requiresPython?: string;
  /** Format-specific fields, kept as JSON. */
  metadata?: Record<string, unknown>;
  dependencies?: DependencyRecord[];
}

export interface AddAssetRequest {
  repository: RepositoryRecord;
  format: string;
  namespace: string;
  packageName: string;
  version: string;
  assetName: string;
  blob: PendingBlob;
  /** Unfinished keeps the version out of listings until a later asset or a status change publishes it. */
  status: 'Published' | 'Unfinished';
  /**
   * Whether assets may be added to a version that is already Published. PyPI releases take several files
   * (sdist, wheels); a generic version is closed once Published.
   */
  openAfterPublish: boolean;
  /** Applied to a new version, and to an existing one where it has no value yet. */
  metadata?: VersionMetadata;
  coreMetadata?: Buffer;
  coreMetadataSha256?: string;
}

export interface AddAssetResult {
  pkg: PackageRecord;
  version: VersionRecord;
  asset: AssetRecord;
  /** False when the same bytes were already stored under the same name: nothing changed. */
  created: boolean;
}

function metadataFields(m: VersionMetadata | undefined): VersionMetadataFields {
  return {
    displayName: m?.displayName ?? null,
    summary: m?.summary ?? null,
    homePage: m?.homePage ?? null,
    sourceCodeRepository: m?.sourceCodeRepository ?? null,
    licenses: m?.licenses && m.licenses.length > 0 ? m.licenses : null,
    readme: m?.readme ?? null,
    readmeContentType: m?.readmeContentType ?? null,
    requiresPython: m?.requiresPython ?? null,
    metadata: m?.metadata ?? null,
  };
}

/**
 * Adds one asset: the blob is claimed, put in place, then the rows are written with the claim released in
 * the same transaction. On failure nothing stays: the rows roll back, the claim goes, and the bytes are
 * reclaimed unless another asset shares them.
 */
export async function addAsset(store: Store, ctx: RequestContext, req: AddAssetRequest): Promise<AddAssetResult> {
  const claims = await claimBlobs(store, [req.blob.sha256], ctx.now);
  try {
    await req.blob.commit();
    return await store.transaction(async (tx) => {
      const result = await writeAsset(tx, ctx, req);
      await releaseClaims(tx, claims);
      return result;
    });
  } catch (err) {
    await req.blob.discard();
    await store.transaction((tx) => releaseClaims(tx, claims));
    await reclaimUnreferenced(store, [req.blob.sha256]);
    throw err instanceof MissingReferenceError ? repositoryGone(req.repository) : err;
  }
}

/** The repository was deleted after the request found it (say, while its body was arriving). */
function repositoryGone(repository: RepositoryRecord): ResourceNotFoundError {
  return new ResourceNotFoundError(
    `Repository not found: ${repository.name} in domain ${repository.domainName} (it was deleted during the request)`,
    'repository',
    repository.name,
  );
}

async function writeAsset(tx: Transaction, ctx: RequestContext, req: AddAssetRequest): Promise<AddAssetResult> {
  // Found before the body arrived; it must still be that repository now that the write holds the lock (ids
  // may be reused by a repository created since).
  const current = await tx.repositories.find(req.repository.domainId, req.repository.name);
  if (current?.id !== req.repository.id) throw repositoryGone(req.repository);
  const now = ctx.now.getTime();
  const key = {
    repositoryId: req.repository.id,
    format: req.format,
    namespace: req.namespace,
    normalizedName: formatOf(req.format).normalizeName(req.packageName),
  };
  const existingPackage = await tx.packages.find(key);
  if (existingPackage?.publish === 'BLOCK')
    throw new ConflictError(
      `Publishing to package ${existingPackage.name} is blocked by its origin configuration (publish: BLOCK)`,
      'package',
      existingPackage.name,
    );
  await checkPublishAllowed(tx, req, key, existingPackage);
  // A package first published directly allows publishing and blocks upstreams (AWS's default).
  const pkg =
    existingPackage ??
    (await tx.packages.findOrCreate({ ...key, name: req.packageName, publish: 'ALLOW', upstream: 'BLOCK' }));

  let version = await tx.versions.find(pkg.id, req.version);
  if (version) {
    const existing = await tx.assets.find(version.id, req.assetName);
    if (existing) {
      // Re-sending identical bytes is a no-op where clients retry uploads (PyPI); a generic version's
      // assets are written once.
      if (existing.sha256 === req.blob.sha256 && req.openAfterPublish)
        return { pkg, version, asset: existing, created: false };
      throw new ConflictError(
        existing.sha256 === req.blob.sha256
          ? `Asset ${req.assetName} already exists in ${pkg.name} ${version.version}; assets of a version are written once`
          : `File already exists: ${req.assetName} in ${pkg.name} ${version.version} has different content (sha256 ${existing.sha256})`,
        'asset',
        req.assetName,
      );
    }
    const open = version.status === 'Unfinished' || (version.status === 'Published' && req.openAfterPublish);
    if (!open)
      throw new ConflictError(
        `Version ${version.version} of ${pkg.name} is ${version.status}; assets cannot be added to it`,
        'package-version',
        version.version,
      );
  }
  const isNewVersion = version === undefined;
  version ??= (
    await tx.versions.findOrCreate({
      packageId: pkg.id,
      version: req.version,
      status: req.status,
      revision: newRevision(),
      originType: 'INTERNAL',
      entryRepository: req.repository.name,
      entryExternalConnection: null,
      createdAt: now,
      publishedAt: req.status === 'Published' ? now : null,
      ...metadataFields(req.metadata),
    })
  ).version;

  let asset: AssetRecord;
  try {
    asset = await tx.assets.add({
      versionId: version.id,
      name: req.assetName,
      ...digestsOf(req.blob),
      coreMetadata: req.coreMetadata ?? null,
      coreMetadataSha256: req.coreMetadataSha256 ?? null,
      createdAt: now,
    });
  } catch (err) {
    // Another process added the same name first.
    if (err instanceof AlreadyExistsError)
      throw new ConflictError(`File already exists: ${req.assetName} in ${pkg.name} ${version.version}`, 'asset', req.assetName);
    throw err;
  }
  // Later files of a release fill in what the first did not carry (e.g. a wheel's metadata after an
  // sdist whose PKG-INFO had less).
  if (!isNewVersion) await tx.versions.fillMetadata(version.id, metadataFields(req.metadata));
  // Dependencies come from the first file that knows them (an sdist's PKG-INFO often lists none).
  if (req.metadata?.dependencies?.length && (await tx.versions.dependencies(version.id)).length === 0)
    await tx.versions.setDependencies(version.id, req.metadata.dependencies);
  // Any change of assets is a new revision; the last asset of an Unfinished version may publish it.
  if (version.status === 'Unfinished' && req.status === 'Published')
    await tx.versions.setStatus(version.id, 'Published', newRevision(), now);
  else if (!isNewVersion) await tx.versions.setRevision(version.id, newRevision());
  return { pkg, version: (await tx.versions.find(pkg.id, req.version))!, asset, created: true };
}

/**
 * What else may stop a publish (AWS's "Package origin controls"): the package group's PUBLISH restriction for
 * this repository, and a version that the repository can already take from an upstream (when the package's
 * origin configuration allows upstream versions, publishing one of the same number is a conflict).
 */
async function checkPublishAllowed(
  tx: Transaction,
  req: AddAssetRequest,
  key: PackageKey,
  existing: PackageRecord | undefined,
): Promise<void> {
  const tree = new GroupTree(await tx.packageGroups.list(req.repository.domainId));
  const coordinates = { format: key.format, namespace: key.namespace, normalizedName: key.normalizedName };
  if (!tree.allows(coordinates, 'PUBLISH', req.repository.name)) {
    const group = tree.groupOf(coordinates)!;
    const { mode, from } = tree.effective(group, 'PUBLISH');
    throw new ConflictError(
      `Publishing ${req.packageName} to ${req.repository.name} is blocked by package group ${from.record.pattern} (PUBLISH: ${mode})`,
      'package',
      req.packageName,
    );
  }
  if (existing?.upstream !== 'ALLOW' || !tree.allows(coordinates, 'INTERNAL_UPSTREAM', req.repository.name)) return;
  if (await tx.versions.find(existing.id, req.version)) return;
  const chain = await upstreamChain(tx, req.repository);
  const records = await tx.packages.findInRepositories(chain.repositories.map((r) => r.id), coordinates);
  const byRepository = new Map(records.map((p) => [p.repositoryId, p]));
  for (const r of searchOrder(chain, (id) => byRepository.get(id)?.upstream === 'BLOCK')) {
    const pkg = byRepository.get(r.id);
    if (r.id === req.repository.id || !pkg) continue;
    if (await tx.versions.find(pkg.id, req.version))
      throw new ConflictError(
        `Version ${req.version} of ${req.packageName} is available from upstream repository ${r.name}; ` +
          'it cannot be published here while the package takes upstream versions (origin configuration upstream: ALLOW)',
        'package-version',
        req.version,
      );
  }
}

/** PublishPackageVersion: generic packages only, the asset streamed from the request body. */
export async function publishPackageVersion(
  store: Store,
  ctx: RequestContext,
  input: Omit<PublishPackageVersionRequest, 'assetContent'> & { assetContent?: Readable },
): Promise<PublishPackageVersionResult> {
  const format = required(input.format, 'format');
  if (format !== 'generic')
    throw new ValidationError(`PublishPackageVersion supports only the generic format, not ${format}`);
  const namespace = namespaceOf(formatOf(format), input.namespace);
  const assetName = required(input.assetName, 'assetName');
  // AWS: "Assets cannot be named . or ..", which would be a directory wherever the asset is saved under its name.
  if (assetName === '.' || assetName === '..')
    throw new ValidationError(`Value '${assetName}' at 'assetName' failed to satisfy constraint: an asset cannot be named . or ..`);
  const expected = required(input.assetSHA256, 'assetSHA256');
  const content = required(input.assetContent, 'assetContent');
  const { repository } = await getRepository(store, ctx, input);
  let blob: PendingBlob;
  try {
    blob = await store.blobs.put(content, { maxBytes: MAX_ASSET_BYTES });
  } catch (err) {
    if (err instanceof BlobTooLargeError) throw new ValidationError(`Asset exceeds ${MAX_ASSET_BYTES} bytes`);
    throw err;
  }
  if (blob.sha256 !== expected) {
    await blob.discard();
    throw new ValidationError(
      `The SHA256 hash provided (${expected}) does not match the hash of the asset content (${blob.sha256})`,
    );
  }
  const result = await addAsset(store, ctx, {
    repository,
    format,
    namespace,
    packageName: required(input.package, 'package'),
    version: required(input.packageVersion, 'packageVersion'),
    assetName,
    blob,
    status: input.unfinished ? 'Unfinished' : 'Published',
    openAfterPublish: false,
  });
  return {
    format: format as PackageFormat,
    namespace: result.pkg.namespace || undefined,
    package: result.pkg.name,
    version: result.version.version,
    versionRevision: result.version.revision,
    status: result.version.status,
    asset: assetSummary(result.asset),
  };
}

