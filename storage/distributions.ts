// Read models for package-format endpoints: the files of one package with what an index page shows,
// in one query over the package's own rows (never a scan of the repository).
import type { Db } from './db.js';
import { sql } from './statements.js';
import type { VersionStatus } from './versions.js';

export interface DistributionFile {
  assetId: number;
  filename: string;
  version: string;
  status: VersionStatus;
  size: number;
  sha256: string;
  requiresPython: string | null;
  coreMetadataSha256: string | null;
  uploadedAt: number;
}

const SELECT_FILES = `SELECT a.id AS assetId, a.name AS filename, v.version, v.status, a.size, a.sha256,
    v.requires_python AS requiresPython, a.core_metadata_sha256 AS coreMetadataSha256, a.created_at AS uploadedAt
  FROM package_version v JOIN asset a ON a.version_id = v.id`;

export function listDistributionFiles(db: Db, packageId: number): DistributionFile[] {
  return sql(
    db,
    `${SELECT_FILES} WHERE v.package_id = ? ORDER BY a.name`,
  ).all(packageId) as DistributionFile[];
}

export function findDistributionFile(
  db: Db,
  packageId: number,
  version: string,
  filename: string,
): DistributionFile | undefined {
  return sql(
    db,
    `${SELECT_FILES} WHERE v.package_id = ? AND v.version = ? AND a.name = ?`,
  ).get(packageId, version, filename) as DistributionFile | undefined;
}
