import type { TagRecord, TagWrites } from '../ports.js';
import { sql, type Db } from './connection.js';

export function sqliteTags(db: Db): TagWrites {
  return {
    list: async (r) =>
      sql(db, 'SELECT key, value FROM tag WHERE resource_type = ? AND resource_id = ? ORDER BY key').all(
        r.type,
        r.id,
      ) as TagRecord[],
    count: async (r) =>
      (sql(db, 'SELECT count(*) AS n FROM tag WHERE resource_type = ? AND resource_id = ?').get(r.type, r.id) as { n: number })
        .n,
    put: async (r, tags) => {
      const upsert = sql(
        db,
        `INSERT INTO tag (resource_type, resource_id, key, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (resource_type, resource_id, key) DO UPDATE SET value = excluded.value`,
      );
      for (const t of tags) upsert.run(r.type, r.id, t.key, t.value);
    },
    remove: async (r, keys) => {
      const del = sql(db, 'DELETE FROM tag WHERE resource_type = ? AND resource_id = ? AND key = ?');
      for (const k of keys) del.run(r.type, r.id, k);
    },
    removeAll: async (r) => {
      sql(db, 'DELETE FROM tag WHERE resource_type = ? AND resource_id = ?').run(r.type, r.id);
    },
  };
}
