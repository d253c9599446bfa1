// The PyPI repository endpoint: {PUBLIC_URL}/pypi/d/{domain}-{owner}/{repo}/
//   POST /              legacy upload (twine, poetry), with or without the trailing slash
//   GET  /simple/       project list             GET /simple/{project}/   project page
//   GET  /simple/{project}/{version}/{file}[.metadata]   files and PEP 658 metadata
import { Router } from 'express';
import { pypiFormat } from '../../../core/formats/pypi/format.js';
import type { FormatRouteDeps } from '../index.js';
import { endpointOf, repositoryEndpoint } from '../../packageEndpoints.js';
import { fileHandlers } from './files.js';
import { simpleHandlers } from './simple.js';
import { uploadHandler } from './upload.js';

export function pypiRoutes({ store, config, readPath, serving }: FormatRouteDeps): Router {
  const router = Router({ caseSensitive: true, strict: true });
  const base = '/pypi/d/:domainOwner/:repository';
  const endpoint = repositoryEndpoint(store, config, pypiFormat, serving.tokens);
  const simple = simpleHandlers(readPath, serving);
  const files = fileHandlers(readPath, serving);
  const upload = uploadHandler(store, config.uploadLimits);

  router.post([base, `${base}/`], endpoint, upload);
  router.get(`${base}/simple`, endpoint, (_req, res) => {
    res.redirect(301, `${endpointOf(res).basePath}/simple/`);
  });
  router.get(`${base}/simple/`, endpoint, simple.projectList);
  router.get([`${base}/simple/:project`, `${base}/simple/:project/`], endpoint, simple.project);
  router.get(`${base}/simple/:project/:version/:filename`, endpoint, files.download);
  return router;
}
