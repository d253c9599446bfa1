import { AlreadyExistsError, type RepositoryRecord, type RepositoryWrites } from '../ports.js';
import { isUniqueViolation, sql, type Db } from './connection.js';
import { nextSerial } from './serials.js';

const COLUMNS = `r.id, r.domain_id AS domainId, d.name AS domainName, d.owner AS domainOwner, r.name,
  r.description, r.administrator_account AS administratorAccount, r.created_at AS createdAt,
  r.config_serial AS configSerial, r.content_serial AS contentSerial, d.groups_serial AS domainGroupsSerial`;
const FROM = 'FROM repository r JOIN domain d ON d.id = r.domain_id';

export function sqliteRepositories(db: Db): RepositoryWrites {
  const findById = async (id: number) =>
    sql(db, `SELECT ${COLUMNS} ${FROM} WHERE r.id = ?`).get(id) as RepositoryRecord | undefined;
  return {
    find: async (domainId, name) =>
      sql(db, `SELECT ${COLUMNS} ${FROM} WHERE r.domain_id = ? AND r.name = ?`).get(domainId, name) as
        | RepositoryRecord
        | undefined,
    findById,
    upstreams: async (id) =>
      sql(
        db,
        `SELECT ${COLUMNS} FROM repository_upstream ru JOIN repository r ON r.id = ru.upstream_id
           JOIN domain d ON d.id = r.domain_id WHERE ru.repository_id = ? ORDER BY ru.position`,
      ).all(id) as RepositoryRecord[],
    downstreamNames: async (id) =>
      (
        sql(
          db,
          `SELECT r.name FROM repository_upstream ru JOIN repository r ON r.id = ru.repository_id
            WHERE ru.upstream_id = ? ORDER BY r.name`,
        ).all(id) as { name: string }[]
      ).map((r) => r.name),
    externalConnections: async (id) =>
      sql(db, 'SELECT name, format FROM external_connection WHERE repository_id = ? ORDER BY name').all(id) as {
        name: string;
        format: string;
      }[],
    list: async (filter, after, limit) => {
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
      }) as RepositoryRecord[];
    },
    blobDigests: async (id) =>
      (
        sql(
          db,
          `SELECT DISTINCT a.sha256 FROM asset a JOIN package_version v ON v.id = a.version_id
             JOIN package p ON p.id = v.package_id WHERE p.repository_id = ?`,
        ).all(id) as { sha256: string }[]
      ).map((r) => r.sha256),
    create: async (r) => {
      try {
        const serial = nextSerial(db);
        const result = sql(
          db,
          `INSERT INTO repository (domain_id, name, description, administrator_account, created_at,
             config_serial, content_serial) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(r.domainId, r.name, r.description, r.administratorAccount, r.createdAt, serial, serial);
        return (await findById(Number(result.lastInsertRowid)))!;
      } catch (err) {
        if (isUniqueViolation(err)) throw new AlreadyExistsError(`repository ${r.name}`);
        throw err;
      }
    },
    setDescription: async (id, description) => {
      sql(db, 'UPDATE repository SET description = ? WHERE id = ?').run(description, id);
    },
    setUpstreams: async (id, upstreamIds) => {
      sql(db, 'DELETE FROM repository_upstream WHERE repository_id = ?').run(id);
      const insert = sql(db, 'INSERT INTO repository_upstream (repository_id, position, upstream_id) VALUES (?, ?, ?)');
      upstreamIds.forEach((upstreamId, position) => insert.run(id, position, upstreamId));
      sql(db, 'UPDATE repository SET config_serial = ? WHERE id = ?').run(nextSerial(db), id);
    },
    addExternalConnection: async (id, c) => {
      sql(db, 'INSERT INTO external_connection (repository_id, name, format) VALUES (?, ?, ?)').run(id, c.name, c.format);
      sql(db, 'UPDATE repository SET config_serial = ? WHERE id = ?').run(nextSerial(db), id);
    },
    removeExternalConnection: async (id, name) => {
      sql(db, 'DELETE FROM external_connection WHERE repository_id = ? AND name = ?').run(id, name);
      sql(db, 'UPDATE repository SET config_serial = ? WHERE id = ?').run(nextSerial(db), id);
    },
    delete: async (id) => {
      sql(db, 'DELETE FROM repository WHERE id = ?').run(id);
      nextSerial(db);
    },
  };
}
