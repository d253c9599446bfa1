// What a package format is to the registry: how its names match, whether it has namespaces, how its
// versions order, how it is called. One module per format implements this; formats/index.ts lists them.
import type { PackageFormat } from '@aws-sdk/client-codeartifact';
import type { VersionMetadata } from '../registry/publish.js';

/** What a format knows about a file fetched from an external source, before it is stored. */
export interface IngestedFile {
  metadata?: VersionMetadata;
  /** PEP 658-style metadata served beside the file, with its SHA-256. */
  coreMetadata?: Buffer;
  coreMetadataSha256?: string;
}

/** A format whose files can come through an external connection (PyPI today). */
export interface ExternalFileSupport {
  /** The version a file belongs to, from its name; undefined when the name is not one of the format's. */
  versionOf(filename: string): string | undefined;
  /** Reads the file's own metadata (a wheel's METADATA, an sdist's PKG-INFO). Never throws for odd files. */
  describe(filename: string, localPath: string, name: string, version: string): Promise<IngestedFile>;
}

export type NamespaceRule =
  /** Packages of the format never have one (PyPI, NuGet, RubyGems, Cargo): giving one is an error. */
  | 'none'
  /** A namespace is part of some names (npm scopes). */
  | 'optional'
  /** Every package has one (Maven group ids, generic and Swift namespaces). */
  | 'required';

export interface PackageFormatModule {
  name: PackageFormat;
  /** How people write it: PyPI, npm, Maven... */
  displayName: string;
  namespace: NamespaceRule;
  /** The form a name is matched by within the format (PyPI: PEP 503). */
  normalizeName(name: string): string;
  /** The format's version order, ascending. */
  compareVersions(a: string, b: string): number;
  /**
   * AWS's default display version: the most recently published version (PyPI, Maven, most formats) or
   * the highest one (npm's `latest`).
   */
  defaultVersion: 'latest-published' | 'highest';
  /** A package name as the format's tools write it, namespace included. */
  displayPackageName(namespace: string, name: string): string;
  /** Whether AWS serves the format to a package manager at all (generic packages have only the API). */
  packageManagerEndpoint: boolean;
  /** Present where the format can ingest from external connections. */
  external?: ExternalFileSupport;
}

/** Natural order, digits compared as numbers (1.10 after 1.9): formats without an order of their own. */
export function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'case' }) || (a < b ? -1 : a > b ? 1 : 0);
}

const slashed = (namespace: string, name: string) => (namespace ? `${namespace}/${name}` : name);

/** A format the registry stores and lists but serves no package endpoint for yet. */
export function basicFormat(
  name: PackageFormat,
  displayName: string,
  namespace: NamespaceRule,
  overrides: Partial<PackageFormatModule> = {},
): PackageFormatModule {
  return {
    name,
    displayName,
    namespace,
    normalizeName: (n) => n,
    compareVersions: compareNatural,
    defaultVersion: 'latest-published',
    displayPackageName: slashed,
    packageManagerEndpoint: true,
    ...overrides,
  };
}
