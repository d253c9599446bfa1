import type { Db } from './db.js';
import { sql } from './statements.js';

export type TaggedResource = { type: 'domain' | 'repository'; id: number };

export function listTags(db: Db, r: TaggedResource): { key: string; value: string }[] {
  return sql(db, 'SELECT key, value FROM tag WHERE resource_type = ? AND resource_id = ? ORDER BY key').all(
    r.type,
    r.id,
  ) as { key: string; value: string }[];
}

export function countTags(db: Db, r: TaggedResource): number {
  return (sql(db, 'SELECT count(*) AS n FROM tag WHERE resource_type = ? AND resource_id = ?').get(r.type, r.id) as {
    n: number;
  }).n;
}

export function putTags(db: Db, r: TaggedResource, tags: { key: string; value: string }[]): void {
  const upsert = sql(
    db,
    `INSERT INTO tag (resource_type, resource_id, key, value) VALUES (?, ?, ?, ?)
     ON CONFLICT (resource_type, resource_id, key) DO UPDATE SET value = excluded.value`,
  );
  for (const t of tags) upsert.run(r.type, r.id, t.key, t.value);
}

export function removeTags(db: Db, r: TaggedResource, keys: string[]): void {
  const del = sql(db, 'DELETE FROM tag WHERE resource_type = ? AND resource_id = ? AND key = ?');
  for (const k of keys) del.run(r.type, r.id, k);
}

export function removeAllTags(db: Db, r: TaggedResource): void {
  sql(db, 'DELETE FROM tag WHERE resource_type = ? AND resource_id = ?').run(r.type, r.id);
}
