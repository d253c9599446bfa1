// The whole request chain, in order.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { newRequestId } from '../core/ids.js';
import { createReadPath, type ReadPath } from '../core/readPath/readPath.js';
import type { Store } from '../storage/ports.js';
import type { ServerConfig } from './config.js';
import { controlPlane } from './controlPlane/router.js';
import { FaultInjector } from './faults/injector.js';
import { stdoutFaultLog, type FaultLog } from './faults/log.js';
import { operationFaults, routeFaults } from './faults/middleware.js';
import { faultRoutes } from './faults/routes.js';
import { formatRoutes } from './formats/index.js';
import { healthRoute } from './health.js';
import { log } from './log.js';
import { virtualHostRewrite } from './packageEndpoints.js';
import { absoluteFormRequests, ownHostNames } from './proxy/absoluteForm.js';
import { clientEnvRoutes, type ClientEnvironment } from './proxy/clientEnv.js';
import { noteFailure, requestLog } from './requestLog.js';
import { securityHeaders } from './securityHeaders.js';
import { createServing, type Serving } from './serving.js';
import { uiRoutes } from './ui/routes.js';

export interface AppOptions {
  /** Tokens, hot blobs and the fast lane; without it, built from the configuration. */
  serving?: Serving;
  /** The read path of package endpoints (external sources, caches); without it, one with no external sources. */
  readPath?: ReadPath;
  /** The local CA and what clients set to trust it; without it /_local/env and /_local/ca.pem answer 404. */
  localTls?: { caPem: string; clientEnv: ClientEnvironment };
  /** Where injected faults are logged; default one JSON line on stdout. */
  faultLog?: FaultLog;
  /** Why the server is shutting down, once it is (/health then answers 503 "stopping"). */
  stopping?: () => string | undefined;
}

/** Which path segment did not decode (Express says "Failed to decode param '...'"), for the 400's text. */
function badEscape(req: Request, err: URIError): string {
  const segment = /param '(.*)'$/.exec(err.message)?.[1] ?? req.path.split('/').find((s) => {
    try {
      decodeURIComponent(s);
      return false;
    } catch {
      return true;
    }
  });
  const where = segment === undefined ? 'the URL path' : `the URL path segment '${segment.slice(0, 200)}'`;
  return `Bad request: ${where} has a malformed percent-escape or bytes that are not UTF-8 (percent-encode the UTF-8 bytes of each name)`;
}

/**
 * The last resort: a request that failed outside every route's own error handling. Malformed input (a bad
 * percent-escape, an unparsable body) is the client's 400; anything else is logged and answered 500.
 */
function unhandledError(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  const clientError = err instanceof URIError || (typeof status === 'number' && status >= 400 && status < 500);
  if (!clientError) log.error({ err, method: req.method, path: req.path }, 'request failed');
  if (res.headersSent) return void res.destroy();
  const message = err instanceof URIError ? badEscape(req, err) : clientError ? 'Bad request' : 'Internal error';
  noteFailure(res, clientError ? message : `${message}: ${(err as Error)?.message ?? err}`);
  res.status(clientError ? (err instanceof URIError ? 400 : status!) : 500).type('text/plain').send(`${message}\n`);
}

/** A node:http request listener: the fast lane (when on) in front of the Express app. */
export type AppListener = ((req: IncomingMessage, res: ServerResponse) => void) & { serving: Serving; express: Express };

export function createApp(store: Store, config: ServerConfig, options: AppOptions = {}): AppListener {
  const serving = options.serving ?? createServing(store, config);
  const faults = new FaultInjector(config.faults, options.faultLog ?? stdoutFaultLog);
  const app = expressApp(store, config, options, serving, faults);
  const lane = serving.lane;
  const listener = lane
    ? (req: IncomingMessage, res: ServerResponse) => {
        // While fault rules are set, every request goes where they apply.
        if (faults.active) return void app(req, res);
        const answered = lane.handle(req, res);
        if (answered === true) return;
        if (answered === false) return void app(req, res);
        answered.then(
          (done) => {
            if (!done) app(req, res);
          },
          (err: unknown) => {
            // Only a failure to read the change serial gets here, before anything was written.
            log.error({ err: (err as Error).message }, 'fast lane: cannot read the change serial');
            app(req, res);
          },
        );
      }
    : (req: IncomingMessage, res: ServerResponse) => void app(req, res);
  return Object.assign(listener, { serving, express: app });
}

function expressApp(store: Store, config: ServerConfig, options: AppOptions, serving: Serving, faults: FaultInjector): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Paths are case-sensitive and a trailing slash matters to the package endpoints.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  // 0. One log line per request, when its response is done (requestLog.ts).
  app.use(requestLog());

  // 1. Every response carries a request id, as AWS's do, and the security headers (securityHeaders.ts).
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('x-amzn-RequestId', newRequestId());
    next();
  });
  app.use(securityHeaders);

  // 2. Requests sent to us as an HTTP proxy (`GET http://host/path`) continue as if sent to that host.
  //    (CONNECT tunnels to AWS's HTTPS hosts arrive decrypted, as ordinary requests; see proxy/connect.ts.)
  const publicHost = config.publicUrl ? new URL(config.publicUrl).hostname : undefined;
  app.use(absoluteFormRequests(ownHostNames([config.host, publicHost])));

  // 3. Health (200 ok, or 503 with the reasons), what a user sets for tools that hardcode AWS's host names,
  //    and the fault rules (/_local/faults). Faults never apply to these.
  app.get('/health', healthRoute(store, { minFreeDiskBytes: config.minFreeDiskBytes, stopping: options.stopping }));
  if (options.localTls) app.use(clientEnvRoutes(options.localTls.clientEnv, options.localTls.caPem));
  app.use(faultRoutes(faults));

  // 4. The control plane: /v1/... operations as the AWS SDKs call them; fault rules by operation name apply
  //    once the operation is known, before its input is read.
  app.use(controlPlane(store, config, { beforeOperation: operationFaults(faults), hot: serving.hot }));

  // 5. Package endpoints, one set of routes per format. Fault rules by route see the path as the client sent
  //    it; then virtual-host requests ({domain}-{owner}.d.codeartifact.{region}...) are rewritten to the
  //    path-style form GetRepositoryEndpoint hands out.
  app.use(routeFaults(faults));
  app.use(virtualHostRewrite);
  const readPath = options.readPath ?? createReadPath(store);
  for (const routes of formatRoutes({ store, config, readPath, serving })) app.use(routes);

  // 6. A read-only web UI at / for people.
  app.use(uiRoutes(store, config));

  // 7. Anything else, and any error no route answered: a line of text, never a stack trace.
  app.use((req: Request, res: Response) => {
    const message = `Not found: ${req.method} ${req.path}`;
    noteFailure(res, message);
    res.status(404).type('text/plain').send(`${message}\n`);
  });
  app.use(unhandledError);
  return app;
}
