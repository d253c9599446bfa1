// GET .../simple/{project}/{version}/{filename}: the file's bytes, and .../{filename}.metadata: its PEP 658
// core metadata, as the repository serves them (its own, or an upstream's through core/readPath). A file
// found upstream is retained in the repository first (AWS: a reference is copied to the repository asked).
import type { Request, Response } from 'express';
import { pypiFormat } from '../../../core/formats/pypi/format.js';
import { normalizeProjectName } from '../../../core/formats/pypi/names.js';
import { findServedFile, resolvePackage, type PackageView, type ServedFile } from '../../../core/readPath/packageView.js';
import { retainVersion } from '../../../core/readPath/retention.js';
import type { Store } from '../../../storage/ports.js';
import { log } from '../../log.js';
import { endpointOf, sendEndpointError } from '../../packageEndpoints.js';
import { sendBlob } from '../../sendBlob.js';
import { sendBytes } from '../../sendBytes.js';

export function contentTypeOf(filename: string): string {
  if (filename.endsWith('.whl') || filename.endsWith('.zip')) return 'application/zip';
  if (filename.endsWith('.tar.gz') || filename.endsWith('.tgz')) return 'application/gzip';
  return 'application/octet-stream';
}

async function find(store: Store, req: Request, res: Response, filename: string): Promise<{ view: PackageView; found: ServedFile } | undefined> {
  const { repository } = endpointOf(res);
  const normalizedName = normalizeProjectName(req.params.project as string);
  const view = await resolvePackage(store, repository, { format: pypiFormat, namespace: '', normalizedName });
  const found = await findServedFile(store, view, req.params.version as string, filename);
  if (found) return { view, found };
  sendEndpointError(res, 404, `File not found: ${filename} in repository ${repository.name}`);
  return undefined;
}

export function fileHandlers(store: Store) {
  async function download(req: Request, res: Response) {
    const filename = req.params.filename as string;
    if (filename.endsWith('.metadata')) return metadata(req, res, filename.slice(0, -'.metadata'.length));
    const hit = await find(store, req, res, filename);
    if (!hit) return;
    if (req.method === 'GET')
      await retainVersion(store, endpointOf(res).ctx, hit.view, hit.found).catch((err: Error) =>
        // The client still gets its file; the copy is made on a later fetch.
        log.warn({ filename, repository: hit.view.repository.name, err: err.message }, 'could not retain a file fetched from upstream'),
      );
    const file = hit.found.file;
    await sendBlob(req, res, store.blobs, {
      sha256: file.sha256,
      size: file.size,
      contentType: contentTypeOf(file.filename),
      headers: { 'Cache-Control': 'private, max-age=31536000, immutable' },
      ranges: true,
    });
  }

  async function metadata(req: Request, res: Response, filename: string) {
    const hit = await find(store, req, res, filename);
    if (!hit) return;
    const file = hit.found.file;
    const data = file.coreMetadataSha256 ? await store.assets.coreMetadata(file.assetId) : undefined;
    if (!data) return sendEndpointError(res, 404, `No metadata for ${filename}`);
    sendBytes(req, res, data, `"${file.coreMetadataSha256}"`, 'text/plain; charset=utf-8');
  }

  return { download };
}
