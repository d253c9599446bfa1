// The one download path for stored bytes (a PyPI file URL, GetPackageVersionAsset, later npm tarballs):
// strong ETag = the SHA-256, 304 for a fresh If-None-Match, single byte ranges (206, 416), HEAD without a
// body; small blobs from memory (server/hotBlobs.ts), others streamed from the blob store with back-pressure.
// Plain node:http calls only, so the fast lane and the Express routes answer alike.
import fresh from 'fresh';
import type { IncomingMessage, ServerResponse } from 'node:http';
import parseRange from 'range-parser';
import { pipeline } from 'node:stream/promises';
import type { BlobStore, ByteRange } from '../storage/ports.js';
import type { HotBlobs } from './hotBlobs.js';
import { sendText } from './sendBytes.js';

export interface BlobResponse {
  sha256: string;
  size: number;
  contentType: string;
  /** Extra headers (Cache-Control, the control plane's X-AssetName...). */
  headers?: Record<string, string>;
  /** Whether Range requests are honoured (the package endpoints) or ignored (the control plane). */
  ranges: boolean;
}

export interface BlobSource {
  blobs: BlobStore;
  hot?: HotBlobs;
}

function readFailed(res: ServerResponse, req: IncomingMessage, blob: BlobResponse, err: unknown) {
  if (res.headersSent) return void res.destroy();
  console.error(`cannot read blob ${blob.sha256}:`, (err as Error).message);
  for (const h of ['Content-Length', 'Content-Range', 'ETag', 'Accept-Ranges']) res.removeHeader(h);
  sendText(req, res, 500, 'Could not read the stored file\n');
}

export async function sendBlob(req: IncomingMessage, res: ServerResponse, source: BlobSource, blob: BlobResponse): Promise<void> {
  const etag = `"${blob.sha256}"`;
  for (const [name, value] of Object.entries(blob.headers ?? {})) res.setHeader(name, value);
  res.setHeader('ETag', etag);
  res.setHeader('Content-Type', blob.contentType);
  if (blob.ranges) res.setHeader('Accept-Ranges', 'bytes');
  if (fresh(req.headers, { etag })) {
    res.statusCode = 304;
    return void res.end();
  }

  let range: ByteRange | undefined;
  const header = req.headers.range;
  // An If-Range naming other bytes asks for the whole file.
  if (blob.ranges && header && (!req.headers['if-range'] || req.headers['if-range'] === etag)) {
    const parsed = parseRange(blob.size, header, { combine: true });
    if (parsed === -1) {
      res.setHeader('Content-Range', `bytes */${blob.size}`);
      return sendText(req, res, 416, 'Range not satisfiable\n');
    }
    // A malformed header, or several ranges: the whole file, as send() does.
    if (parsed !== -2 && parsed.length === 1) range = parsed[0]!;
  }
  const length = range ? range.end - range.start + 1 : blob.size;
  res.statusCode = range ? 206 : 200;
  res.setHeader('Content-Length', String(length));
  if (range) res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
  if (req.method === 'HEAD' || length === 0) return void res.end();

  if (source.hot?.holds(blob.size)) {
    let bytes: Buffer;
    try {
      bytes = await source.hot.read(blob.sha256, blob.size);
    } catch (err) {
      return readFailed(res, req, blob, err);
    }
    return void res.end(range ? bytes.subarray(range.start, range.end + 1) : bytes);
  }
  try {
    await pipeline(source.blobs.open(blob.sha256, range), res);
  } catch (err) {
    readFailed(res, req, blob, err);
  }
}
