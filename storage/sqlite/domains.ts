import { AlreadyExistsError, type DomainRecord, type DomainWrites } from '../ports.js';
import { isUniqueViolation, sql, type Db } from './connection.js';
import { nextSerial } from './serials.js';

const COLUMNS = `d.id, d.owner, d.name, d.encryption_key AS encryptionKey, d.created_at AS createdAt`;

export function sqliteDomains(db: Db): DomainWrites {
  const findById = async (id: number) =>
    sql(db, `SELECT ${COLUMNS} FROM domain d WHERE d.id = ?`).get(id) as DomainRecord | undefined;
  return {
    find: async (owner, name) =>
      sql(db, `SELECT ${COLUMNS} FROM domain d WHERE d.owner = ? AND d.name = ?`).get(owner, name) as
        | DomainRecord
        | undefined,
    findById,
    list: async (after, limit) => {
      const [name, owner] = after ?? ['', ''];
      return sql(
        db,
        `SELECT ${COLUMNS} FROM domain d WHERE (d.name, d.owner) > (?, ?) ORDER BY d.name, d.owner LIMIT ?`,
      ).all(name, owner, limit) as DomainRecord[];
    },
    counts: async (id) =>
      sql(
        db,
        `SELECT (SELECT count(*) FROM repository r WHERE r.domain_id = :id) AS repositoryCount,
                (SELECT coalesce(sum(a.size), 0) FROM asset a
                   JOIN package_version v ON v.id = a.version_id
                   JOIN package p ON p.id = v.package_id
                   JOIN repository r ON r.id = p.repository_id
                  WHERE r.domain_id = :id) AS assetSizeBytes`,
      ).get({ id }) as { repositoryCount: number; assetSizeBytes: number },
    create: async (d) => {
      try {
        const r = sql(db, 'INSERT INTO domain (owner, name, encryption_key, created_at) VALUES (?, ?, ?, ?)').run(
          d.owner,
          d.name,
          d.encryptionKey,
          d.createdAt,
        );
        const id = Number(r.lastInsertRowid);
        // Every domain has its root package group, allowing everything.
        sql(
          db,
          `INSERT INTO package_group (domain_id, pattern, created_at, publish_mode, external_upstream_mode,
             internal_upstream_mode) VALUES (?, '/*', ?, 'ALLOW', 'ALLOW', 'ALLOW')`,
        ).run(id, d.createdAt);
        return (await findById(id))!;
      } catch (err) {
        if (isUniqueViolation(err)) throw new AlreadyExistsError(`domain ${d.name}`);
        throw err;
      }
    },
    delete: async (id) => {
      sql(db, 'DELETE FROM domain WHERE id = ?').run(id);
      nextSerial(db);
    },
  };
}
