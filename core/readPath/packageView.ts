// One package as a repository's clients see it: the repository's own record of it and those of the
// repositories its upstreams reach, in search order. Package endpoints read packages only through here.
import type { PackageFormatModule } from '../formats/index.js';
import type { DistributionFile, PackageRecord, RepositoryRecord, StoreReads, VersionRecord } from '../../storage/ports.js';
import { chainKey, searchOrder, upstreamChain, type UpstreamChain } from './chain.js';
import { isServed } from './statuses.js';

export interface PackageName {
  format: PackageFormatModule;
  namespace: string;
  normalizedName: string;
}

export interface PackageSource {
  repository: RepositoryRecord;
  pkg: PackageRecord;
}

export interface PackageView {
  repository: RepositoryRecord;
  name: PackageName;
  /** The repositories that hold the package, in search order, pruned where upstreams are blocked. */
  sources: PackageSource[];
  /**
   * Identifies what the package's pages show: the chain's shape and the package's change serial in each of
   * its repositories. Serials are never reused, so a key cannot name two different pages.
   */
  cacheKey: string;
}

export async function resolvePackage(store: StoreReads, repository: RepositoryRecord, name: PackageName): Promise<PackageView> {
  const chain = await upstreamChain(store, repository);
  const records = await store.packages.findInRepositories(
    chain.repositories.map((r) => r.id),
    { format: name.format.name, namespace: name.namespace, normalizedName: name.normalizedName },
  );
  return viewOf(repository, name, chain, records);
}

export function viewOf(repository: RepositoryRecord, name: PackageName, chain: UpstreamChain, records: PackageRecord[]): PackageView {
  const byRepository = new Map(records.map((p) => [p.repositoryId, p]));
  const order = searchOrder(chain, (id) => byRepository.get(id)?.upstream === 'BLOCK');
  const sources = order.flatMap((r) => {
    const pkg = byRepository.get(r.id);
    return pkg ? [{ repository: r, pkg }] : [];
  });
  const serials = chain.repositories.map((r) => byRepository.get(r.id)?.lastSerial ?? '-').join('.');
  return {
    repository,
    name,
    sources,
    cacheKey: [name.format.name, name.namespace, name.normalizedName, chainKey(chain), serials].join('|'),
  };
}

export interface VisibleFile extends DistributionFile {
  /** Where the version was found. */
  source: PackageSource;
}

/**
 * Every file of the package visible from the repository: for each version, the files of the first source
 * that has the version at all (whatever its status: a version in R hides the same version upstream).
 */
export async function visibleFiles(store: StoreReads, view: PackageView): Promise<VisibleFile[]> {
  const claimed = new Set<string>();
  const out: VisibleFile[] = [];
  for (const source of view.sources) {
    const files = await store.assets.filesOfPackage(source.pkg.id);
    const versions = new Set(files.map((f) => f.version));
    // Versions without files still claim their name.
    for (const v of await store.versions.list(source.pkg.id)) versions.add(v.version);
    for (const f of files) if (!claimed.has(f.version)) out.push({ ...f, source });
    for (const v of versions) claimed.add(v);
  }
  return out;
}

export interface ServedFile {
  source: PackageSource;
  version: VersionRecord;
  file: DistributionFile;
}

/** The file `filename` of version `version` as the repository serves it, or undefined (404). */
export async function findServedFile(
  store: StoreReads,
  view: PackageView,
  version: string,
  filename: string,
): Promise<ServedFile | undefined> {
  for (const source of view.sources) {
    const record = await store.versions.find(source.pkg.id, version);
    if (!record) continue;
    // The first repository that has the version decides, as for the page.
    if (!isServed(record.status)) return undefined;
    const file = await store.assets.fileOf(source.pkg.id, version, filename);
    return file ? { source, version: record, file } : undefined;
  }
  return undefined;
}
