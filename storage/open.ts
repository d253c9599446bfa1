// The storage composition: which implementation of the ports serves a data dir. Today one: SQLite for
// metadata (DATA_DIR/codeartifact.db) and a local folder for blobs (DATA_DIR/blobs). A shared backend is
// chosen here too, when there is one; nothing else names an implementation.
import path from 'node:path';
import { openLocalBlobStore } from './localBlobs/blobStore.js';
import { ensureWritableDir } from './localDirs.js';
import type { Store } from './ports.js';
export { ExternalSourceConfigError, openExternalSources } from './external/index.js';
import { openSqliteStore } from './sqlite/store.js';

/**
 * Throws StorageUnavailableError (one sentence) when the data dir, blobs/ or tmp/ cannot be created or
 * written, before anything is opened: the database keeps its journal beside it, so it must be writable too.
 */
export function openStore(dataDir: string): Store {
  ensureWritableDir(dataDir, 'data dir');
  return openSqliteStore(path.join(dataDir, 'codeartifact.db'), openLocalBlobStore(dataDir));
}
