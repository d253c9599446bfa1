import type { Db } from './db.js';
import { sql } from './statements.js';

export interface DomainRow {
  id: number;
  owner: string;
  name: string;
  encryptionKey: string | null;
  createdAt: number;
}

export interface DomainCounts {
  repositoryCount: number;
  assetSizeBytes: number;
}

const COLUMNS = `d.id, d.owner, d.name, d.encryption_key AS encryptionKey, d.created_at AS createdAt`;

/**
 * Counted when asked (DescribeDomain, ListDomains), never on a plain lookup: every package-endpoint
 * request looks its domain up, and the asset total grows with the domain.
 */
export function domainCounts(db: Db, id: number): DomainCounts {
  return sql(
    db,
    `SELECT (SELECT count(*) FROM repository r WHERE r.domain_id = :id) AS repositoryCount,
            (SELECT coalesce(sum(a.size), 0) FROM asset a
               JOIN package_version v ON v.id = a.version_id
               JOIN package p ON p.id = v.package_id
               JOIN repository r ON r.id = p.repository_id
              WHERE r.domain_id = :id) AS assetSizeBytes`,
  ).get({ id }) as DomainCounts;
}

export function findDomain(db: Db, owner: string, name: string): DomainRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM domain d WHERE d.owner = ? AND d.name = ?`).get(owner, name) as
    | DomainRow
    | undefined;
}

export function findDomainById(db: Db, id: number): DomainRow | undefined {
  return sql(db, `SELECT ${COLUMNS} FROM domain d WHERE d.id = ?`).get(id) as DomainRow | undefined;
}

export function insertDomain(
  db: Db,
  row: { owner: string; name: string; encryptionKey: string | null; createdAt: number },
): number {
  const result = sql(
    db,
    'INSERT INTO domain (owner, name, encryption_key, created_at) VALUES (?, ?, ?, ?)',
  ).run(row.owner, row.name, row.encryptionKey, row.createdAt);
  return Number(result.lastInsertRowid);
}

export function deleteDomainRow(db: Db, id: number): void {
  sql(db, 'DELETE FROM domain WHERE id = ?').run(id);
}

/** Domains ordered by name, then owner; `after` is the [name, owner] of the last one already returned. */
export function listDomainRows(db: Db, after: [string, string] | undefined, limit: number): DomainRow[] {
  const [name, owner] = after ?? ['', ''];
  return sql(
    db,
    `SELECT ${COLUMNS} FROM domain d WHERE (d.name, d.owner) > (?, ?) ORDER BY d.name, d.owner LIMIT ?`,
  ).all(name, owner, limit) as DomainRow[];
}
