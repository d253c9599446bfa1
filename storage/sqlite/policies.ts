import type { PolicyRecord, PolicyWrites } from '../ports.js';
import { sql, type Db } from './connection.js';

export function sqlitePolicies(db: Db): PolicyWrites {
  return {
    get: async (r) =>
      sql(db, 'SELECT document, revision FROM resource_policy WHERE resource_type = ? AND resource_id = ?').get(r.type, r.id) as
        | PolicyRecord
        | undefined,
    put: async (r, p) => {
      sql(
        db,
        `INSERT INTO resource_policy (resource_type, resource_id, document, revision) VALUES (?, ?, ?, ?)
         ON CONFLICT (resource_type, resource_id) DO UPDATE SET document = excluded.document, revision = excluded.revision`,
      ).run(r.type, r.id, p.document, p.revision);
    },
    delete: async (r) => {
      sql(db, 'DELETE FROM resource_policy WHERE resource_type = ? AND resource_id = ?').run(r.type, r.id);
    },
  };
}
