// GET .../simple/{project}/{version}/{filename}: the file's bytes, and .../{filename}.metadata: its PEP 658 core
// metadata, as the repository serves them (its own, an upstream's, or an external source's, through
// core/readPath). A file found upstream is retained in the repository first; one only an external source has
// is fetched, checked against its listed hash and stored (AWS: a reference is copied to the repository asked).
import type { Request, Response } from 'express';
import { pypiFormat } from '../../../core/formats/pypi/format.js';
import { normalizeProjectName } from '../../../core/formats/pypi/names.js';
import { ExternalFetchError, ingestExternalFile } from '../../../core/readPath/ingest.js';
import { findServedFile, resolvePackage, type PackageView, type ServedFile } from '../../../core/readPath/packageView.js';
import type { ReadPath } from '../../../core/readPath/readPath.js';
import { retainVersion } from '../../../core/readPath/retention.js';
import { endpointOf, sendEndpointError } from '../../packageEndpoints.js';
import { sendBlob, type BlobResponse } from '../../sendBlob.js';
import { sendBytes } from '../../sendBytes.js';
import type { Serving } from '../../serving.js';

export function contentTypeOf(filename: string): string {
  if (filename.endsWith('.whl') || filename.endsWith('.zip')) return 'application/zip';
  if (filename.endsWith('.tar.gz') || filename.endsWith('.tgz')) return 'application/gzip';
  return 'application/octet-stream';
}

async function find(rp: ReadPath, req: Request, res: Response, filename: string): Promise<{ view: PackageView; found: ServedFile } | undefined> {
  const { repository } = endpointOf(res);
  const normalizedName = normalizeProjectName(req.params.project as string);
  const view = await resolvePackage(rp, repository, { format: pypiFormat, namespace: '', normalizedName });
  const found = await findServedFile(rp, view, req.params.version as string, filename);
  if (found) return { view, found };
  sendEndpointError(res, 404, `File not found: ${filename} in repository ${repository.name}`);
  return undefined;
}

export function fileHandlers(rp: ReadPath, serving: Serving) {
  async function download(req: Request, res: Response) {
    const filename = req.params.filename as string;
    if (filename.endsWith('.metadata')) return metadata(req, res, filename.slice(0, -'.metadata'.length));
    const hit = await find(rp, req, res, filename);
    if (!hit) return;
    const { ctx } = endpointOf(res);
    let file: { sha256: string; size: number; filename: string };
    if (hit.found.kind === 'external') {
      try {
        file = await ingestExternalFile(rp, ctx, hit.view, hit.found);
      } catch (err) {
        if (!(err instanceof ExternalFetchError)) throw err;
        rp.log(err.message);
        return sendEndpointError(res, 502, `Bad gateway: ${err.message}`);
      }
    } else {
      file = hit.found.file;
      if (req.method === 'GET')
        await retainVersion(rp.store, ctx, hit.view, hit.found).catch((err: Error) =>
          // The client still gets its file; the copy is made on a later fetch.
          rp.log(`could not retain ${filename} in ${hit.view.repository.name}: ${err.message}`),
        );
    }
    const blob: BlobResponse = {
      sha256: file.sha256,
      size: file.size,
      contentType: contentTypeOf(file.filename),
      headers: { 'Cache-Control': 'private, max-age=31536000, immutable' },
      ranges: true,
    };
    // Replayable only once the repository holds the file itself: until then each GET may have to copy it in.
    if (hit.found.kind === 'stored' && hit.found.source.repository.id === hit.view.repository.id)
      serving.lane?.offerBlob(req, res, blob, { domainId: endpointOf(res).domain.id });
    await sendBlob(req, res, { blobs: rp.store.blobs, hot: serving.hot }, blob);
  }

  async function metadata(req: Request, res: Response, filename: string) {
    const hit = await find(rp, req, res, filename);
    if (!hit) return;
    // Files not fetched from their external source yet have no metadata here (their page does not offer any).
    const file = hit.found.kind === 'stored' ? hit.found.file : undefined;
    const data = file?.coreMetadataSha256 ? await rp.store.assets.coreMetadata(file.assetId) : undefined;
    if (!file || !data) return sendEndpointError(res, 404, `No metadata for ${filename}`);
    const etag = `"${file.coreMetadataSha256}"`;
    serving.lane?.offerBytes(req, res, data, etag, 'text/plain; charset=utf-8', { domainId: endpointOf(res).domain.id });
    sendBytes(req, res, data, etag, 'text/plain; charset=utf-8');
  }

  return { download };
}
