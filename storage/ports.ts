// The storage ports: everything core needs from persistence, in domain words, asynchronous. Core and server
// see only these types; an implementation lives in its own folder (storage/sqlite/ today; a PostgreSQL one
// is a new folder implementing the same interfaces) and only the composition root (storage/open.ts) picks it.
//
// Two rules keep implementations honest without relying on a single writer:
// - every write happens inside `store.transaction(async tx => ...)`, which commits all or nothing; outside a
//   transaction only the read halves are reachable, and they see committed data only;
// - uniqueness is the implementation's constraints' job: a create that would duplicate a key fails with
//   AlreadyExistsError (mapped to ConflictException by core), and `findOrCreate*` are upserts.
//
// A write that refers to a record another transaction deleted in the meantime (an asset for a repository being
// deleted) fails with MissingReferenceError; core re-checks such parents inside its write transactions and maps
// this error to ResourceNotFound, so no implementation's own error codes ever reach core.
//
// Times are epoch milliseconds. Ids are opaque numbers, meaningful only within one store.
import type { Readable, Writable } from 'node:stream';

export type VersionStatus = 'Published' | 'Unfinished' | 'Unlisted' | 'Archived' | 'Disposed' | 'Deleted';
export type OriginType = 'INTERNAL' | 'EXTERNAL' | 'UNKNOWN';
export type Restriction = 'ALLOW' | 'BLOCK';

/** A create would duplicate a unique key (a domain name, a repository name, a version, an asset name). */
export class AlreadyExistsError extends Error {}

/** A store cannot be opened where it was asked to (a data dir that cannot be created or written): one sentence. */
export class StorageUnavailableError extends Error {}

/** What a store finds when it checks itself: each problem one sentence an operator can act on. */
export interface HealthReport {
  problems: string[];
  /** Bytes free where new data is written, when the backend can tell (a local disk). */
  freeBytes?: number;
}

/** A write refers to a record that no longer exists (deleted by another transaction): nothing was written. */
export class MissingReferenceError extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Records

export interface DomainRecord {
  id: number;
  owner: string;
  name: string;
  encryptionKey: string | null;
  createdAt: number;
}

export interface DomainCounts {
  repositoryCount: number;
  assetSizeBytes: number;
}

export interface RepositoryRecord {
  id: number;
  domainId: number;
  domainName: string;
  domainOwner: string;
  name: string;
  description: string | null;
  administratorAccount: string;
  createdAt: number;
  /** Change serial of the repository's own configuration (its upstream list): a cache-key component. */
  configSerial: number;
  /** Change serial of the last change to any of its packages: the key of its project list. */
  contentSerial: number;
  /** Change serial of the domain's package groups (their origin controls change what every page shows). */
  domainGroupsSerial: number;
}

export interface PackageKey {
  repositoryId: number;
  format: string;
  /** '' when the package has no namespace. */
  namespace: string;
  /** The name as the format matches it (PyPI: PEP 503). */
  normalizedName: string;
}

export interface OriginRestrictions {
  publish: Restriction;
  upstream: Restriction;
}

export interface PackageRecord extends PackageKey, OriginRestrictions {
  id: number;
  /** The name as first published. */
  name: string;
  /** Change serial of the last change to the package, its versions or its assets: its pages' cache key. */
  lastSerial: number;
}

export interface License {
  name?: string;
  url?: string;
}

/** What a version's describe output shows beyond its identity; null where the publisher gave nothing. */
export interface VersionMetadataFields {
  displayName: string | null;
  summary: string | null;
  homePage: string | null;
  sourceCodeRepository: string | null;
  licenses: License[] | null;
  readme: string | null;
  readmeContentType: string | null;
  requiresPython: string | null;
  /** Format-specific fields. */
  metadata: Record<string, unknown> | null;
}

export interface VersionRecord extends VersionMetadataFields {
  id: number;
  packageId: number;
  version: string;
  status: VersionStatus;
  revision: string;
  originType: OriginType;
  /** domainEntryPoint: the repository the version first entered the domain through (published there). */
  entryRepository: string | null;
  /** domainEntryPoint: the external connection it was ingested from, when it came from outside. */
  entryExternalConnection: string | null;
  createdAt: number;
  publishedAt: number | null;
}

export type NewVersion = Omit<VersionRecord, 'id'>;

export interface DependencyRecord {
  namespace: string | null;
  package: string;
  dependencyType: string | null;
  versionRequirement: string | null;
}

/** The digests every stored blob has; the SHA-256 is also its address. */
export interface BlobDigests {
  size: number;
  sha256: string;
  sha1: string;
  sha512: string;
  md5: string;
  blake2b256: string;
}

