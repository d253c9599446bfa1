// One package as a repository's clients see it: the repository's own record of it, those of the repositories
// its upstreams reach (in search order), and last the external connections on the way. Origin controls decide
// how far the search goes: a repository whose record of the package says upstream: BLOCK is searched but not
// past; the package's group must allow the requesting repository to take versions from internal upstreams,
// and a connection's repository to ingest from external ones (core/packageGroups). Package endpoints read
// packages only through here.
import type { PackageFormatModule } from '../formats/index.js';
import type { GroupTree } from '../packageGroups/hierarchy.js';
import type {
  DistributionFile,
  ExternalFile,
  PackageRecord,
  RepositoryRecord,
  StoreReads,
  VersionRecord,
} from '../../storage/ports.js';
import { chainKey, searchOrder, upstreamChain, type UpstreamChain } from './chain.js';
import type { Listing } from './externalListings.js';
import type { ReadPath } from './readPath.js';
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

/** An external connection the search may ingest through, and the repository that has it. */
export interface ExternalLink {
  connection: string;
  owner: RepositoryRecord;
}

export interface PackageView {
  repository: RepositoryRecord;
  name: PackageName;
  /** The repositories that hold the package, in search order, pruned where origin controls stop the search. */
  sources: PackageSource[];
  /** The external connections reached, in search order, after every repository. */
  externals: ExternalLink[];
  /**
   * Identifies what the package's pages show from the store: the chain's shape, the package groups, and the
   * package's change serial in each repository. Serials are never reused, so a key cannot name two different
   * pages. External listings add their own digests (see visibleFiles).
   */
  cacheKey: string;
}

export async function resolvePackage(rp: ReadPath, repository: RepositoryRecord, name: PackageName): Promise<PackageView> {
  const chain = await upstreamChain(rp.store, repository);
  const [records, tree] = await Promise.all([
    rp.store.packages.findInRepositories(
      chain.repositories.map((r) => r.id),
      { format: name.format.name, namespace: name.namespace, normalizedName: name.normalizedName },
    ),
    rp.groups.of(repository),
  ]);
  const connections = await Promise.all(chain.repositories.map((r) => rp.store.repositories.externalConnections(r.id)));
  return viewOf(repository, name, chain, records, tree, new Map(chain.repositories.map((r, i) => [r.id, connections[i]!])));
}

export function viewOf(
  repository: RepositoryRecord,
  name: PackageName,
  chain: UpstreamChain,
  records: PackageRecord[],
  tree: GroupTree,
  connectionsOf: Map<number, { name: string; format: string }[]>,
): PackageView {
  const byRepository = new Map(records.map((p) => [p.repositoryId, p]));
  const coordinates = { format: name.format.name, namespace: name.namespace, normalizedName: name.normalizedName };
  const ownRecordBlocks = (id: number) => byRepository.get(id)?.upstream === 'BLOCK';
  const internalAllowed = tree.allows(coordinates, 'INTERNAL_UPSTREAM', repository.name);
  const order = searchOrder(chain, (id) => ownRecordBlocks(id) || (id === repository.id && !internalAllowed));
  const sources = order.flatMap((r) => {
    const pkg = byRepository.get(r.id);
    return pkg ? [{ repository: r, pkg }] : [];
  });
  const externals = order.flatMap((r) =>
    (connectionsOf.get(r.id) ?? [])
      .filter((c) => c.format === name.format.name)
      .filter(() => !ownRecordBlocks(r.id) && tree.allows(coordinates, 'EXTERNAL_UPSTREAM', r.name))
      .map((c) => ({ connection: c.name, owner: r })),
  );
  const serials = chain.repositories.map((r) => byRepository.get(r.id)?.lastSerial ?? '-').join('.');
  return {
    repository,
    name,
    sources,
    externals,
    cacheKey: [name.format.name, name.namespace, name.normalizedName, chainKey(chain), repository.domainGroupsSerial, serials].join('|'),
  };
}

export interface VisibleFile extends DistributionFile {
  /** Where the version was found: a repository, or an external connection (not stored yet). */
  source: PackageSource | ExternalLink;
}

const externalListings = (rp: ReadPath, view: PackageView): Promise<Listing[]> =>
  Promise.all(view.externals.map((e) => rp.listings.get(e.connection, view.name.format.name, view.name.normalizedName)));

/** What the package's pages show, as a cache key: the view's key and the external listings' digests. */
export async function pageKey(rp: ReadPath, view: PackageView): Promise<{ key: string; listings: Listing[] }> {
  const listings = await externalListings(rp, view);
  return { key: [view.cacheKey, ...listings.map((l) => l.digest)].join('|'), listings };
}

