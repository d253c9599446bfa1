import {
  AlreadyExistsError,
  GROUP_RESTRICTION_TYPES,
  type GroupRestrictionMode,
  type GroupRestrictionType,
  type PackageGroupRecord,
  type PackageGroupWrites,
} from '../ports.js';
import { isUniqueViolation, sql, type Db } from './connection.js';
import { nextSerial } from './serials.js';

interface Row {
  id: number;
  domainId: number;
  pattern: string;
  description: string | null;
  contactInfo: string | null;
  createdAt: number;
  publish: GroupRestrictionMode;
  external: GroupRestrictionMode;
  internal: GroupRestrictionMode;
}

const COLUMNS = `id, domain_id AS domainId, pattern, description, contact_info AS contactInfo, created_at AS createdAt,
  publish_mode AS publish, external_upstream_mode AS external, internal_upstream_mode AS internal`;
const MODE_COLUMN: Record<GroupRestrictionType, string> = {
  PUBLISH: 'publish_mode',
  EXTERNAL_UPSTREAM: 'external_upstream_mode',
  INTERNAL_UPSTREAM: 'internal_upstream_mode',
};

export function sqlitePackageGroups(db: Db): PackageGroupWrites {
  const allowedOf = (groupIds: number[]) => {
    const rows = sql(
      db,
      `SELECT group_id AS groupId, restriction_type AS type, repository_name AS name FROM package_group_allowed_repository
        WHERE group_id IN (SELECT value FROM json_each(?)) ORDER BY repository_name`,
    ).all(JSON.stringify(groupIds)) as { groupId: number; type: GroupRestrictionType; name: string }[];
    const out = new Map<number, Record<GroupRestrictionType, string[]>>();
    for (const id of groupIds) out.set(id, { PUBLISH: [], EXTERNAL_UPSTREAM: [], INTERNAL_UPSTREAM: [] });
    for (const r of rows) out.get(r.groupId)![r.type].push(r.name);
    return out;
  };
  const records = (rows: Row[]): PackageGroupRecord[] => {
    const allowed = allowedOf(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      domainId: r.domainId,
      pattern: r.pattern,
      description: r.description,
      contactInfo: r.contactInfo,
      createdAt: r.createdAt,
      modes: { PUBLISH: r.publish, EXTERNAL_UPSTREAM: r.external, INTERNAL_UPSTREAM: r.internal },
      allowedRepositories: allowed.get(r.id)!,
    }));
  };
  const touch = (domainId: number) =>
    sql(db, 'UPDATE domain SET groups_serial = ? WHERE id = ?').run(nextSerial(db), domainId);
  const domainOf = (id: number) =>
    (sql(db, 'SELECT domain_id AS domainId FROM package_group WHERE id = ?').get(id) as { domainId: number } | undefined)
      ?.domainId;
  const find: PackageGroupWrites['find'] = async (domainId, pattern) =>
    records(sql(db, `SELECT ${COLUMNS} FROM package_group WHERE domain_id = ? AND pattern = ?`).all(domainId, pattern) as Row[])[0];

  return {
    list: async (domainId) =>
      records(sql(db, `SELECT ${COLUMNS} FROM package_group WHERE domain_id = ? ORDER BY pattern`).all(domainId) as Row[]),
    find,
    create: async (g) => {
      try {
        sql(
          db,
          `INSERT INTO package_group (domain_id, pattern, description, contact_info, created_at, publish_mode,
             external_upstream_mode, internal_upstream_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(g.domainId, g.pattern, g.description, g.contactInfo, g.createdAt, g.modes.PUBLISH, g.modes.EXTERNAL_UPSTREAM, g.modes.INTERNAL_UPSTREAM);
      } catch (err) {
        if (isUniqueViolation(err)) throw new AlreadyExistsError(`package group ${g.pattern}`);
        throw err;
      }
      touch(g.domainId);
      return (await find(g.domainId, g.pattern))!;
    },
    update: async (id, fields) => {
      if (fields.description !== undefined) sql(db, 'UPDATE package_group SET description = ? WHERE id = ?').run(fields.description, id);
      if (fields.contactInfo !== undefined) sql(db, 'UPDATE package_group SET contact_info = ? WHERE id = ?').run(fields.contactInfo, id);
    },
    setOrigin: async (id, modes, allowed) => {
      for (const type of GROUP_RESTRICTION_TYPES)
        sql(db, `UPDATE package_group SET ${MODE_COLUMN[type]} = ? WHERE id = ?`).run(modes[type], id);
      sql(db, 'DELETE FROM package_group_allowed_repository WHERE group_id = ?').run(id);
      const insert = sql(
        db,
        'INSERT INTO package_group_allowed_repository (group_id, restriction_type, repository_name) VALUES (?, ?, ?)',
      );
      for (const type of GROUP_RESTRICTION_TYPES) for (const name of new Set(allowed[type])) insert.run(id, type, name);
      const domainId = domainOf(id);
      if (domainId !== undefined) touch(domainId);
    },
    delete: async (id) => {
      const domainId = domainOf(id);
      sql(db, 'DELETE FROM package_group WHERE id = ?').run(id);
      if (domainId !== undefined) touch(domainId);
    },
  };
}