/** The size and digests alone, from anything that has them (a pending blob, an asset row), for a new row. */
export const digestsOf = (b: BlobDigests): BlobDigests => ({
  size: b.size,
  sha256: b.sha256,
  sha1: b.sha1,
  sha512: b.sha512,
  md5: b.md5,
  blake2b256: b.blake2b256,
});

/** An asset is a named blob in a version: its size and digests are the blob's. */
export interface AssetRecord extends BlobDigests {
  id: number;
  versionId: number;
  name: string;
  coreMetadataSha256: string | null;
  createdAt: number;
  /** PEP 592 yank carried over from an external source ('' = no reason); null when not yanked. */
  yanked: string | null;
}

export interface NewAsset extends BlobDigests {
  versionId: number;
  name: string;
  /** PEP 658: the file's core metadata (a wheel's METADATA), served beside it. */
  coreMetadata: Buffer | null;
  coreMetadataSha256: string | null;
  createdAt: number;
  /** PEP 592 yank carried over from an external source ('' = no reason); null or absent when not yanked. */
  yanked?: string | null;
}

/** One file of a package with what an index page shows of it: the read model of package endpoints. */
export interface DistributionFile {
  assetId: number;
  filename: string;
  version: string;
  status: VersionStatus;
  size: number;
  sha256: string;
  requiresPython: string | null;
  coreMetadataSha256: string | null;
  uploadedAt: number;
  /** PEP 592: yanked by the external source it came from ('' = no reason given); null when not. */
  yanked: string | null;
}

export interface TokenRecord {
  domainId: number;
  expiresAt: number;
}

export type TaggedResource = { type: 'domain' | 'repository' | 'package-group'; id: number };

export type GroupRestrictionType = 'PUBLISH' | 'EXTERNAL_UPSTREAM' | 'INTERNAL_UPSTREAM';
export type GroupRestrictionMode = 'ALLOW' | 'BLOCK' | 'ALLOW_SPECIFIC_REPOSITORIES' | 'INHERIT';
export const GROUP_RESTRICTION_TYPES: readonly GroupRestrictionType[] = ['PUBLISH', 'EXTERNAL_UPSTREAM', 'INTERNAL_UPSTREAM'];

export interface PackageGroupRecord {
  id: number;
  domainId: number;
  /** The definition as given, e.g. /pypi//internal-~ or /npm/space/*. */
  pattern: string;
  description: string | null;
  contactInfo: string | null;
  createdAt: number;
  /** The group's own mode per restriction type (INHERIT: its parent's). */
  modes: Record<GroupRestrictionType, GroupRestrictionMode>;
  /** Repositories allowed per restriction type, where the mode is ALLOW_SPECIFIC_REPOSITORIES. */
  allowedRepositories: Record<GroupRestrictionType, string[]>;
}

export type PolicyResource = { type: 'domain' | 'repository'; id: number };
export interface PolicyRecord {
  document: string;
  revision: string;
}
export interface TagRecord {
  key: string;
  value: string;
}

// ---------------------------------------------------------------------------------------------------------
// Aggregates: the read half is on the store and on a transaction, the write half only on a transaction.

export interface DomainReads {
  find(owner: string, name: string): Promise<DomainRecord | undefined>;
  findById(id: number): Promise<DomainRecord | undefined>;
  /** Ordered by name, then owner; `after` is the [name, owner] of the last one already returned. */
  list(after: [string, string] | undefined, limit: number): Promise<DomainRecord[]>;
  /** Counted when asked (DescribeDomain, ListDomains), never on a plain lookup: it grows with the domain. */
  counts(id: number): Promise<DomainCounts>;
}
export interface DomainWrites extends DomainReads {
  create(domain: Omit<DomainRecord, 'id'>): Promise<DomainRecord>;
  delete(id: number): Promise<void>;
}

export interface RepositoryFilter {
  domainId?: number;
  administratorAccount?: string;
  /** Name prefix. */
  prefix?: string;
}

