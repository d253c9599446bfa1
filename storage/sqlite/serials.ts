// The change serial (see migrations/002): one counter for the whole store, drawn inside the write
// transaction that changes something a cached page shows, so a value is never handed out twice.
import { sql, type Db } from './connection.js';

export function nextSerial(db: Db): number {
  return (sql(db, 'UPDATE change_serial SET value = value + 1 WHERE id = 1 RETURNING value').get() as { value: number })
    .value;
}

/** A package changed: new serials for it and for its repository's project list. */
export function touchPackage(db: Db, packageId: number): void {
  const serial = nextSerial(db);
  sql(db, 'UPDATE package SET last_serial = ? WHERE id = ?').run(serial, packageId);
  sql(db, 'UPDATE repository SET content_serial = ? WHERE id = (SELECT repository_id FROM package WHERE id = ?)').run(
    serial,
    packageId,
  );
}

export function touchPackageOfVersion(db: Db, versionId: number): void {
  const row = sql(db, 'SELECT package_id AS id FROM package_version WHERE id = ?').get(versionId) as
    | { id: number }
    | undefined;
  if (row) touchPackage(db, row.id);
}

export function touchRepositoryContent(db: Db, repositoryId: number): void {
  sql(db, 'UPDATE repository SET content_serial = ? WHERE id = ?').run(nextSerial(db), repositoryId);
}
