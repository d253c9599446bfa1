// The one download path for stored bytes (a PyPI file URL, GetPackageVersionAsset, later npm tarballs):
// strong ETag = the SHA-256, 304 for a fresh If-None-Match, single byte ranges (206, 416), HEAD without a
// body, the bytes streamed from the blob store with back-pressure.
import fresh from 'fresh';
import type { Request, Response } from 'express';
import parseRange from 'range-parser';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, ByteRange } from '../storage/ports.js';
import { log } from './log.js';
import { noteFailure } from './requestLog.js';

export interface BlobResponse {
  sha256: string;
  size: number;
  contentType: string;
  /** Extra headers (Cache-Control, the control plane's X-AssetName...). */
  headers?: Record<string, string>;
  /** Whether Range requests are honoured (the package endpoints) or ignored (the control plane). */
  ranges: boolean;
}

export async function sendBlob(req: Request, res: Response, blobs: BlobStore, blob: BlobResponse): Promise<void> {
  const etag = `"${blob.sha256}"`;
  res.set(blob.headers ?? {});
  res.set('ETag', etag);
  res.set('Content-Type', blob.contentType);
  if (blob.ranges) res.set('Accept-Ranges', 'bytes');
  if (fresh(req.headers, { etag })) return void res.status(304).end();

  let range: ByteRange | undefined;
  const header = req.headers.range;
  // An If-Range naming other bytes asks for the whole file.
  if (blob.ranges && header && (!req.headers['if-range'] || req.headers['if-range'] === etag)) {
    const parsed = parseRange(blob.size, header, { combine: true });
    if (parsed === -1) {
      res.status(416).set('Content-Range', `bytes */${blob.size}`).type('text/plain').send('Range not satisfiable\n');
      return;
    }
    // A malformed header, or several ranges: the whole file, as send() does.
    if (parsed !== -2 && parsed.length === 1) range = parsed[0]!;
  }
  const length = range ? range.end - range.start + 1 : blob.size;
  res.status(range ? 206 : 200).set('Content-Length', String(length));
  if (range) res.set('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
  if (req.method === 'HEAD' || length === 0) return void res.end();

  const stream = blobs.open(blob.sha256, range);
  try {
    await pipeline(stream, res);
  } catch (err) {
    if (!res.headersSent) {
      log.error({ sha256: blob.sha256, err: (err as Error).message }, 'cannot read a stored blob');
      noteFailure(res, `cannot read blob ${blob.sha256}: ${(err as Error).message}`);
      for (const h of ['Content-Length', 'Content-Range', 'ETag', 'Accept-Ranges']) res.removeHeader(h);
      res.status(500).type('text/plain').send('Could not read the stored file\n');
    } else res.destroy();
  }
}
