// The projects a repository's index lists: those with a listed version in the repository or in a repository
// its upstreams reach, where no repository on the way blocks the package's upstreams. Produced a batch at a
// time, in name order, from keyset pages of each repository of the chain merged as they are read: a list of
// 100,000 projects is never held whole, and its first names are known after one page per repository.
import type { PackageFormatModule } from '../formats/index.js';
import type { RepositoryRecord, StoreReads } from '../../storage/ports.js';
import { chainKey, searchOrder, upstreamChain, type UpstreamChain } from './chain.js';
import { LISTED_STATUSES } from './statuses.js';

export interface ProjectListView {
  chain: UpstreamChain;
  /** Changes whenever any package of any repository of the chain, or the chain itself, does. */
  cacheKey: string;
}

export async function resolveProjectList(
  store: StoreReads,
  repository: RepositoryRecord,
  format: PackageFormatModule,
): Promise<ProjectListView> {
  const chain = await upstreamChain(store, repository);
  const content = chain.repositories.map((r) => r.contentSerial).join('.');
  return { chain, cacheKey: [format.name, chainKey(chain), content].join('|') };
}

export interface ListedProject {
  namespace: string;
  normalizedName: string;
}

/** Rows read per query: one page of the store's keyset listing. */
export const PROJECT_PAGE_SIZE = 1000;

/**
 * Code point order (the UTF-8 byte order storage sorts by), not JavaScript's UTF-16 code unit order: the two
 * differ where a character beyond U+FFFF (a surrogate pair) meets one in U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const rank = (c: number) => (c >= 0xe000 ? c - 0x800 : c >= 0xd800 ? c + 0x2000 : c);
    return rank(x) - rank(y);
  }
  return a.length - b.length;
}

const compareProjects = (a: ListedProject, b: ListedProject) =>
  a.namespace === b.namespace ? compareCodePoints(a.normalizedName, b.normalizedName) : compareCodePoints(a.namespace, b.namespace);

interface Row {
  namespace: string;
  normalizedName: string;
  blocksUpstream: boolean;
  listed: boolean;
}

/** One repository's packages of the format, in order, read a page at a time as the merge consumes them. */
class RepositoryCursor {
  private rows: Row[] = [];
  private at = 0;
  private exhausted = false;
  private after: [string, string] | undefined;

  constructor(
    private readonly store: StoreReads,
    readonly repository: RepositoryRecord,
    private readonly format: string,
    private readonly pageSize: number,
  ) {}

  /** The next row without taking it; undefined once the repository has no more. */
  async peek(): Promise<Row | undefined> {
    if (this.at < this.rows.length) return this.rows[this.at];
    if (this.exhausted) return undefined;
    const page = await this.store.packages.listForIndex(this.repository.id, this.format, LISTED_STATUSES, this.after, this.pageSize);
    this.exhausted = page.length < this.pageSize;
    this.rows = page.map(({ pkg, listed }) => ({
      namespace: pkg.namespace,
      normalizedName: pkg.normalizedName,
      blocksUpstream: pkg.upstream === 'BLOCK',
      listed,
    }));
    this.at = 0;
    const last = this.rows[this.rows.length - 1];
    if (last) this.after = [last.namespace, last.normalizedName];
    return this.rows[0];
  }

  /** The rows left in the current page (the whole page is a batch the merge can take at once). */
  takePage(): Row[] {
    const rest = this.at === 0 ? this.rows : this.rows.slice(this.at);
    this.at = this.rows.length;
    return rest;
  }

  take(): void {
    this.at++;
  }
}

/**
 * The visible projects in order (namespace, then normalized name), in batches of about `pageSize`. Each
 * batch costs one query per repository of the chain at most; a caller that stops early reads no further.
 */
export async function* visibleProjectBatches(
  store: StoreReads,
  view: ProjectListView,
  format: PackageFormatModule,
  pageSize = PROJECT_PAGE_SIZE,
): AsyncGenerator<ListedProject[]> {
  const cursors = view.chain.repositories.map((r) => new RepositoryCursor(store, r, format.name, pageSize));
  if (cursors.length === 1) {
    // One repository: a package is visible exactly when it has a listed version there.
    const only = cursors[0]!;
    while (await only.peek()) {
      const batch = only.takePage().filter((r) => r.listed);
      if (batch.length > 0) yield batch.map(({ namespace, normalizedName }) => ({ namespace, normalizedName }));
    }
    return;
  }
  let batch: ListedProject[] = [];
  for (;;) {
    // The smallest name at the head of any repository, and the records each repository has of it.
    let next: Row | undefined;
    const heads: (Row | undefined)[] = [];
    for (const c of cursors) {
      const head = await c.peek();
      heads.push(head);
      if (head && (!next || compareProjects(head, next) < 0)) next = head;
    }
    if (!next) break;
    const records = new Map<number, Row>();
    heads.forEach((head, i) => {
      if (head && compareProjects(head, next) === 0) {
        records.set(cursors[i]!.repository.id, head);
        cursors[i]!.take();
      }
    });
    const order = searchOrder(view.chain, (id) => records.get(id)?.blocksUpstream ?? false);
    if (order.some((r) => records.get(r.id)?.listed)) batch.push({ namespace: next.namespace, normalizedName: next.normalizedName });
    if (batch.length >= pageSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
