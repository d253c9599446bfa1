// Sends a body held in memory with a strong ETag: 304 when the client already has it, no body for HEAD.
// Each returns the body bytes it sent (for the request log).
// Plain node:http calls only, so the fast lane (server/fastLane) and the Express routes answer alike:
// `preset` are header lines to send first (the lane's replay of what the request chain had set; empty
// when the chain set them on `res` itself), then the response's own, in a fixed order.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Header lines as node:http's writeHead takes them: name, value, name, value... */
export type HeaderLines = (string | number | string[])[];

export function sendBytes(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  etag: string,
  contentType: string,
  preset: HeaderLines = [],
): number {
  if (notModified(req, etag)) {
    sendNotModified(res, etag, contentType, preset);
    return 0;
  }
  res.writeHead(200, [...preset, 'ETag', etag, 'Content-Type', contentType, 'Content-Length', String(body.length)]);
  if (req.method === 'HEAD') {
    res.end();
    return 0;
  }
  res.end(body);
  return body.length;
}

/** Whether the client already has the representation `etag` names. */
export const notModified = (req: IncomingMessage, etag: string): boolean => req.headers['if-none-match'] === etag;

/** 304 for a body the client has, with the headers sendBytes gives it. */
export function sendNotModified(res: ServerResponse, etag: string, contentType: string, preset: HeaderLines = []): void {
  res.writeHead(304, [...preset, 'ETag', etag, 'Content-Type', contentType]).end();
}

/** A status and a line of text (what pip and twine print). */
export function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string, preset: HeaderLines = []): number {
  const body = Buffer.from(text, 'utf8');
  res.writeHead(status, [...preset, 'Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(body.length)]);
  res.end(req.method === 'HEAD' ? undefined : body);
  return req.method === 'HEAD' ? 0 : body.length;
}
