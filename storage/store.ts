// The whole of persistent state: the database, the blob store, and the server's own secret.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openBlobStore, type BlobStore } from './blobs.js';
import { openDatabase, type Db } from './db.js';
import { sql } from './statements.js';

export interface Store {
  readonly db: Db;
  readonly blobs: BlobStore;
  /** Signs pagination tokens; kept in the database so tokens outlive a restart. */
  readonly secret: string;
  close(): void;
}

function loadSecret(db: Db): string {
  const row = sql(db, "SELECT value FROM meta WHERE key = 'secret'").get() as { value: string } | undefined;
  if (row) return row.value;
  const secret = randomBytes(32).toString('hex');
  sql(db, "INSERT INTO meta (key, value) VALUES ('secret', ?)").run(secret);
  return secret;
}

export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(path.join(dataDir, 'codeartifact.db'));
  const blobs = openBlobStore(dataDir);
  const secret = loadSecret(db);
  return { db, blobs, secret, close: () => db.close() };
}

/** Runs `fn` in one transaction: all of its writes commit together or not at all. */
export function transaction<T>(store: Store, fn: () => T): T {
  return store.db.transaction(fn)();
}
