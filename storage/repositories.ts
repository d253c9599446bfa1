import type { Db } from './db.js';
import { sql } from './statements.js';

export interface RepositoryRow {
  id: number;
  domainId: number;
  domainName: string;
  domainOwner: string;
  name: string;
  description: string | null;
  administratorAccount: string;
  createdAt: number;
}

const COLUMNS = `r.id, r.domain_id AS domainId, d.name AS domainName, d.owner AS domainOwner, r.name,
  r.description, r.administrator_account AS administratorAccount, r.created_at AS createdAt`;
const FROM = 'FROM repository r JOIN domain d ON d.id = r.domain_id';

export function findRepository(db: Db, domainId: number, name: string): RepositoryRow | undefined {
  return sql(db, `SELECT ${COLUMNS} ${FROM} WHERE r.domain_id = ? AND r.name = ?`).get(domainId, name) as
    | RepositoryRow
    | undefined;
}

export function insertRepository(
  db: Db,
  row: { domainId: number; name: string; description: string | null; administratorAccount: string; createdAt: number },
): number {
  const result = sql(
    db,
    `INSERT INTO repository (domain_id, name, description, administrator_account, created_at)
     VALUES (?, ?, ?, ?, ?)`,
  ).run(row.domainId, row.name, row.description, row.administratorAccount, row.createdAt);
  return Number(result.lastInsertRowid);
}

export function updateRepositoryDescription(db: Db, id: number, description: string | null): void {
  sql(db, 'UPDATE repository SET description = ? WHERE id = ?').run(description, id);
}

export function deleteRepositoryRow(db: Db, id: number): void {
  sql(db, 'DELETE FROM repository WHERE id = ?').run(id);
}

/** Upstream repository names of `id`, in priority order. */
export function listUpstreamNames(db: Db, id: number): string[] {
  return (
    sql(
      db,
      `SELECT u.name FROM repository_upstream ru JOIN repository u ON u.id = ru.upstream_id
        WHERE ru.repository_id = ? ORDER BY ru.position`,
    ).all(id) as { name: string }[]
  ).map((r) => r.name);
}

export function replaceUpstreams(db: Db, id: number, upstreamIds: number[]): void {
  sql(db, 'DELETE FROM repository_upstream WHERE repository_id = ?').run(id);
  const insert = sql(db, 'INSERT INTO repository_upstream (repository_id, position, upstream_id) VALUES (?, ?, ?)');
  upstreamIds.forEach((upstreamId, position) => insert.run(id, position, upstreamId));
}

/** Names of the repositories that list `id` as an upstream. */
export function listDownstreamNames(db: Db, id: number): string[] {
  return (
    sql(
      db,
      `SELECT r.name FROM repository_upstream ru JOIN repository r ON r.id = ru.repository_id
        WHERE ru.upstream_id = ? ORDER BY r.name`,
    ).all(id) as { name: string }[]
  ).map((r) => r.name);
}

export function listExternalConnections(db: Db, id: number): { name: string; format: string }[] {
  return sql(db, 'SELECT name, format FROM external_connection WHERE repository_id = ? ORDER BY name').all(
    id,
  ) as { name: string; format: string }[];
}

export interface RepositoryFilter {
  domainId?: number;
  administratorAccount?: string;
  prefix?: string;
}

/** Repositories ordered by name then id; `afterId` is the cursor of the previous page. */
export function listRepositoryRows(
  db: Db,
  filter: RepositoryFilter,
  after: [string, number] | undefined,
  limit: number,
): RepositoryRow[] {
  const [afterName, afterId] = after ?? ['', 0];
  return sql(
    db,
    `SELECT ${COLUMNS} ${FROM}
      WHERE (:domainId IS NULL OR r.domain_id = :domainId)
        AND (:admin IS NULL OR r.administrator_account = :admin)
        AND (:prefix IS NULL OR substr(r.name, 1, length(:prefix)) = :prefix)
        AND (r.name, r.id) > (:afterName, :afterId)
      ORDER BY r.name, r.id LIMIT :limit`,
  ).all({
    domainId: filter.domainId ?? null,
    admin: filter.administratorAccount ?? null,
    prefix: filter.prefix ?? null,
    afterName,
    afterId,
    limit,
  }) as RepositoryRow[];
}
