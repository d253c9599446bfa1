// The one download path for stored bytes (a PyPI file URL, GetPackageVersionAsset, later npm tarballs):
// strong ETag = the SHA-256, 304 for a fresh If-None-Match, single byte ranges (206, 416), HEAD without a
// body; small blobs from memory (server/hotBlobs.ts), others streamed from the blob store with back-pressure.
// Plain node:http calls only, so the fast lane and the Express routes answer alike.
import fresh from 'fresh';
import type { IncomingMessage, ServerResponse } from 'node:http';
import parseRange from 'range-parser';
import type { BlobStore, ByteRange } from '../storage/ports.js';
import { log } from './log.js';
import { noteFailure } from './requestLog.js';
import type { HotBlobs } from './hotBlobs.js';
import { sendText, type HeaderLines } from './sendBytes.js';

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

function readFailed(req: IncomingMessage, res: ServerResponse, blob: BlobResponse, preset: HeaderLines, err: unknown): number {
  if (res.headersSent) {
    res.destroy();
    return 0;
  }
  log.error({ sha256: blob.sha256, err: (err as Error).message }, 'cannot read a stored blob');
  noteFailure(res, `cannot read blob ${blob.sha256}: ${(err as Error).message}`);
  return sendText(req, res, 500, 'Could not read the stored file\n', preset);
}

/**
 * `preset`: header lines to send first (see sendBytes). Returns the body bytes sent; a promise of them when the
 * answer waits for the disk (a blob held in memory is answered at once, without a turn through promises).
 */
export function sendBlob(
  req: IncomingMessage,
  res: ServerResponse,
  source: BlobSource,
  blob: BlobResponse,
  preset: HeaderLines = [],
): number | Promise<number> {
  const etag = `"${blob.sha256}"`;
  const own: HeaderLines = [...preset];
  for (const [name, value] of Object.entries(blob.headers ?? {})) own.push(name, value);
  own.push('ETag', etag);
  if (blob.ranges) own.push('Accept-Ranges', 'bytes');
  if (fresh(req.headers, { etag })) {
    res.writeHead(304, [...own, 'Content-Type', blob.contentType]).end();
    return 0;
  }

  let range: ByteRange | undefined;
  const header = req.headers.range;
  // An If-Range naming other bytes asks for the whole file.
  if (blob.ranges && header && (!req.headers['if-range'] || req.headers['if-range'] === etag)) {
    const parsed = parseRange(blob.size, header, { combine: true });
    if (parsed === -1) return sendText(req, res, 416, 'Range not satisfiable\n', [...own, 'Content-Range', `bytes */${blob.size}`]);
    // A malformed header, or several ranges: the whole file, as send() does.
    if (parsed !== -2 && parsed.length === 1) range = parsed[0]!;
  }
  const length = range ? range.end - range.start + 1 : blob.size;
  const status = range ? 206 : 200;
  const head = [...own, 'Content-Type', blob.contentType, 'Content-Length', String(length)];
  if (range) head.push('Content-Range', `bytes ${range.start}-${range.end}/${blob.size}`);
  if (req.method === 'HEAD' || length === 0) {
    res.writeHead(status, head).end();
    return 0;
  }

  if (source.hot?.holds(blob.size)) {
    const send = (bytes: Buffer) => {
      res.writeHead(status, head).end(range ? bytes.subarray(range.start, range.end + 1) : bytes);
      return length;
    };
    const held = source.hot.read(blob.sha256, blob.size);
    return Buffer.isBuffer(held) ? send(held) : held.then(send, (err: unknown) => readFailed(req, res, blob, preset, err));
  }
  // The status line goes out with the first bytes, so a blob that cannot be read still gets its 500.
  return source.blobs.copyTo(blob.sha256, range ?? { start: 0, end: blob.size - 1 }, res, () => res.writeHead(status, head)).then(
    () => {
      res.end();
      return length;
    },
    (err: unknown) => readFailed(req, res, blob, preset, err),
  );
}
