// What the read path needs besides the store: the configured external sources and the caches in front of
// them and of package groups. Built once by the composition root and handed to every package endpoint.
import type { ExternalSources, Store } from '../../storage/ports.js';
import { ExternalListings } from './externalListings.js';
import { GroupTrees } from './groupTrees.js';

export interface ReadPath {
  store: Store;
  listings: ExternalListings;
  groups: GroupTrees;
  log(message: string): void;
}

export interface ReadPathOptions {
  /** How long an external source's listing of a project is reused. */
  listingTtlMs: number;
  log(message: string): void;
}

const NO_SOURCES: ExternalSources = { sourceFor: () => undefined };

export function createReadPath(store: Store, externals: ExternalSources = NO_SOURCES, options?: Partial<ReadPathOptions>): ReadPath {
  const log = options?.log ?? ((m: string) => console.log(m));
  return {
    store,
    listings: new ExternalListings(externals, options?.listingTtlMs ?? 5 * 60_000, log),
    groups: new GroupTrees(store),
    log,
  };
}
