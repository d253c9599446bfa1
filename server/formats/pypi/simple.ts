// GET .../simple/ and .../simple/{project}/: PEP 503 HTML or PEP 691 JSON, chosen by Accept, over the
// repository and its upstreams (core/readPath). Pages are rendered once per change of what they show.
import type { Request, Response } from 'express';
import { pypiFormat } from '../../../core/formats/pypi/format.js';
import { normalizeProjectName } from '../../../core/formats/pypi/names.js';
import { buildProjectList, buildProjectPage } from '../../../core/formats/pypi/simpleIndex.js';
import { pageKey, resolvePackage, visibleFiles } from '../../../core/readPath/packageView.js';
import { resolveProjectList, visibleProjects } from '../../../core/readPath/projectList.js';
import type { ReadPath } from '../../../core/readPath/readPath.js';
import { endpointOf, sendEndpointError } from '../../packageEndpoints.js';
import { sendBytes } from '../../sendBytes.js';
import type { Serving } from '../../serving.js';
import { negotiate, type Choice } from './negotiate.js';
import { PageCache, renderProject, renderProjectList, type Rendered } from './render.js';

function send(req: Request, res: Response, serving: Serving, choice: Choice, page: Rendered, freshUntil?: number) {
  res.setHeader('Vary', 'Accept');
  res.setHeader('Cache-Control', 'max-age=0, must-revalidate');
  serving.lane?.offerBytes(req, res, page.body, page.etag, choice.contentType, { domainId: endpointOf(res).domain.id, freshUntil });
  sendBytes(req, res, page.body, page.etag, choice.contentType);
}

function notAcceptable(res: Response) {
  sendEndpointError(
    res,
    406,
    'Not acceptable: this index serves application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html and text/html',
    { Vary: 'Accept' },
  );
}

export function simpleHandlers(rp: ReadPath, serving: Serving) {
  const cache = new PageCache();

  async function projectList(req: Request, res: Response) {
    const { repository } = endpointOf(res);
    const choice = negotiate(req.get('accept'));
    if (!choice) return notAcceptable(res);
    const view = await resolveProjectList(rp.store, repository, pypiFormat);
    const key = `list|${view.cacheKey}|${choice.format}`;
    let page = cache.get(key);
    if (!page) {
      const names = (await visibleProjects(rp.store, view, pypiFormat)).map((p) => p.normalizedName);
      page = renderProjectList(buildProjectList(names), choice.format);
      cache.set(key, page);
    }
    send(req, res, serving, choice, page);
  }

  async function project(req: Request, res: Response) {
    const { repository, basePath } = endpointOf(res);
    const requested = req.params.project as string;
    const normalized = normalizeProjectName(requested);
    if (requested !== normalized || !req.path.endsWith('/'))
      return res.redirect(301, `${basePath}/simple/${encodeURIComponent(normalized)}/`);
    const choice = negotiate(req.get('accept'));
    if (!choice) return notAcceptable(res);
    const view = await resolvePackage(rp, repository, { format: pypiFormat, namespace: '', normalizedName: normalized });
    const notFound = () => sendEndpointError(res, 404, `Project not found: ${normalized} in repository ${repository.name}`);
    if (view.sources.length === 0 && view.externals.length === 0) return notFound();
    const { key: viewKey, listings } = await pageKey(rp, view);
    const key = `project|${viewKey}|${choice.format}`;
    let page = cache.get(key);
    if (!page) {
      const data = buildProjectPage(normalized, await visibleFiles(rp, view, listings));
      if (data.files.length === 0) return notFound();
      page = renderProject(data, choice.format);
      cache.set(key, page);
    }
    send(req, res, serving, choice, page, Math.min(...listings.map((l) => l.freshUntil)));
  }

  return { projectList, project };
}
