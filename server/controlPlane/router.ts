// The control plane as one Express handler: match method + path in the operation table, read and
// validate the input, call core, write the output. Every operation goes through the same steps.
import type { NextFunction, Request, Response } from 'express';
import { NotImplementedError, ValidationError } from '../../core/errors.js';
import type { AssetDownload } from '../../core/registry/assets.js';
import type { Store } from '../../storage/ports.js';
import { requestContext, type ServerConfig } from '../context.js';
import { headerValue } from '../headerValues.js';
import type { HotBlobs } from '../hotBlobs.js';
import { sendBlob } from '../sendBlob.js';
import { sendError } from './errorResponse.js';
import { handlerFor } from './handlers.js';
import type { OperationSpec } from './operationSpec.js';
import { operations } from './operations.js';
import { readInput } from './readInput.js';
import { toWire } from './serialize.js';

const byRoute = new Map(operations.map((op) => [`${op.method} ${op.path}`, op]));
const pathsKnown = new Set(operations.map((op) => op.path));

export function findOperation(method: string, path: string): OperationSpec | undefined {
  return byRoute.get(`${method} ${path.replace(/\/+$/, '') || '/'}`);
}

/**
 * The streamed output (GetPackageVersionAsset): the blob, its members in the headers the table names (names a
 * client chose, so encoded by headerValue when they are not plain ASCII).
 */
function sendStreamingAsset(req: Request, res: Response, store: Store, hot: HotBlobs | undefined, op: OperationSpec, download: AssetDownload) {
  const headers = op.output!.headers;
  return sendBlob(req, res, { blobs: store.blobs, hot }, {
    sha256: download.sha256,
    size: download.size,
    contentType: 'application/octet-stream',
    headers: {
      [headers.assetName!]: headerValue(download.assetName),
      [headers.packageVersion!]: headerValue(download.packageVersion),
      [headers.packageVersionRevision!]: headerValue(download.packageVersionRevision),
    },
    ranges: false,
  });
}

export interface ControlPlaneOptions {
  /** Runs once the operation is known, before its input is read; throwing a CodeArtifactError answers it. */
  beforeOperation?: (op: OperationSpec, req: Request, res: Response) => Promise<void>;
  /** Small blobs kept in memory, for GetPackageVersionAsset. */
  hot?: HotBlobs;
}

export function controlPlane(store: Store, config: ServerConfig, options: ControlPlaneOptions = {}) {
  const { hot, ...hooks } = options;
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
      await hooks.beforeOperation?.(op, req, res);
      const input = await readInput(op, req, config.jsonLimits);
      const handler = handlerFor(op.name);
      if (!handler) throw new NotImplementedError(`${op.name} is not implemented by this emulator yet`);
      const output = await handler(store, ctx, input);
      if (op.output) return await sendStreamingAsset(req, res, store, hot, op, output as AssetDownload);
      res.status(200).type('application/json').send(JSON.stringify(toWire(output ?? {})));
    } catch (err) {
      sendError(res, op, err);
    }
  };
}
