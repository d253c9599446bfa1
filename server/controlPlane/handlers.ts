// Operation name -> the core function that serves it, typed by the operation: each entry must take that
// operation's input and return its output, as @aws-sdk/client-codeartifact declares them. All 48 operations
// of the model have one (an operation without would answer 501 NotImplemented).
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../core/context.js';
import { getPackageVersionAsset, listPackageVersionAssets, type AssetDownload } from '../../core/registry/assets.js';
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
import { copyPackageVersions } from '../../core/registry/copy.js';
import { disposePackageVersions } from '../../core/registry/dispose.js';
import { associateExternalConnection, disassociateExternalConnection } from '../../core/registry/externalConnections.js';
import { putPackageOriginConfiguration } from '../../core/registry/originConfiguration.js';
import {
  createPackageGroup,
  deletePackageGroup,
  describePackageGroup,
  getAssociatedPackageGroup,
  listAllowedRepositoriesForGroup,
  listAssociatedPackages,
  listPackageGroups,
  listSubPackageGroups,
  updatePackageGroup,
  updatePackageGroupOriginConfiguration,
} from '../../core/registry/packageGroups.js';
import {
  deleteDomainPermissionsPolicy,
  deleteRepositoryPermissionsPolicy,
  getDomainPermissionsPolicy,
  getRepositoryPermissionsPolicy,
  putDomainPermissionsPolicy,
  putRepositoryPermissionsPolicy,
} from '../../core/registry/policies.js';
import type { Store } from '../../storage/ports.js';

type Sdk = typeof import('@aws-sdk/client-codeartifact');

/** Every operation of the model: the SDK has one `<Name>Command` class per operation. */
export type OperationName = {
  [K in keyof Sdk]: K extends `${infer Op}Command` ? (Sdk[K] extends new (...args: never[]) => unknown ? Op : never) : never;
}[keyof Sdk];

type CommandOf<Op extends OperationName> = Sdk[`${Op}Command`];

/** The streaming members, as they are on the server side: a request body in, a blob out. */
interface Streams {
  PublishPackageVersion: { input: { assetContent?: Readable }; output: never };
  GetPackageVersionAsset: { input: never; output: AssetDownload };
}

/** Operations whose input is all optional take it optionally in the SDK; the router always passes one. */
type SdkInput<Op extends OperationName> = NonNullable<ConstructorParameters<CommandOf<Op>>[0]>;

export type InputOf<Op extends OperationName> = Op extends keyof Streams
  ? Omit<SdkInput<Op>, keyof Streams[Op]['input']> & Streams[Op]['input']
  : SdkInput<Op>;

export type OutputOf<Op extends OperationName> = Op extends 'GetPackageVersionAsset'
  ? AssetDownload
  : InstanceType<CommandOf<Op>> extends {
        resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }>;
      }
    ? Omit<O, '$metadata'>
    : never;

export type Handler<Op extends OperationName> = (store: Store, ctx: RequestContext, input: InputOf<Op>) => Promise<OutputOf<Op>>;

export const handlers: { [Op in OperationName]?: Handler<Op> } = {
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
  AssociateExternalConnection: associateExternalConnection,
  DisassociateExternalConnection: disassociateExternalConnection,
  PutPackageOriginConfiguration: putPackageOriginConfiguration,
  DisposePackageVersions: disposePackageVersions,
  CopyPackageVersions: copyPackageVersions,
  CreatePackageGroup: createPackageGroup,
  DescribePackageGroup: describePackageGroup,
  UpdatePackageGroup: updatePackageGroup,
  DeletePackageGroup: deletePackageGroup,
  ListPackageGroups: listPackageGroups,
  ListSubPackageGroups: listSubPackageGroups,
  UpdatePackageGroupOriginConfiguration: updatePackageGroupOriginConfiguration,
  ListAllowedRepositoriesForGroup: listAllowedRepositoriesForGroup,
  GetAssociatedPackageGroup: getAssociatedPackageGroup,
  ListAssociatedPackages: listAssociatedPackages,
  GetDomainPermissionsPolicy: getDomainPermissionsPolicy,
  PutDomainPermissionsPolicy: putDomainPermissionsPolicy,
  DeleteDomainPermissionsPolicy: deleteDomainPermissionsPolicy,
  GetRepositoryPermissionsPolicy: getRepositoryPermissionsPolicy,
  PutRepositoryPermissionsPolicy: putRepositoryPermissionsPolicy,
  DeleteRepositoryPermissionsPolicy: deleteRepositoryPermissionsPolicy,
};

/** The handler of an operation named at run time (from the operation table), if implemented. */
export function handlerFor(name: string): ((store: Store, ctx: RequestContext, input: unknown) => Promise<unknown>) | undefined {
  return handlers[name as OperationName] as ((store: Store, ctx: RequestContext, input: unknown) => Promise<unknown>) | undefined;
}
