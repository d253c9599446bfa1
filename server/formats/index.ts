// The HTTP side of each package format: its routes, mounted by app.ts in one loop over the core registry.
// A format without routes yet still has an endpoint URL (GetRepositoryEndpoint hands it out); it answers
// 501 naming the format rather than a bare 404.
import { Router, type Request, type Response } from 'express';
import type { PackageFormat } from '@aws-sdk/client-codeartifact';
import { FORMATS, type PackageFormatModule } from '../../core/formats/index.js';
import type { ReadPath } from '../../core/readPath/readPath.js';
import type { Store } from '../../storage/ports.js';
import type { ServerConfig } from '../config.js';
import { sendEndpointError } from '../packageEndpoints.js';
import type { Serving } from '../serving.js';
import { pypiRoutes } from './pypi/routes.js';

/** What a format's routes are built from. */
export interface FormatRouteDeps {
  store: Store;
  config: ServerConfig;
  readPath: ReadPath;
  serving: Serving;
}

type RoutesOf = (deps: FormatRouteDeps) => Router;

const ROUTES: Partial<Record<PackageFormat, RoutesOf>> = {
  pypi: pypiRoutes,
};

function notServedYet(format: PackageFormatModule): Router {
  const router = Router({ caseSensitive: true, strict: true });
  router.all(/.*/, (req: Request, res: Response, next) => {
    if (!req.path.startsWith(`/${format.name}/d/`)) return next();
    sendEndpointError(
      res,
      501,
      format.packageManagerEndpoint
        ? `${format.displayName} repository endpoints are not supported by this emulator yet; the control plane stores and lists ${format.name} packages`
        : `${format.displayName} packages have no package-manager endpoint: use PublishPackageVersion and GetPackageVersionAsset`,
    );
  });
  return router;
}

/** The routes of every format, in registry order. */
export function formatRoutes(deps: FormatRouteDeps): Router[] {
  return Object.values(FORMATS).map((format) => ROUTES[format.name]?.(deps) ?? notServedYet(format));
}
