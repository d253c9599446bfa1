import { AlreadyExistsError, type AssetRecord, type AssetWrites, type DistributionFile } from '../ports.js';
import { isUniqueViolation, sql, type Db } from './connection.js';
import { touchPackageOfVersion } from './serials.js';

const COLUMNS = `id, version_id AS versionId, name, size, sha256, sha1, sha512, md5, blake2b256,
  core_metadata_sha256 AS coreMetadataSha256, created_at AS createdAt, yanked`;

const SELECT_FILES = `SELECT a.id AS assetId, a.name AS filename, v.version, v.status, a.size, a.sha256,
    v.requires_python AS requiresPython, a.core_metadata_sha256 AS coreMetadataSha256, a.created_at AS uploadedAt,
    a.yanked
  FROM package_version v JOIN asset a ON a.version_id = v.id`;

export function sqliteAssets(db: Db): AssetWrites {
  const referenced = (sha256: string): boolean =>
    (
      sql(
        db,
        `SELECT EXISTS (SELECT 1 FROM asset WHERE sha256 = :sha256)
             OR EXISTS (SELECT 1 FROM blob_claim WHERE sha256 = :sha256) AS referenced`,
      ).get({ sha256 }) as { referenced: number }
    ).referenced === 1;
  const find: AssetWrites['find'] = async (versionId, name) =>
    sql(db, `SELECT ${COLUMNS} FROM asset WHERE version_id = ? AND name = ?`).get(versionId, name) as
      | AssetRecord
      | undefined;
  return {
    find,
    list: async (versionId) =>
      sql(db, `SELECT ${COLUMNS} FROM asset WHERE version_id = ? ORDER BY name`).all(versionId) as AssetRecord[],
    coreMetadata: async (assetId) =>
      (sql(db, 'SELECT core_metadata AS data FROM asset WHERE id = ?').get(assetId) as { data: Buffer | null } | undefined)
        ?.data ?? undefined,
    filesOfPackage: async (packageId) =>
      sql(db, `${SELECT_FILES} WHERE v.package_id = ? ORDER BY a.name`).all(packageId) as DistributionFile[],
    fileOf: async (packageId, version, filename) =>
      sql(db, `${SELECT_FILES} WHERE v.package_id = ? AND v.version = ? AND a.name = ?`).get(
        packageId,
        version,
        filename,
      ) as DistributionFile | undefined,
    digestsOfVersions: async (versionIds) =>
      (
        sql(db, 'SELECT DISTINCT sha256 FROM asset WHERE version_id IN (SELECT value FROM json_each(?))').all(
          JSON.stringify(versionIds),
        ) as { sha256: string }[]
      ).map((r) => r.sha256),
    isReferenced: async (sha256) => referenced(sha256),
    unreferenced: async (digests) => digests.filter((d) => !referenced(d)),
    referencedDigests: async (after, limit) =>
      sql(db, 'SELECT sha256, max(size) AS size FROM asset WHERE sha256 > ? GROUP BY sha256 ORDER BY sha256 LIMIT ?').all(
        after ?? '',
        limit,
      ) as { sha256: string; size: number }[],
    removeAllOf: async (versionId) => {
      const digests = (
        sql(db, 'DELETE FROM asset WHERE version_id = ? RETURNING sha256').all(versionId) as { sha256: string }[]
      ).map((r) => r.sha256);
      touchPackageOfVersion(db, versionId);
      return [...new Set(digests)];
    },
    claimBlob: async (sha256, at) =>
      Number(sql(db, 'INSERT INTO blob_claim (sha256, created_at) VALUES (?, ?)').run(sha256, at).lastInsertRowid),
    releaseClaim: async (id) => {
      sql(db, 'DELETE FROM blob_claim WHERE id = ?').run(id);
    },
    dropClaimsBefore: async (before) =>
      (sql(db, 'DELETE FROM blob_claim WHERE created_at < ? RETURNING sha256').all(before) as { sha256: string }[]).map(
        (r) => r.sha256,
      ),
    add: async (a) => {
      try {
        const result = sql(
          db,
          `INSERT INTO asset (version_id, name, size, sha256, sha1, sha512, md5, blake2b256, core_metadata,
             core_metadata_sha256, created_at, yanked)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          a.versionId,
          a.name,
          a.size,
          a.sha256,
          a.sha1,
          a.sha512,
          a.md5,
          a.blake2b256,
          a.coreMetadata,
          a.coreMetadataSha256,
          a.createdAt,
          a.yanked ?? null,
        );
        touchPackageOfVersion(db, a.versionId);
        return sql(db, `SELECT ${COLUMNS} FROM asset WHERE id = ?`).get(Number(result.lastInsertRowid)) as AssetRecord;
      } catch (err) {
        if (isUniqueViolation(err)) throw new AlreadyExistsError(`asset ${a.name}`);
        throw err;
      }
    },
  };
}
