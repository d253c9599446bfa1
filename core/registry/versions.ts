import type {
  DeletePackageVersionsRequest,
  DeletePackageVersionsResult,
  DescribePackageVersionRequest,
  DescribePackageVersionResult,
  GetPackageVersionReadmeRequest,
  GetPackageVersionReadmeResult,
  ListPackageVersionDependenciesRequest,
  ListPackageVersionDependenciesResult,
  ListPackageVersionsRequest,
  ListPackageVersionsResult,
  PackageVersionError,
  SuccessfulPackageVersionInfo,
  UpdatePackageVersionsStatusRequest,
  UpdatePackageVersionsStatusResult,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { newRevision } from '../ids.js';
import { pageInMemory } from '../pagination.js';
import { compareVersions } from '../versions.js';
import { assetDigestsOfVersions } from '../../storage/assets.js';
import { bumpGeneration, type PackageRow } from '../../storage/packages.js';
import { transaction, type Store } from '../../storage/store.js';
import {
  deleteVersionRow,
  findVersion,
  listDependencies,
  listVersionRows,
  updateVersionStatus,
  type VersionRow,
  type VersionStatus,
} from '../../storage/versions.js';
import { removeUnreferencedBlobs } from './blobCleanup.js';
import { packageCoordinates, versionCoordinates, versionDescription, versionSummary } from './describe.js';
import { getPackage, getVersion, required } from './lookup.js';

/** Versions in the format's order (PEP 440 for PyPI, SemVer for npm), ascending. */
export function sortVersions(format: string, rows: VersionRow[]): VersionRow[] {
  return [...rows].sort((a, b) => compareVersions(format, a.version, b.version));
}

/**
 * What AWS shows as a package's default version: for PyPI and Maven the most recently published one, for
 * npm the highest release (the `latest` dist-tag, once npm lands). Only Published versions qualify.
 */
export function defaultDisplayVersion(format: string, rows: VersionRow[]): string | undefined {
  const published = rows.filter((v) => v.status === 'Published');
  if (published.length === 0) return undefined;
  if (format === 'npm') return sortVersions(format, published).at(-1)!.version;
  return published.reduce((best, v) =>
    (v.publishedAt ?? 0) > (best.publishedAt ?? 0) ||
    ((v.publishedAt ?? 0) === (best.publishedAt ?? 0) && compareVersions(format, v.version, best.version) > 0)
      ? v
      : best,
  ).version;
}

export function listPackageVersions(
  store: Store,
  ctx: RequestContext,
  input: ListPackageVersionsRequest,
): ListPackageVersionsResult {
  const { pkg } = getPackage(store, ctx, input);
  const all = listVersionRows(store.db, pkg.id);
  let rows = all.filter(
    (v) =>
      (input.status === undefined || v.status === input.status) &&
      (input.originType === undefined || v.originType === input.originType),
  );
  rows =
    input.sortBy === 'PUBLISHED_TIME'
      ? rows.sort((a, b) => (b.publishedAt ?? b.createdAt) - (a.publishedAt ?? a.createdAt) || b.id - a.id)
      : sortVersions(pkg.format, rows);
  const scope = `ListPackageVersions:${pkg.id}:${input.status ?? ''}:${input.originType ?? ''}:${input.sortBy ?? ''}`;
  const page = pageInMemory(rows, input, store.secret, scope, (v) => v.version);
  return {
    defaultDisplayVersion: defaultDisplayVersion(pkg.format, all),
    ...packageCoordinates(pkg),
    versions: page.items.map(versionSummary),
    nextToken: page.nextToken,
  };
}

export function describePackageVersion(
  store: Store,
  ctx: RequestContext,
  input: DescribePackageVersionRequest,
): DescribePackageVersionResult {
  const { pkg, version } = getVersion(store, ctx, input);
  return { packageVersion: versionDescription(ctx, pkg, version) };
}

export function getPackageVersionReadme(
  store: Store,
  ctx: RequestContext,
  input: GetPackageVersionReadmeRequest,
): GetPackageVersionReadmeResult {
  const { pkg, version } = getVersion(store, ctx, input);
  return {
    ...versionCoordinates(pkg, version),
    readme: version.readme ?? undefined,
  };
}

export function listPackageVersionDependencies(
  store: Store,
  ctx: RequestContext,
  input: ListPackageVersionDependenciesRequest,
): ListPackageVersionDependenciesResult {
  const { pkg, version } = getVersion(store, ctx, input);
  const deps = listDependencies(store.db, version.id);
  const scope = `ListPackageVersionDependencies:${version.id}`;
  const page = pageInMemory(
    deps.map((d, i) => ({ ...d, position: i })),
    { nextToken: input.nextToken },
    store.secret,
    scope,
    (d) => String(d.position),
  );
  return {
    ...versionCoordinates(pkg, version),
    dependencies: page.items.map((d) => ({
      namespace: d.namespace ?? undefined,
      package: d.package,
      dependencyType: d.dependencyType ?? undefined,
      versionRequirement: d.versionRequirement ?? undefined,
    })),
    nextToken: page.nextToken,
  };
}

interface BatchInput {
  versions?: string[];
  versionRevisions?: Record<string, string>;
  expectedStatus?: string;
}

interface BatchOutcome {
  successfulVersions: Record<string, SuccessfulPackageVersionInfo>;
  failedVersions: Record<string, PackageVersionError>;
}

/**
 * The batch operations are all-or-nothing, as in AWS: when any version fails its checks, nothing
 * changes and every other version is reported SKIPPED. `check` returns an error for a version or
 * undefined; `apply` performs the change and returns the version's new status.
 */
function runBatch(
  store: Store,
  pkg: PackageRow,
  input: BatchInput,
  check: (v: VersionRow) => PackageVersionError | undefined,
  apply: (v: VersionRow) => SuccessfulPackageVersionInfo,
): BatchOutcome {
  const names = required(input.versions, 'versions');
  if (names.length === 0) throw new ValidationError('versions must list at least one version');
  const failedVersions: Record<string, PackageVersionError> = {};
  const found: VersionRow[] = [];
  for (const name of new Set(names)) {
    const v = findVersion(store.db, pkg.id, name);
    if (!v) {
      failedVersions[name] = { errorCode: 'NOT_FOUND', errorMessage: `version ${name} not found` };
      continue;
    }
    const expectedRevision = input.versionRevisions?.[name];
    if (expectedRevision !== undefined && expectedRevision !== v.revision) {
      failedVersions[name] = {
        errorCode: 'MISMATCHED_REVISION',
        errorMessage: `current revision: ${v.revision}, expected revision: ${expectedRevision}`,
      };
      continue;
    }
    if (input.expectedStatus !== undefined && input.expectedStatus !== v.status) {
      failedVersions[name] = {
        errorCode: 'MISMATCHED_STATUS',
        errorMessage: `current status: ${v.status}, expected status: ${input.expectedStatus}`,
      };
      continue;
    }
    const error = check(v);
    if (error) failedVersions[name] = error;
    else found.push(v);
  }
  const successfulVersions: Record<string, SuccessfulPackageVersionInfo> = {};
  if (Object.keys(failedVersions).length > 0) {
    for (const v of found)
      failedVersions[v.version] = { errorCode: 'SKIPPED', errorMessage: `version ${v.version} is skipped` };
    return { successfulVersions, failedVersions };
  }
  for (const v of found) successfulVersions[v.version] = apply(v);
  if (found.length > 0) bumpGeneration(store.db, pkg.id);
  return { successfulVersions, failedVersions };
}

export async function deletePackageVersions(
  store: Store,
  ctx: RequestContext,
  input: DeletePackageVersionsRequest,
): Promise<DeletePackageVersionsResult> {
  let digests: string[] = [];
  const outcome = transaction(store, () => {
    const { pkg } = getPackage(store, ctx, input);
    const deleted: number[] = [];
    const result = runBatch(
      store,
      pkg,
      input,
      () => undefined,
      (v) => {
        deleted.push(v.id);
        return { revision: v.revision, status: 'Deleted' };
      },
    );
    digests = assetDigestsOfVersions(store.db, deleted);
    for (const id of deleted) deleteVersionRow(store.db, id);
    return result;
  });
  await removeUnreferencedBlobs(store, digests);
  return outcome;
}

const SETTABLE: readonly VersionStatus[] = ['Published', 'Unlisted', 'Archived'];

export function updatePackageVersionsStatus(
  store: Store,
  ctx: RequestContext,
  input: UpdatePackageVersionsStatusRequest,
): UpdatePackageVersionsStatusResult {
  const target = required(input.targetStatus, 'targetStatus') as VersionStatus;
  if (!SETTABLE.includes(target))
    throw new ValidationError(`targetStatus must be one of ${SETTABLE.join(', ')}; got ${target}`);
  return transaction(store, () => {
    const { pkg } = getPackage(store, ctx, input);
    return runBatch(
      store,
      pkg,
      input,
      (v) =>
        v.status === 'Disposed'
          ? { errorCode: 'NOT_ALLOWED', errorMessage: `version ${v.version} is Disposed and cannot change status` }
          : undefined,
      (v) => {
        if (v.status === target) return { revision: v.revision, status: v.status };
        const revision = newRevision();
        // A version first published now gets its published time now.
        const publishedAt = v.publishedAt ?? (target === 'Published' ? ctx.now.getTime() : null);
        updateVersionStatus(store.db, v.id, target, revision, publishedAt);
        return { revision, status: target };
      },
    );
  });
}
