// The repositories a request on R searches, in AWS's order ("Upstream repository priority order"): R, then
// each upstream in its configured order, depth-first (an upstream's own upstreams before the next one),
// each repository at most once, at most 25 in all.
import type { RepositoryRecord, StoreReads } from '../../storage/ports.js';

export const MAX_SEARCHED_REPOSITORIES = 25;

export interface UpstreamChain {
  /** R first, then every repository reachable through upstreams, in search order. */
  repositories: RepositoryRecord[];
  /** The direct upstreams of each repository of the chain, in priority order. */
  upstreamsOf: Map<number, RepositoryRecord[]>;
}

export async function upstreamChain(store: StoreReads, repository: RepositoryRecord): Promise<UpstreamChain> {
  const repositories: RepositoryRecord[] = [];
  const upstreamsOf = new Map<number, RepositoryRecord[]>();
  const seen = new Set<number>();
  const visit = async (r: RepositoryRecord): Promise<void> => {
    if (seen.has(r.id) || repositories.length >= MAX_SEARCHED_REPOSITORIES) return;
    seen.add(r.id);
    repositories.push(r);
    const upstreams = await store.repositories.upstreams(r.id);
    upstreamsOf.set(r.id, upstreams);
    for (const u of upstreams) await visit(u);
  };
  await visit(repository);
  return { repositories, upstreamsOf };
}

/**
 * The chain's search order for one package, where a repository whose own record of the package blocks
 * upstreams (origin restriction upstream: BLOCK) is searched but its upstreams are not, through it.
 */
export function searchOrder(chain: UpstreamChain, blocksUpstream: (repositoryId: number) => boolean): RepositoryRecord[] {
  const order: RepositoryRecord[] = [];
  const seen = new Set<number>();
  const visit = (r: RepositoryRecord) => {
    if (seen.has(r.id) || order.length >= MAX_SEARCHED_REPOSITORIES || !chain.upstreamsOf.has(r.id)) return;
    seen.add(r.id);
    order.push(r);
    if (blocksUpstream(r.id)) return;
    for (const u of chain.upstreamsOf.get(r.id)!) visit(u);
  };
  visit(chain.repositories[0]!);
  return order;
}

/** The part of a cache key that changes whenever the chain's shape does. */
export const chainKey = (chain: UpstreamChain): string => chain.repositories.map((r) => r.configSerial).join('.');
