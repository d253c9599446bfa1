// GET .../simple/ and .../simple/{project}/: PEP 503 HTML or PEP 691 JSON, chosen by Accept.
import type { Request, Response } from 'express';
import { normalizeProjectName } from '../../core/pypi/names.js';
import { LISTED_STATUSES, buildProjectList, buildProjectPage } from '../../core/pypi/simpleIndex.js';
import { listDistributionFiles } from '../../storage/distributions.js';
import { findPackage, listPackageNamesWithStatus, repositorySerial } from '../../storage/packages.js';
import type { Store } from '../../storage/store.js';
import type { PackageEndpointLocals } from '../packageEndpoints.js';
import { sendBytes } from '../sendBytes.js';
import { negotiate, type Choice } from './negotiate.js';
import { PageCache, renderProject, renderProjectList, type Rendered } from './render.js';

function send(req: Request, res: Response, choice: Choice, page: Rendered) {
  res.set('Vary', 'Accept');
  res.set('Cache-Control', 'max-age=0, must-revalidate');
  sendBytes(req, res, page.body, page.etag, choice.contentType);
}

function notAcceptable(res: Response) {
  res
    .status(406)
    .set('Vary', 'Accept')
    .type('text/plain')
    .send('Not acceptable: this index serves application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html and text/html\n');
}

export function simpleHandlers(store: Store) {
  const cache = new PageCache();

  function projectList(req: Request, res: Response) {
    const { repository } = res.locals.endpoint as PackageEndpointLocals;
    const choice = negotiate(req.get('accept'));
    if (!choice) return notAcceptable(res);
    const key = `list:${repository.id}:${repositorySerial(store.db, repository.id)}:${choice.format}`;
    let page = cache.get(key);
    if (!page) {
      const names = listPackageNamesWithStatus(store.db, repository.id, 'pypi', LISTED_STATUSES).map(
        (p) => p.normalizedName,
      );
      page = renderProjectList(buildProjectList(names), choice.format);
      cache.set(key, page);
    }
    send(req, res, choice, page);
  }

  function project(req: Request, res: Response) {
    const { repository, basePath } = res.locals.endpoint as PackageEndpointLocals;
    const requested = req.params.project as string;
    const normalized = normalizeProjectName(requested);
    if (requested !== normalized || !req.path.endsWith('/'))
      return res.redirect(301, `${basePath}/simple/${encodeURIComponent(normalized)}/`);
    const choice = negotiate(req.get('accept'));
    if (!choice) return notAcceptable(res);
    const pkg = findPackage(store.db, {
      repositoryId: repository.id,
      format: 'pypi',
      namespace: '',
      normalizedName: normalized,
    });
    const notFound = () => res.status(404).type('text/plain').send(`Project not found: ${normalized}\n`);
    if (!pkg) return notFound();
    const key = `project:${pkg.id}:${pkg.generation}:${choice.format}`;
    let page = cache.get(key);
    if (!page) {
      const data = buildProjectPage(normalized, listDistributionFiles(store.db, pkg.id));
      if (data.files.length === 0) return notFound();
      page = renderProject(data, choice.format);
      cache.set(key, page);
    }
    send(req, res, choice, page);
  }

  return { projectList, project };
}
