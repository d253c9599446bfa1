// The whole request chain, in order.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { newRequestId } from '../core/ids.js';
import { createReadPath, type ReadPath } from '../core/readPath/readPath.js';
import type { Store } from '../storage/ports.js';
import type { ServerConfig } from './config.js';
import { controlPlane } from './controlPlane/router.js';
import { formatRoutes } from './formats/index.js';
import { virtualHostRewrite } from './packageEndpoints.js';
import { absoluteFormRequests, ownHostNames } from './proxy/absoluteForm.js';
import { clientEnvRoutes, type ClientEnvironment } from './proxy/clientEnv.js';
import { createServing, type Serving } from './serving.js';
import { uiRoutes } from './ui/routes.js';

export interface AppOptions {
  /** Tokens, hot blobs and the fast lane; without it, built from the configuration. */
  serving?: Serving;
  /** The read path of package endpoints (external sources, caches); without it, one with no external sources. */
  readPath?: ReadPath;
  /** The local CA and what clients set to trust it; without it /_local/env and /_local/ca.pem answer 404. */
  localTls?: { caPem: string; clientEnv: ClientEnvironment };
}

/**
 * The last resort: a request that failed outside every route's own error handling. Malformed input (a bad
 * percent-escape, an unparsable body) is the client's 400; anything else is logged and answered 500.
 */
function unhandledError(err: unknown, req: Request, res: Response, _next: NextFunction) {
  const status = (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
  const clientError = err instanceof URIError || (typeof status === 'number' && status >= 400 && status < 500);
  if (!clientError) console.error(`${req.method} ${req.path} failed:`, err);
  if (res.headersSent) return void res.destroy();
  const message = err instanceof URIError ? 'Bad request: malformed percent-encoding in the URL' : clientError ? 'Bad request' : 'Internal error';
  res.status(clientError ? (err instanceof URIError ? 400 : status!) : 500).type('text/plain').send(`${message}\n`);
}

/** A node:http request listener: the fast lane (when on) in front of the Express app. */
export type AppListener = ((req: IncomingMessage, res: ServerResponse) => void) & { serving: Serving; express: Express };

export function createApp(store: Store, config: ServerConfig, options: AppOptions = {}): AppListener {
  const serving = options.serving ?? createServing(store, config);
  const app = expressApp(store, config, options, serving);
  const lane = serving.lane;
  const listener = lane
    ? (req: IncomingMessage, res: ServerResponse) => {
        const answered = lane.handle(req, res);
        if (answered === true) return;
        if (answered === false) return void app(req, res);
        answered.then(
          (done) => {
            if (!done) app(req, res);
          },
          (err: unknown) => {
            // Only a failure to read the change serial gets here, before anything was written.
            console.error(`fast lane: ${(err as Error).message}`);
            app(req, res);
          },
        );
      }
    : (req: IncomingMessage, res: ServerResponse) => void app(req, res);
  return Object.assign(listener, { serving, express: app });
}

function expressApp(store: Store, config: ServerConfig, options: AppOptions, serving: Serving): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Paths are case-sensitive and a trailing slash matters to the package endpoints.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  // 1. Every response carries a request id, as AWS's do.
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set('x-amzn-RequestId', newRequestId());
    next();
  });

  // 2. Requests sent to us as an HTTP proxy (`GET http://host/path`) continue as if sent to that host.
  //    (CONNECT tunnels to AWS's HTTPS hosts arrive decrypted, as ordinary requests; see proxy/connect.ts.)
  const publicHost = config.publicUrl ? new URL(config.publicUrl).hostname : undefined;
  app.use(absoluteFormRequests(ownHostNames([config.host, publicHost])));

  // 3. Liveness, and what a user sets for tools that hardcode AWS's host names.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (options.localTls) app.use(clientEnvRoutes(options.localTls.clientEnv, options.localTls.caPem));

  // 4. The control plane: /v1/... operations as the AWS SDKs call them.
  app.use(controlPlane(store, config, serving.hot));

  // 5. Package endpoints, one set of routes per format. Virtual-host requests
  //    ({domain}-{owner}.d.codeartifact.{region}...) are first rewritten to the path-style form
  //    GetRepositoryEndpoint hands out.
  app.use(virtualHostRewrite);
  const readPath = options.readPath ?? createReadPath(store);
  for (const routes of formatRoutes({ store, config, readPath, serving })) app.use(routes);

  // 6. A read-only web UI at / for people.
  app.use(uiRoutes(store, config));

  // 7. Anything else, and any error no route answered: a line of text, never a stack trace.
  app.use((req: Request, res: Response) => {
    res.status(404).type('text/plain').send(`Not found: ${req.method} ${req.path}\n`);
  });
  app.use(unhandledError);
  return app;
}
