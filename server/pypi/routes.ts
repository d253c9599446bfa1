// The PyPI repository endpoint: {PUBLIC_URL}/pypi/d/{domain}-{owner}/{repo}/
//   POST /              legacy upload (twine, poetry), with or without the trailing slash
//   GET  /simple/       project list             GET /simple/{project}/   project page
//   GET  /simple/{project}/{version}/{file}[.metadata]   files and PEP 658 metadata
import { Router } from 'express';
import type { Store } from '../../storage/store.js';
import type { ServerConfig } from '../config.js';
import { repositoryEndpoint, type PackageEndpointLocals } from '../packageEndpoints.js';
import { fileHandlers } from './files.js';
import { simpleHandlers } from './simple.js';
import { uploadHandler } from './upload.js';

export function pypiRoutes(store: Store, config: ServerConfig): Router {
  const router = Router({ caseSensitive: true, strict: true });
  const base = '/pypi/d/:domainOwner/:repository';
  const endpoint = repositoryEndpoint(store, config, 'pypi');
  const simple = simpleHandlers(store);
  const files = fileHandlers(store);
  const upload = uploadHandler(store);

  router.post([base, `${base}/`], endpoint, upload);
  router.get(`${base}/simple`, endpoint, (_req, res) => {
    res.redirect(301, `${(res.locals.endpoint as PackageEndpointLocals).basePath}/simple/`);
  });
  router.get(`${base}/simple/`, endpoint, simple.projectList);
  router.get([`${base}/simple/:project`, `${base}/simple/:project/`], endpoint, simple.project);
  router.get(`${base}/simple/:project/:version/:filename`, endpoint, files.download);
  return router;
}
