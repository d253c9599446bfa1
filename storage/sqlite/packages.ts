import type { IndexEntry, PackageRecord, PackageWrites } from '../ports.js';
import { sql, type Db } from './connection.js';
import { nextSerial, touchPackage, touchRepositoryContent } from './serials.js';

const COLUMNS = `p.id, p.repository_id AS repositoryId, p.format, p.namespace, p.name,
  p.normalized_name AS normalizedName, p.publish, p.upstream, p.last_serial AS lastSerial`;

/** SQLite's BINARY order of TEXT: UTF-8 bytes. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * The least string greater than every string that starts with `prefix`: its last code point plus one.
 * Undefined when there is none (it ends in U+10FFFF); the prefix is then a lower bound only.
 */
export function successor(prefix: string): string | undefined {
  const points = Array.from(prefix);
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return undefined;
  return points.join('') + String.fromCodePoint(last + 1 === 0xd800 ? 0xe000 : last + 1); // no code points in between
}

export function sqlitePackages(db: Db): PackageWrites {
  const find: PackageWrites['find'] = async (key) =>
    sql(
      db,
      `SELECT ${COLUMNS} FROM package p
        WHERE p.repository_id = ? AND p.format = ? AND p.namespace = ? AND p.normalized_name = ?`,
    ).get(key.repositoryId, key.format, key.namespace, key.normalizedName) as PackageRecord | undefined;
  return {
    find,
    findById: async (id) => sql(db, `SELECT ${COLUMNS} FROM package p WHERE p.id = ?`).get(id) as PackageRecord | undefined,
    findInRepositories: async (repositoryIds, key) =>
      sql(
        db,
        `SELECT ${COLUMNS} FROM package p
          WHERE p.repository_id IN (SELECT value FROM json_each(?))
            AND p.format = ? AND p.namespace = ? AND p.normalized_name = ?`,
      ).all(JSON.stringify(repositoryIds), key.format, key.namespace, key.normalizedName) as PackageRecord[],
    list: async (filter, after, limit) => {
      let [afterName, afterFormat, afterNamespace] = after ?? ['', '', ''];
      // A name prefix is a range of the index, [prefix, its successor): the page starts at the prefix (or
      // after the cursor, whichever is later) and stops at its end, whatever the repository holds around it.
      const prefix = filter.prefix || undefined;
      if (prefix !== undefined && byteOrder(afterName, prefix) < 0) [afterName, afterFormat, afterNamespace] = [prefix, '', ''];
      const prefixEnd = prefix === undefined ? undefined : successor(prefix);
      return sql(
        db,
        `SELECT ${COLUMNS} FROM package p
          WHERE p.repository_id = :repositoryId
            AND (:format IS NULL OR p.format = :format)
            AND (:namespace IS NULL OR substr(p.namespace, 1, length(:namespace)) = :namespace)
            AND (:prefix IS NULL OR substr(p.normalized_name, 1, length(:prefix)) = :prefix)
            AND (:publish IS NULL OR p.publish = :publish)
            AND (:upstream IS NULL OR p.upstream = :upstream)
            AND (p.normalized_name, p.format, p.namespace) > (:afterName, :afterFormat, :afterNamespace)
            ${prefixEnd === undefined ? '' : 'AND p.normalized_name < :prefixEnd'}
          ORDER BY p.normalized_name, p.format, p.namespace LIMIT :limit`,
      ).all({
        ...(prefixEnd === undefined ? {} : { prefixEnd }),
        repositoryId: filter.repositoryId,
        format: filter.format ?? null,
        namespace: filter.namespace ?? null,
        prefix: prefix ?? null,
        publish: filter.publish ?? null,
        upstream: filter.upstream ?? null,
        afterName,
        afterFormat,
        afterNamespace,
        limit,
      }) as PackageRecord[];
    },
    // A range of the covering index package_for_index (migrations/005); BINARY collation compares UTF-8
    // bytes, the order the port promises.
    listForIndex: async (repositoryId, format, listedStatuses, after, limit) =>
      (
        sql(
          db,
          `SELECT p.namespace, p.normalized_name AS normalizedName, p.upstream,
                  EXISTS (SELECT 1 FROM package_version v WHERE v.package_id = p.id
                     AND v.status IN (SELECT value FROM json_each(?))) AS listed
             FROM package p
            WHERE p.repository_id = ? AND p.format = ? AND (p.namespace, p.normalized_name) > (?, ?)
            ORDER BY p.namespace, p.normalized_name LIMIT ?`,
        ).all(JSON.stringify(listedStatuses), repositoryId, format, after?.[0] ?? '', after?.[1] ?? '', limit) as (Omit<
          IndexEntry,
          'listed'
        > & { listed: number })[]
      ).map((row) => ({ ...row, listed: row.listed === 1 })),
    findOrCreate: async (p) => {
      const existing = await find(p);
      if (existing) return existing;
      const serial = nextSerial(db);
      sql(
        db,
        `INSERT INTO package (repository_id, format, namespace, name, normalized_name, publish, upstream, last_serial)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (repository_id, format, namespace, normalized_name) DO NOTHING`,
      ).run(p.repositoryId, p.format, p.namespace, p.name, p.normalizedName, p.publish, p.upstream, serial);
      touchRepositoryContent(db, p.repositoryId);
      return (await find(p))!;
    },
    setOrigin: async (id, r) => {
      sql(db, 'UPDATE package SET publish = ?, upstream = ? WHERE id = ?').run(r.publish, r.upstream, id);
      touchPackage(db, id);
    },
    listInDomain: async (domainId, after, limit) => {
      const [afterFormat, afterNamespace, afterName] = after ?? ['', '', ''];
      return sql(
        db,
        `SELECT p.format, p.namespace, p.normalized_name AS normalizedName, min(p.name) AS name
           FROM package p JOIN repository r ON r.id = p.repository_id
          WHERE r.domain_id = ? AND (p.format, p.namespace, p.normalized_name) > (?, ?, ?)
          GROUP BY p.format, p.namespace, p.normalized_name
          ORDER BY p.format, p.namespace, p.normalized_name LIMIT ?`,
      ).all(domainId, afterFormat, afterNamespace, afterName, limit) as {
        format: string;
        namespace: string;
        normalizedName: string;
        name: string;
      }[];
    },
    delete: async (id) => {
      const row = sql(db, 'SELECT repository_id AS repositoryId FROM package WHERE id = ?').get(id) as
        | { repositoryId: number }
        | undefined;
      sql(db, 'DELETE FROM package WHERE id = ?').run(id);
      if (row) touchRepositoryContent(db, row.repositoryId);
    },
  };
}
