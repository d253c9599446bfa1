// GET .../simple/{project}/{version}/{filename}: the file's bytes (ETag, Range, exact length), and
// .../{filename}.metadata: its PEP 658 core metadata. Published and Unlisted versions are served;
// Archived, Disposed and Unfinished ones are not.
import type { Request, Response } from 'express';
import { normalizeProjectName } from '../../core/pypi/names.js';
import { SERVED_STATUSES } from '../../core/pypi/simpleIndex.js';
import { readCoreMetadata } from '../../storage/assets.js';
import { findDistributionFile, type DistributionFile } from '../../storage/distributions.js';
import { findPackage } from '../../storage/packages.js';
import type { Store } from '../../storage/store.js';
import type { PackageEndpointLocals } from '../packageEndpoints.js';
import { sendBytes } from '../sendBytes.js';

export function contentTypeOf(filename: string): string {
  if (filename.endsWith('.whl') || filename.endsWith('.zip')) return 'application/zip';
  if (filename.endsWith('.tar.gz') || filename.endsWith('.tgz')) return 'application/gzip';
  return 'application/octet-stream';
}

function findServedFile(store: Store, req: Request, res: Response, filename: string): DistributionFile | undefined {
  const { repository } = res.locals.endpoint as PackageEndpointLocals;
  const pkg = findPackage(store.db, {
    repositoryId: repository.id,
    format: 'pypi',
    namespace: '',
    normalizedName: normalizeProjectName(req.params.project as string),
  });
  const file = pkg && findDistributionFile(store.db, pkg.id, req.params.version as string, filename);
  if (!file || !(SERVED_STATUSES as readonly string[]).includes(file.status)) {
    res.status(404).type('text/plain').send(`File not found: ${filename}\n`);
    return undefined;
  }
  return file;
}

export function fileHandlers(store: Store) {
  function download(req: Request, res: Response) {
    const filename = req.params.filename as string;
    if (filename.endsWith('.metadata')) return metadata(req, res, filename.slice(0, -'.metadata'.length));
    const file = findServedFile(store, req, res, filename);
    if (!file) return;
    res.sendFile(
      store.blobs.pathOf(file.sha256),
      {
        etag: false,
        lastModified: false,
        acceptRanges: true,
        headers: {
          ETag: `"${file.sha256}"`,
          'Content-Type': contentTypeOf(file.filename),
          'Cache-Control': 'private, max-age=31536000, immutable',
        },
      },
      (err) => {
        if (err && !res.headersSent) res.status(500).type('text/plain').send('Could not read the stored file\n');
      },
    );
  }

  function metadata(req: Request, res: Response, filename: string) {
    const file = findServedFile(store, req, res, filename);
    if (!file) return;
    const data = file.coreMetadataSha256 ? readCoreMetadata(store.db, file.assetId) : undefined;
    if (!data) return void res.status(404).type('text/plain').send(`No metadata for ${filename}\n`);
    sendBytes(req, res, data, `"${file.coreMetadataSha256}"`, 'text/plain; charset=utf-8');
  }

  return { download };
}
