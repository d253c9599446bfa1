// Operation name -> the core function that serves it. An operation of the table with no entry here
// answers 501 NotImplemented.
import type { RequestContext } from '../../core/context.js';
import { getPackageVersionAsset, listPackageVersionAssets } from '../../core/registry/assets.js';
import { createDomain, deleteDomain, describeDomain, listDomains } from '../../core/registry/domains.js';
import { getRepositoryEndpoint } from '../../core/registry/endpoints.js';
import { deletePackage, describePackage, listPackages } from '../../core/registry/packages.js';
import { publishPackageVersion } from '../../core/registry/publish.js';
import {
  createRepository,
  deleteRepository,
  describeRepository,
  listRepositories,
  listRepositoriesInDomain,
  updateRepository,
} from '../../core/registry/repositories.js';
import { listTagsForResource, tagResource, untagResource } from '../../core/registry/tags.js';
import { getAuthorizationToken } from '../../core/registry/tokens.js';
import {
  deletePackageVersions,
  describePackageVersion,
  getPackageVersionReadme,
  listPackageVersionDependencies,
  listPackageVersions,
  updatePackageVersionsStatus,
} from '../../core/registry/versions.js';
import type { Store } from '../../storage/store.js';

// Inputs are validated against the model before a handler runs; the cast from the generic record to
// each operation's SDK input type happens here, once.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (store: Store, ctx: RequestContext, input: any) => unknown;

export const handlers: Record<string, Handler> = {
  CreateDomain: createDomain,
  DescribeDomain: describeDomain,
  ListDomains: listDomains,
  DeleteDomain: deleteDomain,
  CreateRepository: createRepository,
  DescribeRepository: describeRepository,
  UpdateRepository: updateRepository,
  DeleteRepository: deleteRepository,
  ListRepositories: listRepositories,
  ListRepositoriesInDomain: listRepositoriesInDomain,
  GetAuthorizationToken: getAuthorizationToken,
  GetRepositoryEndpoint: getRepositoryEndpoint,
  ListPackages: listPackages,
  DescribePackage: describePackage,
  DeletePackage: deletePackage,
  ListPackageVersions: listPackageVersions,
  DescribePackageVersion: describePackageVersion,
  DeletePackageVersions: deletePackageVersions,
  UpdatePackageVersionsStatus: updatePackageVersionsStatus,
  ListPackageVersionAssets: listPackageVersionAssets,
  GetPackageVersionAsset: getPackageVersionAsset,
  GetPackageVersionReadme: getPackageVersionReadme,
  ListPackageVersionDependencies: listPackageVersionDependencies,
  PublishPackageVersion: publishPackageVersion,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};