export interface RepositoryReads {
  find(domainId: number, name: string): Promise<RepositoryRecord | undefined>;
  findById(id: number): Promise<RepositoryRecord | undefined>;
  /** The direct upstreams, in priority order. */
  upstreams(id: number): Promise<RepositoryRecord[]>;
  /** Names of the repositories that list `id` as an upstream, sorted. */
  downstreamNames(id: number): Promise<string[]>;
  externalConnections(id: number): Promise<{ name: string; format: string }[]>;
  /** Ordered by name, then id; `after` is the [name, id] of the last one already returned. */
  list(filter: RepositoryFilter, after: [string, number] | undefined, limit: number): Promise<RepositoryRecord[]>;
  /** SHA-256s of every asset in the repository: the blobs to reconsider after deleting it. */
  blobDigests(id: number): Promise<string[]>;
}
export interface RepositoryWrites extends RepositoryReads {
  create(
    repository: Pick<RepositoryRecord, 'domainId' | 'name' | 'description' | 'administratorAccount' | 'createdAt'>,
  ): Promise<RepositoryRecord>;
  setDescription(id: number, description: string | null): Promise<void>;
  /** Replaces the upstream list (priority order) and gives the repository a new configSerial. */
  setUpstreams(id: number, upstreamIds: number[]): Promise<void>;
  /** Adds or removes an external connection; gives the repository a new configSerial. */
  addExternalConnection(id: number, connection: { name: string; format: string }): Promise<void>;
  removeExternalConnection(id: number, name: string): Promise<void>;
  delete(id: number): Promise<void>;
}

export interface PackageFilter {
  repositoryId: number;
  format?: string;
  /** A prefix, despite the name: AWS documents ListPackages' `namespace` as prefix-matching. */
  namespace?: string;
  /** Matched against the normalized name. */
  prefix?: string;
  publish?: Restriction;
  upstream?: Restriction;
}

/** What a repository's project list needs of one of its packages. */
export interface IndexEntry {
  namespace: string;
  normalizedName: string;
  /** The package's own origin restriction on upstream versions. */
  upstream: Restriction;
  /** Whether it has a version in the statuses asked for. */
  listed: boolean;
}

export interface PackageReads {
  find(key: PackageKey): Promise<PackageRecord | undefined>;
  findById(id: number): Promise<PackageRecord | undefined>;
  /** The package of that name in each of the given repositories that has one (any order). */
  findInRepositories(
    repositoryIds: number[],
    key: Omit<PackageKey, 'repositoryId'>,
  ): Promise<PackageRecord[]>;
  /** Ordered by normalized name, format, namespace; `after` is the last row's [name, format, namespace]. */
  list(filter: PackageFilter, after: [string, string, string] | undefined, limit: number): Promise<PackageRecord[]>;
  /**
   * A page of the packages of a format in a repository, each with whether it has a version in
   * `listedStatuses`: what a repository's project list is streamed from (keyset-paged, never read whole).
   * Ordered by namespace, then normalized name, in code point order (= UTF-8 byte order: core merges the
   * pages of several repositories in that order); `after` is the last row's [namespace, normalizedName].
   */
  listForIndex(
    repositoryId: number,
    format: string,
    listedStatuses: readonly VersionStatus[],
    after: [string, string] | undefined,
    limit: number,
  ): Promise<IndexEntry[]>;
  /**
   * The distinct packages of a domain (any repository), ordered by format, namespace, normalized name;
   * `after` is the last one's [format, namespace, normalizedName]: what package groups associate.
   */
  listInDomain(
    domainId: number,
    after: [string, string, string] | undefined,
    limit: number,
  ): Promise<{ format: string; namespace: string; normalizedName: string; name: string }[]>;
}
export interface PackageWrites extends PackageReads {
  /** The package, created with these restrictions when it does not exist yet (an upsert). */
  findOrCreate(key: PackageKey & { name: string } & OriginRestrictions): Promise<PackageRecord>;
  setOrigin(id: number, restrictions: OriginRestrictions): Promise<void>;
  delete(id: number): Promise<void>;
}

export interface VersionReads {
  find(packageId: number, version: string): Promise<VersionRecord | undefined>;
  list(packageId: number): Promise<VersionRecord[]>;
  dependencies(versionId: number): Promise<DependencyRecord[]>;
}
/** Every version write gives its package a new lastSerial (its pages change). */
export interface VersionWrites extends VersionReads {
  /** Creates the version unless one of that name exists; `created` says which. */
  findOrCreate(version: NewVersion): Promise<{ version: VersionRecord; created: boolean }>;
  setStatus(id: number, status: VersionStatus, revision: string, publishedAt: number | null): Promise<void>;
  setRevision(id: number, revision: string): Promise<void>;
  /** Sets the given fields where the version has none yet (later files of a release fill in). */
  fillMetadata(id: number, fields: Partial<VersionMetadataFields>): Promise<void>;
  setDependencies(versionId: number, dependencies: DependencyRecord[]): Promise<void>;
  delete(id: number): Promise<void>;
}

