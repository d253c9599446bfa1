// The storage composition: which implementation of the ports serves a data dir. Today one: SQLite for
// metadata (DATA_DIR/codeartifact.db) and a local folder for blobs (DATA_DIR/blobs). A shared backend is
// chosen here too, when there is one; nothing else names an implementation.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { openLocalBlobStore } from './localBlobs/blobStore.js';
import type { Store } from './ports.js';
export { ExternalSourceConfigError, openExternalSources } from './external/index.js';
import { openSqliteStore } from './sqlite/store.js';

export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  return openSqliteStore(path.join(dataDir, 'codeartifact.db'), openLocalBlobStore(dataDir));
}
