// Sends a body held in memory with a strong ETag: 304 when the client already has it, no body for HEAD.
import type { Request, Response } from 'express';

export function sendBytes(req: Request, res: Response, body: Buffer, etag: string, contentType: string): void {
  res.set('ETag', etag).type(contentType);
  if (req.get('if-none-match') === etag) return void res.status(304).end();
  res.set('Content-Length', String(body.length)).status(200).end(req.method === 'HEAD' ? undefined : body);
}