/**
 * A stored version that was ingested from an external connection takes its other files (another platform's
 * wheel, the sdist) from the same connection when a client asks for them: ingesting one file must not hide
 * the rest of the release.
 */
const fedBy = (record: VersionRecord, link: ExternalLink) =>
  record.originType === 'EXTERNAL' && record.entryExternalConnection === link.connection && isServed(record.status);

/**
 * Every file of the package visible from the repository: for each version, the files of the first source
 * that has the version at all (whatever its status: a version in R hides the same version upstream), plus,
 * for a version ingested from an external connection on the way, the files of it only that connection lists;
 * then versions only an external source lists (`listings`, from pageKey).
 */
export async function visibleFiles(rp: ReadPath, view: PackageView, listings: Listing[]): Promise<VisibleFile[]> {
  const claimed = new Set<string>();
  /** Version -> the stored record that claimed it and the names of its stored files. */
  const stored = new Map<string, { record: VersionRecord; files: Set<string> }>();
  const out: VisibleFile[] = [];
  for (const [i, source] of view.sources.entries()) {
    const files = await rp.store.assets.filesOfPackage(source.pkg.id);
    const versions = new Set(files.map((f) => f.version));
    // Versions without files still claim their name, and the external sources need the stored records; the
    // common case (one repository, or the last one of a chain, with no connection after it) reads neither.
    const later = i < view.sources.length - 1 || view.externals.length > 0;
    const records = later ? await rp.store.versions.list(source.pkg.id) : [];
    for (const v of records) versions.add(v.version);
    // The rows are this call's own: tag them in place rather than copy each.
    for (const f of files) if (!claimed.has(f.version)) out.push(Object.assign(f, { source }));
    for (const r of records)
      if (!claimed.has(r.version))
        stored.set(r.version, { record: r, files: new Set(files.filter((f) => f.version === r.version).map((f) => f.filename)) });
    for (const v of versions) claimed.add(v);
  }
  const versionOf = view.name.format.external?.versionOf;
  view.externals.forEach((link, i) => {
    const found = new Set<string>();
    for (const f of listings[i]!.files ?? []) {
      const version = versionOf?.(f.filename);
      if (!version) continue;
      const own = stored.get(version);
      if (own && fedBy(own.record, link) && !own.files.has(f.filename)) {
        own.files.add(f.filename);
        out.push({ ...externalDistribution(f, version, link), status: own.record.status });
        continue;
      }
      if (claimed.has(version)) continue;
      found.add(version);
      out.push(externalDistribution(f, version, link));
    }
    for (const v of found) claimed.add(v);
  });
  return out;
}

function externalDistribution(f: ExternalFile, version: string, link: ExternalLink): VisibleFile {
  return {
    assetId: -1,
    filename: f.filename,
    version,
    status: 'Published',
    size: f.size ?? -1,
    sha256: f.sha256 ?? '',
    requiresPython: f.requiresPython ?? null,
    coreMetadataSha256: null,
    uploadedAt: 0,
    yanked: f.yanked ?? null,
    source: link,
  };
}

export type ServedFile =
  | { kind: 'stored'; source: PackageSource; version: VersionRecord; file: DistributionFile }
  | { kind: 'external'; link: ExternalLink; version: string; file: ExternalFile };

/** The file `filename` of version `version` as the repository serves it, or undefined (404). */
export async function findServedFile(
  rp: ReadPath,
  view: PackageView,
  version: string,
  filename: string,
): Promise<ServedFile | undefined> {
  const store: StoreReads = rp.store;
  const versionOf = view.name.format.external?.versionOf;
  for (const source of view.sources) {
    const record = await store.versions.find(source.pkg.id, version);
    if (!record) continue;
    // The first repository that has the version decides, as for the page.
    if (!isServed(record.status)) return undefined;
    const file = await store.assets.fileOf(source.pkg.id, version, filename);
    if (file) return { kind: 'stored', source, version: record, file };
    // A file of an ingested version that only its connection has yet (see fedBy).
    const link = view.externals.find((l) => fedBy(record, l));
    if (!link || !versionOf) return undefined;
    const listing = await rp.listings.get(link.connection, view.name.format.name, view.name.normalizedName);
    const listed = (listing.files ?? []).find((f) => f.filename === filename && versionOf(f.filename) === version);
    return listed ? { kind: 'external', link, version, file: listed } : undefined;
  }
  if (!versionOf) return undefined;
  const listings = await externalListings(rp, view);
  for (const [i, link] of view.externals.entries()) {
    const files = listings[i]!.files ?? [];
    if (!files.some((f) => versionOf(f.filename) === version)) continue;
    const file = files.find((f) => f.filename === filename);
    return file ? { kind: 'external', link, version, file } : undefined;
  }
  return undefined;
}
