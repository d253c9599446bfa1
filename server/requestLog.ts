// One log line per request, written when its response is done (or abandoned):
//   {"level":"warn","time":…,"pid":…,"msg":"request","method":"GET","path":"/pypi/d/acme-000000000000/team/simple/x/",
//    "status":401,"ms":0.8,"bytes":68,"requestId":"…","reason":"Authentication required: …"}
// Never a header: no Authorization, no cookie. The path loses any user:password@ (an absolute-form request may
// carry one) and the values of query parameters whose names look secret.
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { log, logRequest } from './log.js';

const SECRET_NAME = /token|passw|secret|signature|credential|authoriz|session|key/i;
const MAX_PATH = 2048;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** The request target fit for a log: no userinfo, no secret-looking query values, bounded. */
export function loggablePath(url: string): string {
  let target = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  const q = target.indexOf('?');
  if (q >= 0) {
    const params = target
      .slice(q + 1)
      .split('&')
      .map((pair) => {
        const name = pair.split('=', 1)[0]!;
        return SECRET_NAME.test(decoded(name)) ? `${name}=REDACTED` : pair;
      });
    target = `${target.slice(0, q)}?${params.join('&')}`;
  }
  return target.length > MAX_PATH ? `${target.slice(0, MAX_PATH)}...` : target;
}

/**
 * Why a request failed, for its log line: the package endpoints' and the control plane's error writers call
 * this with the message they send (and the control plane with its error code).
 */
export function noteFailure(res: ServerResponse, reason: string, code?: string): void {
  // Express responses have locals; the fast lane's plain ones get them here.
  const locals = ((res as Partial<Response>).locals ??= {}) as Record<string, unknown>;
  locals.reason = reason.length > 500 ? `${reason.slice(0, 500)}...` : reason;
  if (code) locals.errorCode = code;
}

const sizeOf = (chunk: unknown, encoding: unknown) =>
  typeof chunk === 'string'
    ? Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
    : chunk instanceof Uint8Array
      ? chunk.length
      : 0;

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;
type End = (chunk?: unknown, ...rest: unknown[]) => Response;

/**
 * Writes the request's line once its response is done or abandoned. `sent` says what went out: the body bytes
 * and the request id (the Express chain counts and sets them on `res`; the fast lane knows them).
 */
export function logWhenDone(req: IncomingMessage, res: ServerResponse, start: number, sent: { bytes(): number; requestId(): unknown }) {
  res.once('close', () => {
    const status = res.headersSent ? res.statusCode : undefined;
    // A plain success at a level that does not log successes: nothing to build.
    if (status !== undefined && status < 400 && res.writableFinished && !log.isLevelEnabled('info')) return;
    const line: Record<string, unknown> = {
      method: req.method,
      path: loggablePath((req as Partial<Request>).originalUrl ?? req.url ?? ''),
      status: status ?? null,
      ms: Math.round((performance.now() - start) * 10) / 10,
      bytes: req.method === 'HEAD' || status === 304 ? 0 : sent.bytes(),
      requestId: sent.requestId(),
    };
    const { virtualHost, reason, errorCode } = ((res as Partial<Response>).locals ?? {}) as Record<string, string | undefined>;
    if (virtualHost) line.vhost = virtualHost;
    if (errorCode) line.error = errorCode;
    if (reason) line.reason = reason;
    if (!res.writableFinished) line.aborted = true;
    if (log.isLevelEnabled('debug')) {
      line.remote = req.socket.remoteAddress;
      line.ua = req.headers['user-agent'];
    }
    // Failures of the server are errors; a client's (4xx, leaving before the answer) and what is not
    // implemented here (501) are warnings.
    const failed = status !== undefined && status >= 500 && status !== 501;
    const level = failed ? 'error' : status === undefined || status >= 400 || line.aborted ? 'warn' : 'info';
    logRequest(level, line);
  });
}

export function requestLog() {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = performance.now();
    // Body bytes as the app hands them over (what it sent, or tried to before the client left).
    let bytes = 0;
    const write = res.write as unknown as Write;
    const end = res.end as unknown as End;
    (res as unknown as { write: Write }).write = function (this: Response, chunk, ...rest) {
      bytes += sizeOf(chunk, rest[0]);
      return write.call(this, chunk, ...rest);
    };
    (res as unknown as { end: End }).end = function (this: Response, chunk, ...rest) {
      if (typeof chunk !== 'function') bytes += sizeOf(chunk, rest[0]);
      return end.call(this, chunk, ...rest);
    };
    logWhenDone(req, res, start, { bytes: () => bytes, requestId: () => res.getHeader('x-amzn-RequestId') });
    next();
  };
}
