import type {
  DeletePackageRequest,
  DeletePackageResult,
  DescribePackageRequest,
  DescribePackageResult,
  ListPackagesRequest,
  ListPackagesResult,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { formatOf } from '../formats/index.js';
import { paginate } from '../pagination.js';
import type { Store } from '../../storage/ports.js';
import { reclaimUnreferenced } from '../blobLifecycle.js';
import { packageSummary } from './describe.js';
import { getPackage, getRepository } from './lookup.js';

/** The packages the repository itself holds (as on AWS, not what its upstreams could provide). */
export async function listPackages(store: Store, ctx: RequestContext, input: ListPackagesRequest): Promise<ListPackagesResult> {
  const { domain, repository } = await getRepository(store, ctx, input);
  const filter = {
    format: input.format,
    namespace: input.namespace,
    // A prefix matches normalized names, so `Demo_` finds `demo-pkg` in PyPI as it does in AWS.
    prefix:
      input.packagePrefix === undefined
        ? undefined
        : input.format
          ? formatOf(input.format).normalizeName(input.packagePrefix)
          : input.packagePrefix,
    publish: input.publish,
    upstream: input.upstream,
  };
  const page = await paginate({
    secret: store.secret,
    scope: `ListPackages:${JSON.stringify({ domain: domain.name, owner: domain.owner, repository: repository.name, ...filter })}`,
    query: input,
    fetch: (after: [string, string, string] | undefined, limit) =>
      store.packages.list({ repositoryId: repository.id, ...filter }, after, limit),
    cursorOf: (p) => [p.normalizedName, p.format, p.namespace] as [string, string, string],
  });
  return { packages: page.items.map(packageSummary), nextToken: page.nextToken };
}

export async function describePackage(
  store: Store,
  ctx: RequestContext,
  input: DescribePackageRequest,
): Promise<DescribePackageResult> {
  const { pkg } = await getPackage(store, ctx, input);
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

export async function deletePackage(store: Store, ctx: RequestContext, input: DeletePackageRequest): Promise<DeletePackageResult> {
  const { summary, digests } = await store.transaction(async (tx) => {
    const { pkg } = await getPackage(tx, ctx, input);
    const digests = await tx.assets.digestsOfVersions((await tx.versions.list(pkg.id)).map((v) => v.id));
    await tx.packages.delete(pkg.id);
    return { summary: packageSummary(pkg), digests };
  });
  await reclaimUnreferenced(store, digests);
  return { deletedPackage: summary };
}
