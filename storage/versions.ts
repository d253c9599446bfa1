import type { Db } from './db.js';
import { sql } from './statements.js';

export type VersionStatus = 'Published' | 'Unfinished' | 'Unlisted' | 'Archived' | 'Disposed' | 'Deleted';

export interface VersionRow {
  id: number;
  packageId: number;
  version: string;
  status: VersionStatus;
  revision: string;
  originType: 'INTERNAL' | 'EXTERNAL' | 'UNKNOWN';
  createdAt: number;
  publishedAt: number | null;
  displayName: string | null;
  summary: string | null;
  homePage: string | null;
  sourceCodeRepository: string | null;
  /** JSON array of {name, url}. */
  licenses: string | null;
  readme: string | null;
  readmeContentType: string | null;
  requiresPython: string | null;
  /** JSON object of format-specific metadata. */
  metadata: string | null;
}

const COLUMNS = `id, package_id AS packageId, version, status, revision, origin_type AS originType,
  created_at AS createdAt, published_at AS publishedAt, display_name AS displayName, summary,
  home_page AS homePage, source_code_repository AS sourceCodeRepository, licenses, readme,
  readme_content_type AS readmeContentType, requires_python AS requiresPython, metadata`;

export function findVersion(db: Db, packageId: number, version: string): VersionRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM package_version WHERE package_id = ? AND version = ?`).get(
    packageId,
    version,
  ) as VersionRow | undefined;
}

export function listVersionRows(db: Db, packageId: number): VersionRow[] {
  return sql(db, `SELECT ${COLUMNS} FROM package_version WHERE package_id = ?`).all(packageId) as VersionRow[];
}

export type VersionFields = Omit<VersionRow, 'id'>;

export function insertVersion(db: Db, row: VersionFields): number {
  const result = sql(
    db,
    `INSERT INTO package_version (package_id, version, status, revision, origin_type, created_at, published_at,
       display_name, summary, home_page, source_code_repository, licenses, readme, readme_content_type,
       requires_python, metadata)
     VALUES (:packageId, :version, :status, :revision, :originType, :createdAt, :publishedAt, :displayName,
       :summary, :homePage, :sourceCodeRepository, :licenses, :readme, :readmeContentType, :requiresPython,
       :metadata)`,
  ).run(row);
  return Number(result.lastInsertRowid);
}

export function updateVersionStatus(
  db: Db,
  id: number,
  status: VersionStatus,
  revision: string,
  publishedAt: number | null,
): void {
  sql(db, 'UPDATE package_version SET status = ?, revision = ?, published_at = ? WHERE id = ?').run(
    status,
    revision,
    publishedAt,
    id,
  );
}

export function setRevision(db: Db, id: number, revision: string): void {
  sql(db, 'UPDATE package_version SET revision = ? WHERE id = ?').run(revision, id);
}

export function deleteVersionRow(db: Db, id: number): void {
  sql(db, 'DELETE FROM package_version WHERE id = ?').run(id);
}

export function countVersions(db: Db, packageId: number): number {
  return (sql(db, 'SELECT count(*) AS n FROM package_version WHERE package_id = ?').get(packageId) as { n: number }).n;
}

export interface DependencyRow {
  namespace: string | null;
  package: string;
  dependencyType: string | null;
  versionRequirement: string | null;
}

export function listDependencies(db: Db, versionId: number): DependencyRow[] {
  return sql(
    db,
    `SELECT namespace, package, dependency_type AS dependencyType, version_requirement AS versionRequirement
       FROM dependency WHERE version_id = ? ORDER BY position`,
  ).all(versionId) as DependencyRow[];
}

export function replaceDependencies(db: Db, versionId: number, deps: DependencyRow[]): void {
  sql(db, 'DELETE FROM dependency WHERE version_id = ?').run(versionId);
  const insert = sql(
    db,
    `INSERT INTO dependency (version_id, position, namespace, package, dependency_type, version_requirement)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  deps.forEach((d, i) => insert.run(versionId, i, d.namespace, d.package, d.dependencyType, d.versionRequirement));
}

/** Fills in metadata the version did not have yet (the first file of a release sets it; later ones add). */
export function updateVersionMetadata(
  db: Db,
  id: number,
  fields: Partial<Pick<VersionRow, 'summary' | 'homePage' | 'sourceCodeRepository' | 'licenses' | 'readme' |
    'readmeContentType' | 'requiresPython' | 'metadata' | 'displayName'>>,
): void {
  const columns: Record<string, string> = {
    summary: 'summary',
    homePage: 'home_page',
    sourceCodeRepository: 'source_code_repository',
    licenses: 'licenses',
    readme: 'readme',
    readmeContentType: 'readme_content_type',
    requiresPython: 'requires_python',
    metadata: 'metadata',
    displayName: 'display_name',
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    sql(db, `UPDATE package_version SET ${columns[key]} = ? WHERE id = ?`).run(value, id);
  }
}
