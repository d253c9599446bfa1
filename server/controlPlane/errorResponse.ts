// The one place a CodeArtifact error becomes an HTTP response: declared status, x-amzn-ErrorType,
// and a JSON body of `message` plus the modeled members.
import type { Response } from 'express';
import { CodeArtifactError, InternalServerError, ValidationError } from '../../core/errors.js';
import { log } from '../log.js';
import { noteFailure } from '../requestLog.js';
import type { OperationSpec } from './operationSpec.js';
import { toWire } from './serialize.js';

/**
 * SDKs can only map errors an operation declares; an undeclared one (say ResourceNotFound from
 * DeleteDomain) goes out as a ValidationException carrying the same message.
 */
function declared(op: OperationSpec | undefined, err: CodeArtifactError): CodeArtifactError {
  if (!op || err.kind === 'NotImplemented' || op.errors.includes(err.kind as never)) return err;
  return new ValidationError(err.message, 'OTHER');
}

export function sendError(res: Response, op: OperationSpec | undefined, error: unknown): void {
  let err: CodeArtifactError;
  if (error instanceof CodeArtifactError) err = declared(op, error);
  else {
    log.error({ err: error, operation: op?.name }, 'operation failed');
    err = new InternalServerError('An internal error occurred');
  }
  noteFailure(res, error instanceof CodeArtifactError ? err.message : `${(error as Error)?.message ?? error}`, err.code);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .status(err.status)
    .set('x-amzn-ErrorType', err.code)
    .set(err.headers())
    .type('application/json')
    .send(JSON.stringify(toWire({ message: err.message, ...err.fields() })));
}
