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
  UpdatePackageVersionsStatusRequest,
  UpdatePackageVersionsStatusResult,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { formatOf, type PackageFormatModule } from '../formats/index.js';
import { newRevision } from '../ids.js';
import { inOrder, paginate } from '../pagination.js';
import type {
  DomainRecord,
  PackageRecord,
  RepositoryRecord,
  Store,
  VersionRecord,
  VersionStatus,
} from '../../storage/ports.js';
import { reclaimUnreferenced } from '../blobLifecycle.js';
import { packageCoordinates, versionCoordinates, versionDescription, versionSummary } from './describe.js';
import { runBatch } from './batch.js';
import { getPackage, getVersion, required } from './lookup.js';

/** The format's version order, with string order breaking ties (PEP 440 has 1.0 == 1.0.0). */
export const versionOrder = (format: PackageFormatModule) => (a: string, b: string) =>
  format.compareVersions(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** Versions in the format's order (PEP 440 for PyPI, SemVer for npm), ascending. */
export function sortVersions<T extends { version: string }>(format: PackageFormatModule, rows: T[]): T[] {
  const order = versionOrder(format);
  return [...rows].sort((a, b) => order(a.version, b.version));
}

/**
 * What AWS shows as a package's default version: for PyPI and Maven the most recently published one, for
 * npm the highest release (the `latest` dist-tag). Only Published versions qualify.
 */
export function defaultDisplayVersion(format: PackageFormatModule, rows: VersionRecord[]): string | undefined {
  const published = rows.filter((v) => v.status === 'Published');
  if (published.length === 0) return undefined;
  if (format.defaultVersion === 'highest') return sortVersions(format, published).at(-1)!.version;
  return published.reduce((best, v) =>
    (v.publishedAt ?? 0) > (best.publishedAt ?? 0) ||
    ((v.publishedAt ?? 0) === (best.publishedAt ?? 0) && format.compareVersions(v.version, best.version) > 0)
      ? v
      : best,
  ).version;
}

/** A token scope that names the package, never its row id (ids are reused after a delete). */
function packageScope(operation: string, domain: DomainRecord, repository: RepositoryRecord, pkg: PackageRecord, extra: unknown[] = []) {
  return `${operation}:${JSON.stringify([domain.owner, domain.name, repository.name, pkg.format, pkg.namespace, pkg.normalizedName, ...extra])}`;
}

type PublishedCursor = [number, number];
const publishedTime = (v: VersionRecord): PublishedCursor => [v.publishedAt ?? v.createdAt, v.id];
/** Newest first. */
const newestFirst = (a: PublishedCursor, b: PublishedCursor) => b[0] - a[0] || b[1] - a[1];

export async function listPackageVersions(
  store: Store,
  ctx: RequestContext,
  input: ListPackageVersionsRequest,
): Promise<ListPackageVersionsResult> {
  const { domain, repository, pkg } = await getPackage(store, ctx, input);
  const format = formatOf(pkg.format);
  const all = await store.versions.list(pkg.id);
  const rows = all.filter(
    (v) =>
      (input.status === undefined || v.status === input.status) &&
      (input.originType === undefined || v.originType === input.originType),
  );
  const scope = packageScope('ListPackageVersions', domain, repository, pkg, [input.status, input.originType, input.sortBy]);
  const page =
    input.sortBy === 'PUBLISHED_TIME'
      ? await paginate({
          secret: store.secret,
          scope,
          query: input,
          ...inOrder(
            rows.sort((a, b) => newestFirst(publishedTime(a), publishedTime(b))),
            publishedTime,
            newestFirst,
          ),
        })
      : await paginate({
          secret: store.secret,
          scope,
          query: input,
          ...inOrder(sortVersions(format, rows), (v) => v.version, versionOrder(format)),
        });
  return {
    defaultDisplayVersion: defaultDisplayVersion(format, all),
    ...packageCoordinates(pkg),
    versions: page.items.map(versionSummary),
    nextToken: page.nextToken,
  };
}

export async function describePackageVersion(
  store: Store,
  ctx: RequestContext,
  input: DescribePackageVersionRequest,
): Promise<DescribePackageVersionResult> {
  const { pkg, version } = await getVersion(store, ctx, input);
  return { packageVersion: versionDescription(pkg, version) };
}

export async function getPackageVersionReadme(
  store: Store,
  ctx: RequestContext,
  input: GetPackageVersionReadmeRequest,
): Promise<GetPackageVersionReadmeResult> {
  const { pkg, version } = await getVersion(store, ctx, input);
  return {
    ...versionCoordinates(pkg, version),
    readme: version.readme ?? undefined,
  };
}

export async function listPackageVersionDependencies(
  store: Store,
  ctx: RequestContext,
  input: ListPackageVersionDependenciesRequest,
): Promise<ListPackageVersionDependenciesResult> {
  const { domain, repository, pkg, version } = await getVersion(store, ctx, input);
  const deps = (await store.versions.dependencies(version.id)).map((d, position) => ({ ...d, position }));
  const page = await paginate({
    secret: store.secret,
    scope: packageScope('ListPackageVersionDependencies', domain, repository, pkg, [version.version]),
    query: { nextToken: input.nextToken },
    ...inOrder(deps, (d) => d.position, (a, b) => a - b),
  });
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

export async function deletePackageVersions(
  store: Store,
  ctx: RequestContext,
  input: DeletePackageVersionsRequest,
): Promise<DeletePackageVersionsResult> {
  const { outcome, digests } = await store.transaction(async (tx) => {
    const { pkg } = await getPackage(tx, ctx, input);
    const deleted: number[] = [];
    const outcome = await runBatch(
      tx,
      pkg,
      input,
      () => undefined,
      async (v) => {
        deleted.push(v.id);
        return { revision: v.revision, status: 'Deleted' };
      },
    );
    const digests = await tx.assets.digestsOfVersions(deleted);
    for (const id of deleted) await tx.versions.delete(id);
    return { outcome, digests };
  });
  await reclaimUnreferenced(store, digests);
  return outcome;
}

const SETTABLE: readonly VersionStatus[] = ['Published', 'Unlisted', 'Archived'];

export async function updatePackageVersionsStatus(
  store: Store,
  ctx: RequestContext,
  input: UpdatePackageVersionsStatusRequest,
): Promise<UpdatePackageVersionsStatusResult> {
  const target = required(input.targetStatus, 'targetStatus') as VersionStatus;
  if (!SETTABLE.includes(target))
    throw new ValidationError(`targetStatus must be one of ${SETTABLE.join(', ')}; got ${target}`);
  return store.transaction(async (tx) => {
    const { pkg } = await getPackage(tx, ctx, input);
    return runBatch(
      tx,
      pkg,
      input,
      (v) =>
        v.status === 'Disposed'
          ? { errorCode: 'NOT_ALLOWED', errorMessage: `version ${v.version} is Disposed and cannot change status` }
          : undefined,
      async (v) => {
        if (v.status === target) return { revision: v.revision, status: v.status };
        const revision = newRevision();
        // A version first published now gets its published time now.
        const publishedAt = v.publishedAt ?? (target === 'Published' ? ctx.now.getTime() : null);
        await tx.versions.setStatus(v.id, target, revision, publishedAt);
        return { revision, status: target };
      },
    );
  });
}
