// Record -> API shape conversions, shared by every operation that returns these shapes.
import type {
  DomainDescription,
  PackageFormat,
  DomainSummary,
  PackageSummary,
  PackageVersionDescription,
  PackageVersionOrigin,
  PackageVersionSummary,
  RepositoryDescription,
  RepositorySummary,
} from '@aws-sdk/client-codeartifact';
import { domainArn, repositoryArn } from '../arn.js';
import type { RequestContext } from '../context.js';
import { formatOf } from '../formats/index.js';
import type { DomainRecord, PackageRecord, RepositoryRecord, StoreReads, VersionRecord } from '../../storage/ports.js';

export function domainSummary(ctx: RequestContext, d: DomainRecord): DomainSummary {
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

export async function domainDescription(store: StoreReads, ctx: RequestContext, d: DomainRecord): Promise<DomainDescription> {
  const counts = await store.domains.counts(d.id);
  return {
    ...domainSummary(ctx, d),
    repositoryCount: counts.repositoryCount,
    assetSizeBytes: counts.assetSizeBytes,
    s3BucketArn: `arn:aws:s3:::assets-${d.owner}-${ctx.region}`,
  };
}

export function repositorySummary(ctx: RequestContext, r: RepositoryRecord): RepositorySummary {
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

export async function repositoryDescription(
  store: StoreReads,
  ctx: RequestContext,
  r: RepositoryRecord,
): Promise<RepositoryDescription> {
  const [upstreams, connections] = await Promise.all([
    store.repositories.upstreams(r.id),
    store.repositories.externalConnections(r.id),
  ]);
  return {
    ...repositorySummary(ctx, r),
    upstreams: upstreams.map((u) => ({ repositoryName: u.name })),
    externalConnections: connections.map((c) => ({
      externalConnectionName: c.name,
      packageFormat: c.format as PackageFormat,
      status: 'Available',
    })),
  };
}

export function packageSummary(p: PackageRecord): PackageSummary {
  return {
    format: p.format as PackageFormat,
    namespace: p.namespace || undefined,
    package: p.name,
    originConfiguration: { restrictions: { publish: p.publish, upstream: p.upstream } },
  };
}

/** Where a version came from: its type, and the repository or external connection it entered the domain by. */
export function versionOrigin(v: VersionRecord): PackageVersionOrigin {
  const entry =
    v.entryRepository || v.entryExternalConnection
      ? {
          repositoryName: v.entryRepository ?? undefined,
          externalConnectionName: v.entryExternalConnection ?? undefined,
        }
      : undefined;
  return { originType: v.originType, domainEntryPoint: entry };
}

export function versionSummary(v: VersionRecord): PackageVersionSummary {
  return {
    version: v.version,
    revision: v.revision,
    status: v.status,
    origin: versionOrigin(v),
  };
}

/** The coordinates several version outputs start with (readme, assets, dependencies). */
export function packageCoordinates(p: PackageRecord) {
  return { format: p.format as PackageFormat, namespace: p.namespace || undefined, package: p.name };
}

export function versionCoordinates(p: PackageRecord, v: VersionRecord) {
  return { ...packageCoordinates(p), version: v.version, versionRevision: v.revision };
}

export function versionDescription(p: PackageRecord, v: VersionRecord): PackageVersionDescription {
  return {
    format: p.format as PackageFormat,
    namespace: p.namespace || undefined,
    packageName: p.name,
    displayName: v.displayName ?? formatOf(p.format).displayPackageName(p.namespace, p.name),
    version: v.version,
    summary: v.summary ?? undefined,
    homePage: v.homePage ?? undefined,
    sourceCodeRepository: v.sourceCodeRepository ?? undefined,
    publishedTime: v.publishedAt !== null ? new Date(v.publishedAt) : undefined,
    licenses: v.licenses ?? undefined,
    revision: v.revision,
    status: v.status,
    origin: versionOrigin(v),
  };
}
