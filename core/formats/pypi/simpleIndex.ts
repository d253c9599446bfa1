// The simple repository API's data (PEP 691 shape, api-version 1.1 with PEP 700's `versions`, `size`,
// `upload-time`, and PEP 658/714 `core-metadata`), built once from a package's files. The HTML and JSON
// renderers in server/pypi both read this one structure.
import { isListed } from '../../readPath/statuses.js';
import type { DistributionFile } from '../../../storage/ports.js';
import { comparePypiVersions } from './versions.js';

export const API_VERSION = '1.1';

export interface SimpleFile {
  filename: string;
  /** Relative to the project page: `{version}/{filename}`. */
  url: string;
  hashes: { sha256: string };
  'requires-python'?: string;
  'core-metadata'?: { sha256: string };
  size: number;
  'upload-time': string;
}

export interface SimpleProject {
  meta: { 'api-version': string };
  name: string;
  versions: string[];
  files: SimpleFile[];
}

export interface SimpleProjectList {
  meta: { 'api-version': string };
  projects: { name: string }[];
}

export const fileUrl = (version: string, filename: string) =>
  `${encodeURIComponent(version)}/${encodeURIComponent(filename)}`;

export function buildProjectPage(normalizedName: string, files: DistributionFile[]): SimpleProject {
  // Only Published versions are listed; Unlisted ones stay installable by exact file URL.
  const listed = files.filter((f) => isListed(f.status));
  const versions = [...new Set(listed.map((f) => f.version))].sort(comparePypiVersions);
  return {
    meta: { 'api-version': API_VERSION },
    name: normalizedName,
    versions,
    files: listed
      .sort((a, b) => comparePypiVersions(a.version, b.version) || (a.filename < b.filename ? -1 : 1))
      .map((f) => ({
        filename: f.filename,
        url: fileUrl(f.version, f.filename),
        hashes: { sha256: f.sha256 },
        ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
        // PEP 658 metadata is only ever offered for wheels (never sdists: their PKG-INFO is not reliable).
        ...(f.coreMetadataSha256 ? { 'core-metadata': { sha256: f.coreMetadataSha256 } } : {}),
        size: f.size,
        'upload-time': new Date(f.uploadedAt).toISOString(),
      })),
  };
}

export function buildProjectList(names: string[]): SimpleProjectList {
  return { meta: { 'api-version': API_VERSION }, projects: names.map((name) => ({ name })) };
}
