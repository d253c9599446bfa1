import type { Db } from './db.js';
import { sql } from './statements.js';

export interface PackageKey {
  repositoryId: number;
  format: string;
  /** '' when the format has no namespace. */
  namespace: string;
  normalizedName: string;
}

export interface PackageRow extends PackageKey {
  id: number;
  name: string;
  publish: 'ALLOW' | 'BLOCK';
  upstream: 'ALLOW' | 'BLOCK';
  generation: number;
}

const COLUMNS = `id, repository_id AS repositoryId, format, namespace, name, normalized_name AS normalizedName,
  publish, upstream, generation`;

export function findPackage(db: Db, key: PackageKey): PackageRow | undefined {
  return sql(
    db,
    `SELECT ${COLUMNS} FROM package
      WHERE repository_id = ? AND format = ? AND namespace = ? AND normalized_name = ?`,
  ).get(key.repositoryId, key.format, key.namespace, key.normalizedName) as PackageRow | undefined;
}

export function findPackageById(db: Db, id: number): PackageRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM package WHERE id = ?`).get(id) as PackageRow | undefined;
}

export function insertPackage(db: Db, key: PackageKey & { name: string }): number {
  const result = sql(
    db,
    'INSERT INTO package (repository_id, format, namespace, name, normalized_name) VALUES (?, ?, ?, ?, ?)',
  ).run(key.repositoryId, key.format, key.namespace, key.name, key.normalizedName);
  return Number(result.lastInsertRowid);
}

/** Marks the package changed: cached index pages keyed by the old generation become stale. */
export function bumpGeneration(db: Db, id: number): void {
  sql(db, 'UPDATE package SET generation = generation + 1 WHERE id = ?').run(id);
  bumpRepositorySerial(db, id);
}

function bumpRepositorySerial(db: Db, packageId: number): void {
  sql(db, 'UPDATE repository SET serial = serial + 1 WHERE id = (SELECT repository_id FROM package WHERE id = ?)').run(
    packageId,
  );
}

export function deletePackageRow(db: Db, id: number): void {
  bumpRepositorySerial(db, id);
  sql(db, 'DELETE FROM package WHERE id = ?').run(id);
}

export function repositorySerial(db: Db, repositoryId: number): number {
  return (sql(db, 'SELECT serial FROM repository WHERE id = ?').get(repositoryId) as { serial: number } | undefined)
    ?.serial ?? 0;
}

export interface PackageFilter {
  repositoryId: number;
  format?: string;
  /** A prefix, despite the name: AWS documents ListPackages' `namespace` as prefix-matching. */
  namespace?: string;
  /** Matched against the normalized name. */
  prefix?: string;
  publish?: string;
  upstream?: string;
}

/** Ordered by normalized name, format, namespace; `after` is the last row's [name, format, namespace]. */
export function listPackageRows(
  db: Db,
  filter: PackageFilter,
  after: [string, string, string] | undefined,
  limit: number,
): PackageRow[] {
  const [afterName, afterFormat, afterNamespace] = after ?? ['', '', ''];
  return sql(
    db,
    `SELECT ${COLUMNS} FROM package
      WHERE repository_id = :repositoryId
        AND (:format IS NULL OR format = :format)
        AND (:namespace IS NULL OR substr(namespace, 1, length(:namespace)) = :namespace)
        AND (:prefix IS NULL OR substr(normalized_name, 1, length(:prefix)) = :prefix)
        AND (:publish IS NULL OR publish = :publish)
        AND (:upstream IS NULL OR upstream = :upstream)
        AND (normalized_name, format, namespace) > (:afterName, :afterFormat, :afterNamespace)
      ORDER BY normalized_name, format, namespace LIMIT :limit`,
  ).all({
    repositoryId: filter.repositoryId,
    format: filter.format ?? null,
    namespace: filter.namespace ?? null,
    prefix: filter.prefix ?? null,
    publish: filter.publish ?? null,
    upstream: filter.upstream ?? null,
    afterName,
    afterFormat,
    afterNamespace,
    limit,
  }) as PackageRow[];
}

/** Names of every package of a format in a repository that has at least one version in `statuses`. */
export function listPackageNamesWithStatus(
  db: Db,
  repositoryId: number,
  format: string,
  statuses: readonly string[],
): { name: string; normalizedName: string }[] {
  return sql(
    db,
    `SELECT p.name, p.normalized_name AS normalizedName FROM package p
      WHERE p.repository_id = ? AND p.format = ?
        AND EXISTS (SELECT 1 FROM package_version v WHERE v.package_id = p.id
                     AND v.status IN (SELECT value FROM json_each(?)))
      ORDER BY p.normalized_name`,
  ).all(repositoryId, format, JSON.stringify(statuses)) as { name: string; normalizedName: string }[];
}
