// Finding the resources a request names, or failing with the error the service gives.
import type { RequestContext } from '../context.js';
import { ResourceNotFoundError, ValidationError } from '../errors.js';
import { normalizePackageName } from '../names.js';
import { findDomain, type DomainRow } from '../../storage/domains.js';
import { findPackage, type PackageRow } from '../../storage/packages.js';
import { findRepository, type RepositoryRow } from '../../storage/repositories.js';
import type { Store } from '../../storage/store.js';
import { findVersion, type VersionRow } from '../../storage/versions.js';

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

export function getDomain(store: Store, ctx: RequestContext, ref: DomainRef): DomainRow {
  const name = required(ref.domain, 'domain');
  const owner = ref.domainOwner ?? ctx.accountId;
  const row = findDomain(store.db, owner, name);
  if (!row) throw new ResourceNotFoundError(`Domain not found: ${name}`, 'domain', name);
  return row;
}

export function getRepository(
  store: Store,
  ctx: RequestContext,
  ref: RepositoryRef,
): { domain: DomainRow; repository: RepositoryRow } {
  const domain = getDomain(store, ctx, ref);
  const name = required(ref.repository, 'repository');
  const repository = findRepository(store.db, domain.id, name);
  if (!repository)
    throw new ResourceNotFoundError(`Repository not found: ${name} in domain ${domain.name}`, 'repository', name);
  return { domain, repository };
}

/** Formats without namespaces reject one; the others keep '' for "no namespace". */
export function namespaceOf(format: string, namespace: string | undefined): string {
  if (namespace !== undefined && (format === 'pypi' || format === 'nuget' || format === 'ruby' || format === 'cargo'))
    throw new ValidationError(`Packages of format ${format} do not have a namespace`);
  return namespace ?? '';
}

export function displayPackageName(format: string, namespace: string, name: string): string {
  if (!namespace) return name;
  if (format === 'npm') return `@${namespace}/${name}`;
  if (format === 'maven') return `${namespace}:${name}`;
  return `${namespace}/${name}`;
}

export function getPackage(
  store: Store,
  ctx: RequestContext,
  ref: PackageRef,
): { domain: DomainRow; repository: RepositoryRow; pkg: PackageRow } {
  const { domain, repository } = getRepository(store, ctx, ref);
  const format = required(ref.format, 'format');
  const name = required(ref.package, 'package');
  const namespace = namespaceOf(format, ref.namespace);
  const pkg = findPackage(store.db, {
    repositoryId: repository.id,
    format,
    namespace,
    normalizedName: normalizePackageName(format, name),
  });
  if (!pkg)
    throw new ResourceNotFoundError(
      `Package not found: ${displayPackageName(format, namespace, name)} (${format}) in repository ${repository.name}`,
      'package',
      name,
    );
  return { domain, repository, pkg };
}

export function getVersion(
  store: Store,
  ctx: RequestContext,
  ref: VersionRef,
): { domain: DomainRow; repository: RepositoryRow; pkg: PackageRow; version: VersionRow } {
  const found = getPackage(store, ctx, ref);
  const versionName = required(ref.packageVersion, 'packageVersion');
  const version = findVersion(store.db, found.pkg.id, versionName);
  if (!version)
    throw new ResourceNotFoundError(
      `Package version not found: ${found.pkg.name} ${versionName}`,
      'package-version',
      versionName,
    );
  return { ...found, version };
}
