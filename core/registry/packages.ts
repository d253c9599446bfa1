import type {
  DeletePackageRequest,
  DeletePackageResult,
  DescribePackageRequest,
  DescribePackageResult,
  ListPackagesRequest,
  ListPackagesResult,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { DEFAULT_PAGE_SIZE, decodeToken, pageOf } from '../pagination.js';
import { normalizePackageName } from '../names.js';
import { assetDigestsOfVersions } from '../../storage/assets.js';
import { deletePackageRow, listPackageRows } from '../../storage/packages.js';
import { transaction, type Store } from '../../storage/store.js';
import { listVersionRows } from '../../storage/versions.js';
import { removeUnreferencedBlobs } from './blobCleanup.js';
import { packageSummary } from './describe.js';
import { getPackage, getRepository } from './lookup.js';

export function listPackages(store: Store, ctx: RequestContext, input: ListPackagesRequest): ListPackagesResult {
  const { repository } = getRepository(store, ctx, input);
  const filter = {
    repositoryId: repository.id,
    format: input.format,
    namespace: input.namespace,
    // A prefix matches normalized names, so `Demo_` finds `demo-pkg` in PyPI as it does in AWS.
    prefix:
      input.packagePrefix === undefined
        ? undefined
        : input.format
          ? normalizePackageName(input.format, input.packagePrefix)
          : input.packagePrefix,
    publish: input.publish,
    upstream: input.upstream,
  };
  const limit = input.maxResults ?? DEFAULT_PAGE_SIZE;
  const scope = `ListPackages:${JSON.stringify(filter)}`;
  const after = decodeToken<[string, string, string]>(store.secret, scope, input.nextToken);
  const rows = listPackageRows(store.db, filter, after, limit + 1);
  const page = pageOf(rows, limit, store.secret, scope, (p) => [p.normalizedName, p.format, p.namespace]);
  return { packages: page.items.map(packageSummary), nextToken: page.nextToken };
}

export function describePackage(store: Store, ctx: RequestContext, input: DescribePackageRequest): DescribePackageResult {
  const { pkg } = getPackage(store, ctx, input);
  const summary = packageSummary(pkg);
  return {
    package: {
      format: summary.format,
      namespace: summary.namespace,
      name: pkg.name,
      originConfiguration: summary.originConfiguration,
    },
  };
}

export async function deletePackage(
  store: Store,
  ctx: RequestContext,
  input: DeletePackageRequest,
): Promise<DeletePackageResult> {
  const { summary, digests } = transaction(store, () => {
    const { pkg } = getPackage(store, ctx, input);
    const digests = assetDigestsOfVersions(
      store.db,
      listVersionRows(store.db, pkg.id).map((v) => v.id),
    );
    deletePackageRow(store.db, pkg.id);
    return { summary: packageSummary(pkg), digests };
  });
  await removeUnreferencedBlobs(store, digests);
  return { deletedPackage: summary };
}
