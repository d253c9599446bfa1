import type { BlobDigests } from './blobs.js';
import type { Db } from './db.js';
import { sql } from './statements.js';

/** An asset is a named blob in a version: its size and digests are the blob's. */
export interface AssetRow extends BlobDigests {
  id: number;
  versionId: number;
  name: string;
  coreMetadataSha256: string | null;
  createdAt: number;
}

const COLUMNS = `id, version_id AS versionId, name, size, sha256, sha1, sha512, md5, blake2b256,
  core_metadata_sha256 AS coreMetadataSha256, created_at AS createdAt`;

export function listAssetRows(db: Db, versionId: number): AssetRow[] {
  return sql(db, `SELECT ${COLUMNS} FROM asset WHERE version_id = ? ORDER BY name`).all(versionId) as AssetRow[];
}

export function findAsset(db: Db, versionId: number, name: string): AssetRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM asset WHERE version_id = ? AND name = ?`).get(versionId, name) as
    | AssetRow
    | undefined;
}

export function insertAsset(
  db: Db,
  row: Omit<AssetRow, 'id' | 'coreMetadataSha256'> & { coreMetadata?: Buffer | null; coreMetadataSha256?: string | null },
): number {
  const result = sql(
    db,
    `INSERT INTO asset (version_id, name, size, sha256, sha1, sha512, md5, blake2b256, core_metadata,
       core_metadata_sha256, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.versionId,
    row.name,
    row.size,
    row.sha256,
    row.sha1,
    row.sha512,
    row.md5,
    row.blake2b256,
    row.coreMetadata ?? null,
    row.coreMetadataSha256 ?? null,
    row.createdAt,
  );
  return Number(result.lastInsertRowid);
}

export function readCoreMetadata(db: Db, assetId: number): Buffer | undefined {
  const row = sql(db, 'SELECT core_metadata AS data FROM asset WHERE id = ?').get(assetId) as
    | { data: Buffer | null }
    | undefined;
  return row?.data ?? undefined;
}

/** SHA-256s of the assets of the given versions: the blobs to consider after deleting them. */
export function assetDigestsOfVersions(db: Db, versionIds: number[]): string[] {
  return (
    sql(
      db,
      'SELECT DISTINCT sha256 FROM asset WHERE version_id IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify(versionIds)) as { sha256: string }[]
  ).map((r) => r.sha256);
}

export function deleteAssetsOfVersion(db: Db, versionId: number): void {
  sql(db, 'DELETE FROM asset WHERE version_id = ?').run(versionId);
}

/** Of the given digests, the ones no asset row refers to any more. */
export function unreferencedDigests(db: Db, digests: string[]): string[] {
  const check = sql(db, 'SELECT 1 FROM asset WHERE sha256 = ? LIMIT 1');
  return digests.filter((d) => check.get(d) === undefined);
}

export function assetDigestsOfRepository(db: Db, repositoryId: number): string[] {
  return (
    sql(
      db,
      `SELECT DISTINCT a.sha256 FROM asset a JOIN package_version v ON v.id = a.version_id
         JOIN package p ON p.id = v.package_id WHERE p.repository_id = ?`,
    ).all(repositoryId) as { sha256: string }[]
  ).map((r) => r.sha256);
}
