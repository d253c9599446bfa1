// The projects a repository's index lists: those with a listed version in the repository or in a repository
// its upstreams reach, where no repository on the way blocks the package's upstreams.
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

/** Normalized names (with the namespace, '' for none), sorted. */
export async function visibleProjects(
  store: StoreReads,
  view: ProjectListView,
  format: PackageFormatModule,
): Promise<{ namespace: string; normalizedName: string }[]> {
  // name -> repository id -> [blocks upstream, has a listed version]
  const records = new Map<string, Map<number, [boolean, boolean]>>();
  for (const r of view.chain.repositories)
    for (const { pkg, listed } of await store.packages.listForIndex(r.id, format.name, LISTED_STATUSES)) {
      const name = `${pkg.namespace}\u0000${pkg.normalizedName}`;
      let byRepository = records.get(name);
      if (!byRepository) records.set(name, (byRepository = new Map()));
      byRepository.set(r.id, [pkg.upstream === 'BLOCK', listed]);
    }
  const visible: { namespace: string; normalizedName: string }[] = [];
  for (const [name, byRepository] of records) {
    const order = searchOrder(view.chain, (id) => byRepository.get(id)?.[0] ?? false);
    if (order.some((r) => byRepository.get(r.id)?.[1])) {
      const [namespace, normalizedName] = name.split('\u0000') as [string, string];
      visible.push({ namespace, normalizedName });
    }
  }
  return visible.sort((a, b) =>
    a.namespace === b.namespace ? (a.normalizedName < b.normalizedName ? -1 : 1) : a.namespace < b.namespace ? -1 : 1,
  );
}
