// The whole request chain, in order.
import express, { type NextFunction, type Request, type Response } from 'express';
import { newRequestId } from '../core/ids.js';
import type { Store } from '../storage/store.js';
import type { ServerConfig } from './config.js';
import { controlPlane } from './controlPlane/router.js';
import { virtualHostRewrite } from './packageEndpoints.js';
import { absoluteFormRequests, ownHostNames } from './proxy/absoluteForm.js';
import { clientEnvRoutes, type ClientEnvironment } from './proxy/clientEnv.js';
import { pypiRoutes } from './pypi/routes.js';
import { uiRoutes } from './ui/routes.js';

export interface AppOptions {
  /** The local CA and what clients set to trust it; without it /_local/env and /_local/ca.pem answer 404. */
  localTls?: { caPem: string; clientEnv: ClientEnvironment };
}

export function createApp(store: Store, config: ServerConfig, options: AppOptions = {}) {
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
  app.use(controlPlane(store, config));

  // 5. Package endpoints. Virtual-host requests ({domain}-{owner}.d.codeartifact.{region}...) are first
  //    rewritten to the path-style form GetRepositoryEndpoint hands out.
  app.use(virtualHostRewrite);
  app.use(pypiRoutes(store, config));

  // 6. A read-only web UI at / for people.
  app.use(uiRoutes(store, config));

  // 7. Anything else.
  app.use((req: Request, res: Response) => {
    res.status(404).type('text/plain').send(`Not found: ${req.method} ${req.path}\n`);
  });
  return app;
}
