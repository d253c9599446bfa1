// The projects a repository's index lists: those with a listed version in the repository or in a repository
// its upstreams reach, where no repository on the way blocks the package's upstreams. Produced a batch at a
// time, in name order, from keyset pages of each repository of the chain merged as they are read: a list of
// 100,000 projects is never held whole, and its first names are known after one page per repository.
import type { PackageFormatModule } from '../formats/index.js';
import type { IndexEntry, RepositoryRecord, StoreReads } from '../../storage/ports.js';
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

/**
 * Rows read per query: a small first page (the first bytes of a long list wait for nothing more: at 100,000
 * packages a first page of 256 rows put the first byte at 2.0x a 100-package list's, 64 rows at 1.4x), then
 * larger ones.
 */
export const FIRST_PAGE_SIZE = 64;
export const PAGE_SIZE = 1024;

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

/** One repository's packages of the format, in order, read a page at a time as the merge consumes them. */
class RepositoryCursor {
  private rows: IndexEntry[] = [];
  private at = 0;
  private exhausted = false;
  private after: [string, string] | undefined;

  constructor(
    private readonly store: StoreReads,
    readonly repository: RepositoryRecord,
    private readonly format: string,
    private readonly sizes: PageSizes,
  ) {}

  /** The next row without taking it; undefined once the repository has no more. */
  async peek(): Promise<IndexEntry | undefined> {
    if (this.at < this.rows.length) return this.rows[this.at];
    if (this.exhausted) return undefined;
    const size = this.after === undefined ? this.sizes.first : this.sizes.rest;
    this.rows = await this.store.packages.listForIndex(this.repository.id, this.format, LISTED_STATUSES, this.after, size);
    this.exhausted = this.rows.length < size;
    this.at = 0;
    const last = this.rows[this.rows.length - 1];
    if (last) this.after = [last.namespace, last.normalizedName];
    return this.rows[0];
  }

  /** Whether rows may follow those already read (without reading them). */
  get more(): boolean {
    return this.at < this.rows.length || !this.exhausted;
  }

  /** The rows left in the current page (the whole page is a batch the merge can take at once). */
  takePage(): IndexEntry[] {
    const rest = this.at === 0 ? this.rows : this.rows.slice(this.at);
    this.at = this.rows.length;
    return rest;
  }

  take(): void {
    this.at++;
  }
}

export interface PageSizes {
  first: number;
  rest: number;
}

export interface ProjectBatch {
  projects: ListedProject[];
  /** False when this is the last batch; true when more may follow (the next may then be empty). */
  more: boolean;
}

/**
 * The visible projects in order (namespace, then normalized name), in batches: the first of about
 * `sizes.first`, the others of about `sizes.rest`. Each costs one query per repository of the chain at
 * most; a caller that stops early reads no further.
 */
export async function* visibleProjectBatches(
  store: StoreReads,
  view: ProjectListView,
  format: PackageFormatModule,
  sizes: PageSizes = { first: FIRST_PAGE_SIZE, rest: PAGE_SIZE },
): AsyncGenerator<ProjectBatch> {
  const cursors = view.chain.repositories.map((r) => new RepositoryCursor(store, r, format.name, sizes));
  const project = ({ namespace, normalizedName }: ListedProject) => ({ namespace, normalizedName });
  if (cursors.length === 1) {
    // One repository: a package is visible exactly when it has a listed version there.
    const only = cursors[0]!;
    while (await only.peek()) {
      const projects = only.takePage().filter((r) => r.listed).map(project);
      if (projects.length > 0 || !only.more) yield { projects, more: only.more };
    }
    return;
  }
  let batch: ListedProject[] = [];
  let limit = sizes.first;
  for (;;) {
    // The smallest name at the head of any repository, and the records each repository has of it.
    let next: IndexEntry | undefined;
    const heads: (IndexEntry | undefined)[] = [];
    for (const c of cursors) {
      const head = await c.peek();
      heads.push(head);
      if (head && (!next || compareProjects(head, next) < 0)) next = head;
    }
    if (!next) break;
    const records = new Map<number, IndexEntry>();
    heads.forEach((head, i) => {
      if (head && compareProjects(head, next) === 0) {
        records.set(cursors[i]!.repository.id, head);
        cursors[i]!.take();
      }
    });
    const order = searchOrder(view.chain, (id) => records.get(id)?.upstream === 'BLOCK');
    if (order.some((r) => records.get(r.id)?.listed)) batch.push(project(next));
    if (batch.length >= limit) {
      yield { projects: batch, more: cursors.some((c) => c.more) };
      batch = [];
      limit = sizes.rest;
    }
  }
  if (batch.length > 0) yield { projects: batch, more: false };
}
