// Finding the resources a request names, or failing with the error the service gives. Each takes the
// store or a transaction: lookups inside a transaction see its own writes.
import type { RequestContext } from '../context.js';
import { ResourceNotFoundError, ValidationError } from '../errors.js';
import { formatOf, namespaceOf, type PackageFormatModule } from '../formats/index.js';
import type { DomainRecord, PackageRecord, RepositoryRecord, StoreReads, VersionRecord } from '../../storage/ports.js';

/** A required member; the handler has checked presence, this keeps the types honest. */
export function required<T>(value: T | undefined | null, name: string): T {
  if (value === undefined || value === null) throw new ValidationError(`Missing required parameter: ${name}`);
  return value;
}

export interface DomainRef {
  domain?: string | undefined;
  domainOwner?: string | undefined;
}
export interface RepositoryRef extends DomainRef {
  repository?: string | undefined;
}
export interface PackageRef extends RepositoryRef {
  format?: string | undefined;
  namespace?: string | undefined;
  package?: string | undefined;
}
export interface VersionRef extends PackageRef {
  packageVersion?: string | undefined;
}

export async function getDomain(store: StoreReads, ctx: RequestContext, ref: DomainRef): Promise<DomainRecord> {
  const name = required(ref.domain, 'domain');
  const owner = ref.domainOwner ?? ctx.accountId;
  const row = await store.domains.find(owner, name);
  if (!row) throw new ResourceNotFoundError(`Domain not found: ${name}`, 'domain', name);
  return row;
}

export async function getRepository(
  store: StoreReads,
  ctx: RequestContext,
  ref: RepositoryRef,
): Promise<{ domain: DomainRecord; repository: RepositoryRecord }> {
  const domain = await getDomain(store, ctx, ref);
  const name = required(ref.repository, 'repository');
  const repository = await store.repositories.find(domain.id, name);
  if (!repository)
    throw new ResourceNotFoundError(`Repository not found: ${name} in domain ${domain.name}`, 'repository', name);
  return { domain, repository };
}

/** The package a reference names, as the format matches names: format, namespace and normalized name. */
export function packageKeyOf(ref: PackageRef): {
  format: PackageFormatModule;
  namespace: string;
  name: string;
  normalizedName: string;
} {
  const format = formatOf(required(ref.format, 'format'));
  const name = required(ref.package, 'package');
  return { format, namespace: namespaceOf(format, ref.namespace), name, normalizedName: format.normalizeName(name) };
}

export async function getPackage(
  store: StoreReads,
  ctx: RequestContext,
  ref: PackageRef,
): Promise<{ domain: DomainRecord; repository: RepositoryRecord; pkg: PackageRecord }> {
  const key = packageKeyOf(ref);
  const { domain, repository } = await getRepository(store, ctx, ref);
  const pkg = await store.packages.find({
    repositoryId: repository.id,
    format: key.format.name,
    namespace: key.namespace,
    normalizedName: key.normalizedName,
  });
  if (!pkg)
    throw new ResourceNotFoundError(
      `Package not found: ${key.format.displayPackageName(key.namespace, key.name)} (${key.format.name}) in repository ${repository.name}`,
      'package',
      key.name,
    );
  return { domain, repository, pkg };
}

export async function getVersion(
  store: StoreReads,
  ctx: RequestContext,
  ref: VersionRef,
): Promise<{ domain: DomainRecord; repository: RepositoryRecord; pkg: PackageRecord; version: VersionRecord }> {
  const versionName = required(ref.packageVersion, 'packageVersion');
  const found = await getPackage(store, ctx, ref);
  const version = await store.versions.find(found.pkg.id, versionName);
  if (!version)
    throw new ResourceNotFoundError(
      `Package version not found: ${found.pkg.name} ${versionName}`,
      'package-version',
      versionName,
    );
  return { ...found, version };
}
