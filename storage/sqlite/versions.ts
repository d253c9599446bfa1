import type { DependencyRecord, License, NewVersion, VersionMetadataFields, VersionRecord, VersionWrites } from '../ports.js';
import { sql, type Db } from './connection.js';
import { touchPackage, touchPackageOfVersion } from './serials.js';

const COLUMNS = `id, package_id AS packageId, version, status, revision, origin_type AS originType,
  entry_repository AS entryRepository, entry_external_connection AS entryExternalConnection,
  created_at AS createdAt, published_at AS publishedAt, display_name AS displayName, summary,
  home_page AS homePage, source_code_repository AS sourceCodeRepository, licenses, readme,
  readme_content_type AS readmeContentType, requires_python AS requiresPython, metadata`;

type Row = Omit<VersionRecord, 'licenses' | 'metadata'> & { licenses: string | null; metadata: string | null };

// licenses and metadata are JSON text in the table, structured in the record.
const fromRow = (row: Row | undefined): VersionRecord | undefined =>
  row && {
    ...row,
    licenses: row.licenses ? (JSON.parse(row.licenses) as License[]) : null,
    metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : null,
  };

const toJson = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/** Column of each metadata field. */
const METADATA_COLUMNS: Record<keyof VersionMetadataFields, string> = {
  displayName: 'display_name',
  summary: 'summary',
  homePage: 'home_page',
  sourceCodeRepository: 'source_code_repository',
  licenses: 'licenses',
  readme: 'readme',
  readmeContentType: 'readme_content_type',
  requiresPython: 'requires_python',
  metadata: 'metadata',
};

export function sqliteVersions(db: Db): VersionWrites {
  const find: VersionWrites['find'] = async (packageId, version) =>
    fromRow(sql(db, `SELECT ${COLUMNS} FROM package_version WHERE package_id = ? AND version = ?`).get(packageId, version) as Row | undefined);
  return {
    find,
    list: async (packageId) =>
      (sql(db, `SELECT ${COLUMNS} FROM package_version WHERE package_id = ?`).all(packageId) as Row[]).map(
        (r) => fromRow(r)!,
      ),
    dependencies: async (versionId) =>
      sql(
        db,
        `SELECT namespace, package, dependency_type AS dependencyType, version_requirement AS versionRequirement
           FROM dependency WHERE version_id = ? ORDER BY position`,
      ).all(versionId) as DependencyRecord[],
    findOrCreate: async (v: NewVersion) => {
      const result = sql(
        db,
        `INSERT INTO package_version (package_id, version, status, revision, origin_type, entry_repository,
           entry_external_connection, created_at, published_at, display_name, summary, home_page,
           source_code_repository, licenses, readme, readme_content_type, requires_python, metadata)
         VALUES (:packageId, :version, :status, :revision, :originType, :entryRepository, :entryExternalConnection,
           :createdAt, :publishedAt, :displayName, :summary, :homePage, :sourceCodeRepository, :licenses, :readme,
           :readmeContentType, :requiresPython, :metadata)
         ON CONFLICT (package_id, version) DO NOTHING`,
      ).run({ ...v, licenses: toJson(v.licenses), metadata: toJson(v.metadata) });
      if (result.changes > 0) touchPackage(db, v.packageId);
      return { version: (await find(v.packageId, v.version))!, created: result.changes > 0 };
    },
    setStatus: async (id, status, revision, publishedAt) => {
      sql(db, 'UPDATE package_version SET status = ?, revision = ?, published_at = ? WHERE id = ?').run(
        status,
        revision,
        publishedAt,
        id,
      );
      touchPackageOfVersion(db, id);
    },
    setRevision: async (id, revision) => {
      sql(db, 'UPDATE package_version SET revision = ? WHERE id = ?').run(revision, id);
      touchPackageOfVersion(db, id);
    },
    fillMetadata: async (id, fields) => {
      let changed = false;
      for (const [key, value] of Object.entries(fields) as [keyof VersionMetadataFields, unknown][]) {
        if (value === undefined || value === null) continue;
        const column = METADATA_COLUMNS[key];
        const stored = key === 'licenses' || key === 'metadata' ? toJson(value) : value;
        changed =
          sql(db, `UPDATE package_version SET ${column} = ? WHERE id = ? AND ${column} IS NULL`).run(stored, id).changes >
            0 || changed;
      }
      if (changed) touchPackageOfVersion(db, id);
    },
    setDependencies: async (versionId, deps) => {
      sql(db, 'DELETE FROM dependency WHERE version_id = ?').run(versionId);
      const insert = sql(
        db,
        `INSERT INTO dependency (version_id, position, namespace, package, dependency_type, version_requirement)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      deps.forEach((d, i) => insert.run(versionId, i, d.namespace, d.package, d.dependencyType, d.versionRequirement));
    },
    delete: async (id) => {
      touchPackageOfVersion(db, id);
      sql(db, 'DELETE FROM package_version WHERE id = ?').run(id);
    },
  };
}
