// What external sources list for a project, fetched on demand and kept for a while (AWS keeps a metadata
// cache of public repositories too): a fresh listing is reused for `ttlMs`; when the source fails, the last
// good listing is used and the failure logged; one fetch at a time per project and source.
import { createHash } from 'node:crypto';
import type { ExternalFile, ExternalSources } from '../../storage/ports.js';

export interface Listing {
  /** undefined: the source has no such project (or no source is configured). */
  files: ExternalFile[] | undefined;
  /** Identifies the listing's content, for page cache keys. */
  digest: string;
  /** Epoch ms until which the same listing would be returned (Infinity: no source, nothing to refresh). */
  freshUntil: number;
}

interface Entry {
  listing: Listing;
  fetchedAt: number;
}

const MAX_ENTRIES = 10_000;
const NONE: Listing = { files: undefined, digest: '-', freshUntil: Infinity };

export class ExternalListings {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Listing>>();
  private readonly unconfiguredLogged = new Set<string>();

  constructor(
    private readonly sources: ExternalSources,
    private readonly ttlMs: number,
    private readonly log: (message: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether a connection has a source at all (without one it exists but finds nothing). */
  configured(connection: string): boolean {
    return this.sources.sourceFor(connection) !== undefined;
  }

  get(connection: string, format: string, normalizedName: string): Promise<Listing> {
    const source = this.sources.sourceFor(connection);
    if (!source) {
      if (!this.unconfiguredLogged.has(connection)) {
        this.unconfiguredLogged.add(connection);
        this.log(`external connection ${connection} has no source configured (--external ${connection}=URL): it finds nothing`);
      }
      return Promise.resolve(NONE);
    }
    const key = `${connection}\u0000${format}\u0000${normalizedName}`;
    const cached = this.entries.get(key);
    if (cached && this.clock() - cached.fetchedAt < this.ttlMs) return Promise.resolve(cached.listing);
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = source
        .projectFiles(format, normalizedName)
        .then((files) => {
          const fetchedAt = this.clock();
          const listing = { files, digest: digestOf(files), freshUntil: fetchedAt + this.ttlMs };
          this.entries.delete(key);
          if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
          this.entries.set(key, { listing, fetchedAt });
          return listing;
        })
        .catch((err: Error) => {
          this.log(`external connection ${connection} (${source.description}): ${normalizedName}: ${err.message}`);
          // A stale listing (or none) stands in while the source is down: fresh for nobody, refetched next time.
          return cached ? { ...cached.listing, freshUntil: 0 } : { ...NONE, freshUntil: 0 };
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  source(connection: string) {
    return this.sources.sourceFor(connection);
  }
}

function digestOf(files: ExternalFile[] | undefined): string {
  if (!files) return '-';
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.filename}\u0000${f.sha256 ?? ''}\u0000${f.requiresPython ?? ''}\u0000${f.yanked ?? '\u0001'}\n`);
  return h.digest('base64url').slice(0, 16);
}
