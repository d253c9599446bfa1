// The SQLite implementation of the Store port: one file, two connections. Transactions run on the writer
// connection, one at a time per process (BEGIN IMMEDIATE also serialises them across processes); reads
// outside a transaction go to the reader connection, which in WAL mode sees only committed data, never a
// transaction in progress on the writer.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { MissingReferenceError, type BlobStore, type Store, type Transaction } from '../ports.js';
import { sqliteAssets } from './assets.js';
import { isForeignKeyViolation, migrate, openConnection, sql, type Db } from './connection.js';
import { sqliteDomains } from './domains.js';
import { sqlitePackageGroups } from './packageGroups.js';
import { sqlitePolicies } from './policies.js';
import { sqlitePackages } from './packages.js';
import { sqliteRepositories } from './repositories.js';
import { sqliteTags } from './tags.js';
import { sqliteTokens } from './tokens.js';
import { sqliteVersions } from './versions.js';

function aggregates(db: Db): Transaction {
  return {
    packageGroups: sqlitePackageGroups(db),
    policies: sqlitePolicies(db),
    domains: sqliteDomains(db),
    repositories: sqliteRepositories(db),
    packages: sqlitePackages(db),
    versions: sqliteVersions(db),
    assets: sqliteAssets(db),
    tokens: sqliteTokens(db),
    tags: sqliteTags(db),
  };
}

function loadSecret(db: Db): string {
  sql(db, "INSERT INTO meta (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING").run(
    randomBytes(32).toString('hex'),
  );
  return (sql(db, "SELECT value FROM meta WHERE key = 'secret'").get() as { value: string }).value;
}

export function openSqliteStore(file: string, blobs: BlobStore): Store {
  const writer = openConnection(file);
  migrate(writer);
  const reader = openConnection(file);
  const writes = aggregates(writer);
  const reads = aggregates(reader);
  const secret = loadSecret(writer);

  // The transaction the current async context runs in: a transaction started inside one joins it.
  const current = new AsyncLocalStorage<Transaction>();
  let queue: Promise<unknown> = Promise.resolve();

  async function run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    writer.exec('BEGIN IMMEDIATE');
    try {
      const result = await current.run(writes, () => work(writes));
      writer.exec('COMMIT');
      return result;
    } catch (err) {
      if (writer.inTransaction) writer.exec('ROLLBACK');
      throw isForeignKeyViolation(err) ? new MissingReferenceError((err as Error).message) : err;
    } finally {
      // Transactions run one at a time, so none is running now. On Node 20 an enabled AsyncLocalStorage keeps
      // async hooks on for every promise of every request (3-4% of a cached page); the next run() turns them
      // on again. And work left behind by this transaction that runs later no longer joins it (it is over):
      // it queues for a transaction of its own.
      current.disable();
    }
  }

  // Its own statement: pluck() would change a statement sql() shares.
  const readSerial = reader.prepare('SELECT value FROM change_serial WHERE id = 1').pluck();
  return {
    ...reads,
    blobs,
    secret,
    changeSerial: async () => readSerial.get() as number,
    transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      if (current.getStore()) return work(writes);
      const next = queue.then(
        () => run(work),
        () => run(work),
      );
      queue = next.catch(() => undefined);
      return next;
    },
    async health() {
      try {
        // Reads the file's header page: a database that was deleted, locked out or corrupted answers with an error.
        reader.pragma('user_version', { simple: true });
        return { problems: [] };
      } catch (err) {
        return { problems: [`the database does not answer: ${(err as Error).message}`] };
      }
    },
    async close() {
      await queue;
      reader.close();
      writer.close();
    },
  };
}