export interface AssetReads {
  list(versionId: number): Promise<AssetRecord[]>;
  find(versionId: number, name: string): Promise<AssetRecord | undefined>;
  coreMetadata(assetId: number): Promise<Buffer | undefined>;
  /** The files of one package with what index pages show (one query over the package's own rows). */
  filesOfPackage(packageId: number): Promise<DistributionFile[]>;
  fileOf(packageId: number, version: string, filename: string): Promise<DistributionFile | undefined>;
  /** SHA-256s of the assets of these versions: the blobs to reconsider after deleting them. */
  digestsOfVersions(versionIds: number[]): Promise<string[]>;
  /** Whether any asset, or any live claim, refers to the blob. */
  isReferenced(sha256: string): Promise<boolean>;
  /** Of these digests, the ones neither an asset nor a claim refers to. */
  unreferenced(digests: string[]): Promise<string[]>;
  /** Every distinct digest assets refer to, in order, a page at a time: for consistency checks. */
  referencedDigests(after: string | undefined, limit: number): Promise<{ sha256: string; size: number }[]>;
}
export interface AssetWrites extends AssetReads {
  /** Fails with AlreadyExistsError when the version already has an asset of that name. */
  add(asset: NewAsset): Promise<AssetRecord>;
  /** Removes every asset of a version (disposing it): returns their digests, to reclaim after commit. */
  removeAllOf(versionId: number): Promise<string[]>;
  /**
   * Marks a blob as about to be referenced, before its bytes are put in place and its asset row is written
   * (an upload, a copy from an upstream): a reclaim that races it sees the claim and keeps the bytes.
   */
  claimBlob(sha256: string, at: number): Promise<number>;
  releaseClaim(id: number): Promise<void>;
  /** Claims left by writers that died: older than `before`. Returns their digests. */
  dropClaimsBefore(before: number): Promise<string[]>;
}

export interface TokenReads {
  find(tokenSha256: string): Promise<TokenRecord | undefined>;
}
export interface TokenWrites extends TokenReads {
  add(token: { tokenSha256: string; domainId: number; createdAt: number; expiresAt: number }): Promise<void>;
  deleteExpired(now: number): Promise<void>;
}

export interface TagReads {
  list(resource: TaggedResource): Promise<TagRecord[]>;
  count(resource: TaggedResource): Promise<number>;
}
export interface TagWrites extends TagReads {
  put(resource: TaggedResource, tags: TagRecord[]): Promise<void>;
  remove(resource: TaggedResource, keys: string[]): Promise<void>;
  removeAll(resource: TaggedResource): Promise<void>;
}

export interface PackageGroupReads {
  /** Every group of a domain, the root '/*' included (there are few: AWS allows a few hundred). */
  list(domainId: number): Promise<PackageGroupRecord[]>;
  find(domainId: number, pattern: string): Promise<PackageGroupRecord | undefined>;
}
/** Every group write gives the domain a new groupsSerial. */
export interface PackageGroupWrites extends PackageGroupReads {
  create(group: Omit<PackageGroupRecord, 'id'>): Promise<PackageGroupRecord>;
  update(id: number, fields: { description?: string | null; contactInfo?: string | null }): Promise<void>;
  setOrigin(
    id: number,
    modes: Record<GroupRestrictionType, GroupRestrictionMode>,
    allowedRepositories: Record<GroupRestrictionType, string[]>,
  ): Promise<void>;
  delete(id: number): Promise<void>;
}

export interface PolicyReads {
  get(resource: PolicyResource): Promise<PolicyRecord | undefined>;
}
export interface PolicyWrites extends PolicyReads {
  put(resource: PolicyResource, policy: PolicyRecord): Promise<void>;
  delete(resource: PolicyResource): Promise<void>;
}

export interface StoreReads {
  readonly packageGroups: PackageGroupReads;
  readonly policies: PolicyReads;
  readonly domains: DomainReads;
  readonly repositories: RepositoryReads;
  readonly packages: PackageReads;
  readonly versions: VersionReads;
  readonly assets: AssetReads;
  readonly tokens: TokenReads;
  readonly tags: TagReads;
}

export interface Transaction extends StoreReads {
  readonly packageGroups: PackageGroupWrites;
  readonly policies: PolicyWrites;
  readonly domains: DomainWrites;
  readonly repositories: RepositoryWrites;
  readonly packages: PackageWrites;
  readonly versions: VersionWrites;
  readonly assets: AssetWrites;
  readonly tokens: TokenWrites;
  readonly tags: TagWrites;
}

