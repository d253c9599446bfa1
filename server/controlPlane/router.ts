// The control plane as one Express handler: match method + path in the operation table, read and
// validate the input, call core, write the output. Every operation goes through the same steps.
import type { NextFunction, Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { NotImplementedError, ValidationError } from '../../core/errors.js';
import type { AssetDownload } from '../../core/registry/assets.js';
import type { Store } from '../../storage/store.js';
import { requestContext, type ServerConfig } from '../context.js';
import { sendError } from './errorResponse.js';
import { handlers } from './handlers.js';
import type { OperationSpec } from './operationSpec.js';
import { operations } from './operations.js';
import { readInput } from './readInput.js';
import { toWire } from './serialize.js';

const byRoute = new Map(operations.map((op) => [`${op.method} ${op.path}`, op]));
const pathsKnown = new Set(operations.map((op) => op.path));

export function findOperation(method: string, path: string): OperationSpec | undefined {
  return byRoute.get(`${method} ${path.replace(/\/+$/, '') || '/'}`);
}

async function sendStreamingAsset(res: Response, op: OperationSpec, download: AssetDownload) {
  const headers = op.output!.headers;
  res.status(200);
  res.set('Content-Type', 'application/octet-stream');
  res.set('Content-Length', String(download.size));
  res.set(headers.assetName!, download.assetName);
  res.set(headers.packageVersion!, download.packageVersion);
  res.set(headers.packageVersionRevision!, download.packageVersionRevision);
  await pipeline(download.open(), res);
}

export function controlPlane(store: Store, config: ServerConfig) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (!path.startsWith('/v1/')) return next();
    const ctx = requestContext(req, res, config);
    const op = findOperation(req.method, path);
    try {
      if (!op) {
        throw new ValidationError(
          pathsKnown.has(path.replace(/\/+$/, ''))
            ? `Method ${req.method} is not allowed on ${path}`
            : `Unknown operation: ${req.method} ${path}`,
          'UNKNOWN_OPERATION',
        );
      }
      const handler = handlers[op.name];
      if (!handler) throw new NotImplementedError(`${op.name} is not implemented by this emulator yet`);
      const input = await readInput(op, req);
      const output = await handler(store, ctx, input);
      if (op.output) return await sendStreamingAsset(res, op, output as AssetDownload);
      res.status(200).type('application/json').send(JSON.stringify(toWire(output ?? {})));
    } catch (err) {
      sendError(res, op, err);
    }
  };
}
