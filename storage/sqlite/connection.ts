// One better-sqlite3 connection: opened with the pragmas every connection needs, the schema brought up to
// date (storage/sqlite/migrations/NNN-name.sql, in order, one transaction each; PRAGMA user_version records
// the last one applied), and prepared statements compiled once per SQL text.
import Database, { type Statement } from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

/**
 * The .sql files live beside the sources; compiled code in dist/ looks them up there: this module as tsc emits
 * it (dist/storage/sqlite/), or inside the bundle that is dist/server/main.js (see package.json's build).
 */
function migrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'migrations'),
    path.join(here, '..', '..', '..', 'storage', 'sqlite', 'migrations'),
    path.join(here, '..', '..', 'storage', 'sqlite', 'migrations'),
  ];
  for (const dir of candidates) {
    try {
      if (readdirSync(dir).some((f) => f.endsWith('.sql'))) return dir;
    } catch {
      // try the next one
    }
  }
  throw new Error(`no migrations found near ${here}`);
}

export function migrate(db: Db): void {
  const dir = migrationsDir();
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}-.+\.sql$/.test(f))
    .sort();
  // IMMEDIATE: two processes starting on one new data dir must not both apply the same migration.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (const file of files) {
      const version = Number(file.slice(0, 3));
      if (version <= current) continue;
      db.exec(readFileSync(path.join(dir, file), 'utf8'));
      db.pragma(`user_version = ${version}`);
    }
  }).immediate();
}

export function openConnection(file: string, options: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false });
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

const cache = new WeakMap<Db, Map<string, Statement>>();

/** The prepared statement for `text` on `db`, compiled on first use. */
export function sql(db: Db, text: string): Statement {
  let byText = cache.get(db);
  if (!byText) cache.set(db, (byText = new Map()));
  let statement = byText.get(text);
  if (!statement) byText.set(text, (statement = db.prepare(text)));
  return statement;
}

/** SQLite's unique-constraint failure, turned into AlreadyExistsError by the aggregates. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** SQLite's foreign-key failure: a row refers to one another transaction deleted (MissingReferenceError). */
export function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
