// The simple repository API's data (PEP 691 shape, api-version 1.1 with PEP 700's `versions`, `size`,
// `upload-time`, PEP 658/714 `core-metadata` and PEP 592 `yanked`), built once from a package's files. The
// HTML and JSON renderers in server/formats/pypi both read this one structure. Files an external source lists
// without a size or a hash (not fetched yet) make the page api-version 1.0, which does not require them.
import { isListed } from '../../readPath/statuses.js';
import type { DistributionFile } from '../../../storage/ports.js';
import { comparePypiVersions } from './versions.js';

export const API_VERSION = '1.1';

export interface SimpleFile {
  filename: string;
  /** Relative to the project page: `{version}/{filename}`. */
  url: string;
  /** Empty when the hash is not known yet (a file an external source lists without one). */
  hashes: { sha256?: string };
  'requires-python'?: string;
  'core-metadata'?: { sha256: string };
  /** PEP 592: true, or the reason. */
  yanked?: true | string;
  /** api-version 1.1 only. */
  size?: number;
  'upload-time'?: string;
}

export interface SimpleProject {
  meta: { 'api-version': string };
  name: string;
  /** api-version 1.1 only. */
  versions?: string[];
  files: SimpleFile[];
}

/** The project list's shape; it is written as its names are read (server/formats/pypi/render.ts). */
export interface SimpleProjectList {
  meta: { 'api-version': string };
  projects: { name: string }[];
}

export const fileUrl = (version: string, filename: string) =>
  `${encodeURIComponent(version)}/${encodeURIComponent(filename)}`;

export function buildProjectPage(normalizedName: string, files: DistributionFile[]): SimpleProject {
  // Only Published versions are listed; Unlisted ones stay installable by exact file URL.
  const listed = files.filter((f) => isListed(f.status));
  const complete = listed.every((f) => f.size >= 0);
  const versions = [...new Set(listed.map((f) => f.version))].sort(comparePypiVersions);
  return {
    meta: { 'api-version': complete ? API_VERSION : '1.0' },
    name: normalizedName,
    ...(complete ? { versions } : {}),
    files: listed
      .sort((a, b) => comparePypiVersions(a.version, b.version) || (a.filename < b.filename ? -1 : 1))
      .map((f) => ({
        filename: f.filename,
        url: fileUrl(f.version, f.filename),
        hashes: f.sha256 ? { sha256: f.sha256 } : {},
        ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
        // PEP 658 metadata is only ever offered for wheels (never sdists: their PKG-INFO is not reliable).
        ...(f.coreMetadataSha256 ? { 'core-metadata': { sha256: f.coreMetadataSha256 } } : {}),
        ...(f.yanked !== null ? { yanked: f.yanked === '' ? true : f.yanked } : {}),
        ...(complete ? { size: f.size } : {}),
        ...(complete && f.uploadedAt > 0 ? { 'upload-time': new Date(f.uploadedAt).toISOString() } : {}),
      })),
  };
}
