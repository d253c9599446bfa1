// Where faults meet requests. Two doors:
//   - the control plane calls operationFaults once it knows the operation, before reading the input: a hit
//     waits its latency, then throws a modeled error, which the control plane's own error writer answers
//     (status, x-amzn-ErrorType, JSON body, Retry-After), exactly as AWS would;
//   - routeFaults is an Express middleware in front of the package endpoints (and the web UI): a hit waits its
//     latency, then answers its status with a line of text (and Retry-After), or lets the request go on.
// /health, /_local/ and the control plane's /v1/ paths never reach a route rule.
import type { NextFunction, Request, Response } from 'express';
import type { OperationSpec } from '../controlPlane/operationSpec.js';
import { sendEndpointError } from '../packageEndpoints.js';
import type { FaultInjector } from './injector.js';
import { MODELED_ERRORS } from './modeledErrors.js';

const requestIdOf = (res: Response) => String(res.getHeader('x-amzn-RequestId') ?? '');

const delay = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

const exempt = (path: string) => path === '/health' || path.startsWith('/_local/') || path.startsWith('/v1/');

/** For the control plane: resolves to carry on, rejects with the injected error. */
export function operationFaults(injector: FaultInjector) {
  return async (op: OperationSpec, _req: Request, res: Response): Promise<void> => {
    if (!injector.active) return;
    const injection = injector.forOperation(op.name, requestIdOf(res));
    if (!injection) return;
    await delay(injection.latencyMs);
    if (injection.error) throw MODELED_ERRORS[injection.error]!.make(injection.message, injection.retryAfter);
  };
}

export function routeFaults(injector: FaultInjector) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!injector.active || exempt(req.path)) return next();
    const injection = injector.forRoute(req.method, req.path, requestIdOf(res));
    if (!injection) return next();
    void delay(injection.latencyMs).then(() => {
      if (injection.status === undefined) return next();
      const headers: Record<string, string> = injection.retryAfter !== undefined ? { 'Retry-After': String(injection.retryAfter) } : {};
      sendEndpointError(res, injection.status, injection.message, headers);
    });
  };
}