export interface Store extends StoreReads {
  readonly blobs: BlobStore;
  /**
   * The store's change serial: it grows with every committed write that changes what a package endpoint
   * answers (a page, a file, a repository or domain going away). Equal values mean nothing such changed in
   * between, in this process or any other on the same data: what lets a cached response be replayed.
   */
  changeSerial(): Promise<number>;
  /** Signs pagination tokens; kept in the store so tokens outlive a restart. */
  readonly secret: string;
  /**
   * Runs `work` in one transaction: its writes commit together when it resolves, and none of them when it
   * rejects. Keep network and disk work out of it: it holds the store's write lock while it runs.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Whether the database answers (cheap: meant to be called every few seconds). */
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Blobs: content-addressed bytes, each stored once at its SHA-256.

/** Bytes received and hashed, not yet visible at their address. */
export interface PendingBlob extends BlobDigests {
  /** A local file holding the bytes, to inspect them (e.g. read a wheel's METADATA) before commit. */
  readonly localPath: string;
  /**
   * Makes the bytes durable at their address (replacing identical bytes already there). Fails once the
   * pending blob was discarded: a commit can never silently do nothing.
   */
  commit(): Promise<void>;
  /** Drops the received bytes. Safe after commit or twice. */
  discard(): Promise<void>;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  /** When its file was last written. */
  modifiedAt: number;
}

export interface TemporaryFile {
  name: string;
  size: number;
  modifiedAt: number;
}

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`content exceeds ${limit} bytes`);
  }
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface BlobStore {
  /** Streams `source` in, hashing it; the bytes stay pending until `commit()`. */
  put(source: Readable, options?: { maxBytes?: number }): Promise<PendingBlob>;
  /** The bytes, as a stream; fails with ENOENT-like errors when absent. Downloads go through copyTo. */
  open(sha256: string): Readable;
  /**
   * Writes the bytes of `range` to `sink` (a download), each piece once the sink has taken the one before it
   * (its write callback): back-pressure, and memory reused from piece to piece instead of a new buffer per
   * chunk. `start` runs just before the first write (e.g. the status line), so a blob that cannot be read
   * rejects with nothing written; one that fails later rejects after a partial write.
   */
  copyTo(sha256: string, range: ByteRange, sink: Writable, start: () => void): Promise<void>;
  exists(sha256: string): Promise<boolean>;
  /**
   * The only way bytes are deleted. Removes the blob if `isReferenced` says no both before and after the
   * bytes are taken out of their address, putting them back otherwise: a writer that claimed the blob in
   * between (even in another process) keeps it. Returns whether the bytes are gone.
   */
  reclaim(sha256: string, isReferenced: () => Promise<boolean>): Promise<boolean>;
  /** Every stored blob (for the sweep and fsck). */
  list(): AsyncIterable<StoredBlob>;
  /** Leftovers of writes in the staging area (for the sweep and fsck). */
  temporaryFiles(): AsyncIterable<TemporaryFile>;
  /**
   * Finishes reclaims a crash interrupted (bytes taken out of their address, not yet deleted), older than
   * `before`: bytes still referenced go back in place, the others are deleted.
   */
  finishInterruptedReclaims(
    isReferenced: (sha256: string) => Promise<boolean>,
    before: number,
  ): Promise<{ restored: string[]; deleted: string[] }>;
  removeTemporary(name: string): Promise<void>;
  /** Moves bytes that do not match their address aside (fsck --repair); they are no longer served. */
  quarantine(sha256: string): Promise<void>;
  /** Whether new bytes can be written (a probe write, not a scan) and how much room is left. */
  health(): Promise<HealthReport>;
}

// ---------------------------------------------------------------------------------------------------------
// External sources: what an external connection (public:pypi, ...) reads from, as the operator configured it
// (an HTTP index, a local PEP 503 tree, a local folder of distributions). Read-only, possibly remote: calls
// time out, and none is ever made inside a store transaction.

/** A file a source lists for a project. */
export interface ExternalFile {
  filename: string;
  /** The SHA-256 the source states: bytes that do not match it are refused. */
  sha256?: string;
  requiresPython?: string;
  /** PEP 592: a reason ('' when none given) if the source yanked the file. */
  yanked?: string;
  /** Its size in bytes, where the source says (PEP 700 JSON, a local file). */
  size?: number;
  /** Where to fetch it: an absolute URL or a local path, as the source knows it. */
  location: string;
}

export interface ExternalSource {
  /** For logs and messages: the configured URL or folder. */
  readonly description: string;
  /** The files listed for a project (by normalized name); undefined when the source has no such project. */
  projectFiles(format: string, normalizedName: string): Promise<ExternalFile[] | undefined>;
  /** The bytes of a listed file. */
  openFile(file: ExternalFile): Promise<Readable>;
}

/** The sources the operator configured, by external connection name (public:pypi ...). */
export interface ExternalSources {
  sourceFor(connectionName: string): ExternalSource | undefined;
}
