// Sends a body held in memory with a strong ETag: 304 when the client already has it, no body for HEAD.
// Plain node:http calls only, so the fast lane (server/fastLane) and the Express routes answer alike.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendBytes(req: IncomingMessage, res: ServerResponse, body: Buffer, etag: string, contentType: string): void {
  res.setHeader('ETag', etag);
  res.setHeader('Content-Type', contentType);
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    return void res.end();
  }
  res.setHeader('Content-Length', String(body.length));
  res.statusCode = 200;
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A status and a line of text (what pip and twine print). */
export function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  const body = Buffer.from(text, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', String(body.length));
  res.end(req.method === 'HEAD' ? undefined : body);
}
