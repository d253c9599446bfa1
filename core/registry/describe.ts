// Row -> API shape conversions, shared by every operation that returns these shapes.
import type {
  DomainDescription,
  PackageFormat,
  DomainSummary,
  PackageSummary,
  PackageVersionDescription,
  PackageVersionSummary,
  RepositoryDescription,
  RepositorySummary,
} from '@aws-sdk/client-codeartifact';
import { domainArn, packageArn, repositoryArn } from '../arn.js';
import type { RequestContext } from '../context.js';
import { domainCounts, type DomainRow } from '../../storage/domains.js';
import type { PackageRow } from '../../storage/packages.js';
import { listExternalConnections, listUpstreamNames, type RepositoryRow } from '../../storage/repositories.js';
import type { Store } from '../../storage/store.js';
import type { VersionRow } from '../../storage/versions.js';
import { displayPackageName } from './lookup.js';

export function domainSummary(ctx: RequestContext, d: DomainRow): DomainSummary {
  return {
    name: d.name,
    owner: d.owner,
    arn: domainArn(ctx.region, d.owner, d.name),
    status: 'Active',
    createdTime: new Date(d.createdAt),
    encryptionKey: d.encryptionKey ?? defaultEncryptionKey(ctx, d.owner),
  };
}

/** Domains without a customer key use the AWS managed key; we show an ARN of the same shape. */
function defaultEncryptionKey(ctx: RequestContext, owner: string): string {
  return `arn:aws:kms:${ctx.region}:${owner}:key/00000000-0000-0000-0000-000000000000`;
}

export function domainDescription(store: Store, ctx: RequestContext, d: DomainRow): DomainDescription {
  const counts = domainCounts(store.db, d.id);
  return {
    ...domainSummary(ctx, d),
    repositoryCount: counts.repositoryCount,
    assetSizeBytes: counts.assetSizeBytes,
    s3BucketArn: `arn:aws:s3:::assets-${d.owner}-${ctx.region}`,
  };
}

export function repositorySummary(ctx: RequestContext, r: RepositoryRow): RepositorySummary {
  return {
    name: r.name,
    administratorAccount: r.administratorAccount,
    domainName: r.domainName,
    domainOwner: r.domainOwner,
    arn: repositoryArn(ctx.region, r.domainOwner, r.domainName, r.name),
    description: r.description ?? undefined,
    createdTime: new Date(r.createdAt),
  };
}

export function repositoryDescription(store: Store, ctx: RequestContext, r: RepositoryRow): RepositoryDescription {
  return {
    ...repositorySummary(ctx, r),
    upstreams: listUpstreamNames(store.db, r.id).map((repositoryName) => ({ repositoryName })),
    externalConnections: listExternalConnections(store.db, r.id).map((c) => ({
      externalConnectionName: c.name,
      packageFormat: c.format as PackageFormat,
      status: 'Available',
    })),
  };
}

export function packageSummary(p: PackageRow): PackageSummary {
  return {
    format: p.format as PackageFormat,
    namespace: p.namespace || undefined,
    package: p.name,
    originConfiguration: { restrictions: { publish: p.publish, upstream: p.upstream } },
  };
}

export function versionSummary(v: VersionRow): PackageVersionSummary {
  return {
    version: v.version,
    revision: v.revision,
    status: v.status,
    origin: { originType: v.originType },
  };
}

/** The coordinates several version outputs start with (readme, assets, dependencies). */
export function packageCoordinates(p: PackageRow) {
  return { format: p.format as PackageFormat, namespace: p.namespace || undefined, package: p.name };
}

export function versionCoordinates(p: PackageRow, v: VersionRow) {
  return { ...packageCoordinates(p), version: v.version, versionRevision: v.revision };
}

export function versionDescription(ctx: RequestContext, p: PackageRow, v: VersionRow): PackageVersionDescription {
  return {
    format: p.format as PackageFormat,
    namespace: p.namespace || undefined,
    packageName: p.name,
    displayName: v.displayName ?? displayPackageName(p.format, p.namespace, p.name),
    version: v.version,
    summary: v.summary ?? undefined,
    homePage: v.homePage ?? undefined,
    sourceCodeRepository: v.sourceCodeRepository ?? undefined,
    publishedTime: v.publishedAt !== null ? new Date(v.publishedAt) : undefined,
    licenses: v.licenses ? JSON.parse(v.licenses) : undefined,
    revision: v.revision,
    status: v.status,
    origin: { originType: v.originType },
  };
}

export { packageArn };
