// GET .../simple/ and .../simple/{project}/: PEP 503 HTML or PEP 691 JSON, chosen by Accept, over the
// repository and its upstreams (core/readPath). Pages are rendered once per change of what they show.
import type { Request, Response } from 'express';
import { pypiFormat } from '../../../core/formats/pypi/format.js';
import { normalizeProjectName } from '../../../core/formats/pypi/names.js';
import { buildProjectPage } from '../../../core/formats/pypi/simpleIndex.js';
import { pageKey, resolvePackage, visibleFiles } from '../../../core/readPath/packageView.js';
import { resolveProjectList, visibleProjectBatches, type ProjectBatch } from '../../../core/readPath/projectList.js';
import type { ReadPath } from '../../../core/readPath/readPath.js';
import type { RepositoryRecord } from '../../../storage/ports.js';
import { endpointOf, sendEndpointError } from '../../packageEndpoints.js';
import { notModified, sendBytes, sendNotModified } from '../../sendBytes.js';
import type { Serving } from '../../serving.js';
import { negotiate, type Choice } from './negotiate.js';
import { PageCache, projectListEtag, projectListWriter, renderProject, type Rendered } from './render.js';

/** A streamed project list at most this long is kept whole once written (100,000 projects: about 5 MiB). */
export const MAX_KEPT_LIST_BYTES = 32 * 1024 * 1024;

function cacheHeaders(res: Response) {
  res.setHeader('Vary', 'Accept');
  res.setHeader('Cache-Control', 'max-age=0, must-revalidate');
}

function send(req: Request, res: Response, serving: Serving, choice: Choice, page: Rendered, freshUntil?: number) {
  cacheHeaders(res);
  serving.lane?.offerBytes(req, res, page.body, page.etag, choice.contentType, { domainId: endpointOf(res).domain.id, freshUntil });
  sendBytes(req, res, page.body, page.etag, choice.contentType);
}

/**
 * Writes a chunk; resolves once more may be written (at once, or after 'drain' when the client reads slower
 * than we produce), after letting other requests run: false when the client has gone.
 */
function write(res: Response, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return new Promise((resolve) => setImmediate(() => resolve(!res.destroyed)));
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

const namesOf = (batch: ProjectBatch) => batch.projects.map((p) => p.normalizedName);

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

  /** What the list of `repository` shows now, as its cache key; undefined once the repository is gone. */
  async function currentListKey(repository: RepositoryRecord, choice: Choice): Promise<string | undefined> {
    const fresh = await rp.store.repositories.findById(repository.id);
    return fresh && `list|${(await resolveProjectList(rp.store, fresh, pypiFormat)).cacheKey}|${choice.format}`;
  }

  /**
   * The repository's project list. Its ETag comes from what it shows (known before any name is read), so a
   * revalidation costs no rows. A list that fits in the first page of rows is rendered, kept and sent like any
   * page (and offered to the fast lane); a longer one is streamed as its names are read, a page of rows at a
   * time with back-pressure, and kept whole afterwards if nothing it shows changed while it was written.
   */
  async function projectList(req: Request, res: Response) {
    const { repository } = endpointOf(res);
    const choice = negotiate(req.get('accept'));
    if (!choice) return notAcceptable(res);
    const view = await resolveProjectList(rp.store, repository, pypiFormat);
    const slot = `list|${repository.id}|${choice.format}`;
    const key = `list|${view.cacheKey}|${choice.format}`;
    const cached = cache.get(slot, key);
    if (cached) return send(req, res, serving, choice, cached);
    const etag = projectListEtag(rp.store.secret, key);
    if (notModified(req, etag)) {
      cacheHeaders(res);
      return sendNotModified(res, etag, choice.contentType);
    }

    const writer = projectListWriter(choice.format);
    const batches = visibleProjectBatches(rp.store, view, pypiFormat);
    const first = await batches.next();
    if (first.done || !first.value.more) {
      const page = { body: Buffer.from(writer.head + (first.done ? '' : writer.entries(namesOf(first.value))) + writer.tail), etag };
      cache.set(slot, key, page);
      return send(req, res, serving, choice, page);
    }

    cacheHeaders(res);
    res.writeHead(200, ['ETag', etag, 'Content-Type', choice.contentType]);
    if (req.method === 'HEAD') {
      await batches.return(undefined);
      return void res.end();
    }
    let kept: Buffer[] | undefined = [];
    let keptBytes = 0;
    const put = (text: string) => {
      const chunk = Buffer.from(text, 'utf8');
      keptBytes += chunk.length;
      if (keptBytes > MAX_KEPT_LIST_BYTES) kept = undefined;
      kept?.push(chunk);
      return write(res, chunk);
    };
    let open = await put(writer.head + writer.entries(namesOf(first.value)));
    if (open) {
      for await (const batch of batches) {
        open = await put(writer.entries(namesOf(batch)));
        if (!open) break; // the client went away: read no further
      }
    }
    if (!open) return void res.destroy();
    const tail = Buffer.from(writer.tail, 'utf8');
    kept?.push(tail);
    res.end(tail);
    if (kept && (await currentListKey(repository, choice)) === key) cache.set(slot, key, { body: Buffer.concat(kept), etag });
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
    const slot = `project|${repository.id}|${normalized}|${choice.format}`;
    const key = `project|${viewKey}|${choice.format}`;
    let page = cache.get(slot, key);
    if (!page) {
      const data = buildProjectPage(normalized, await visibleFiles(rp, view, listings));
      if (data.files.length === 0) return notFound();
      page = renderProject(data, choice.format);
      cache.set(slot, key, page);
    }
    send(req, res, serving, choice, page, Math.min(...listings.map((l) => l.freshUntil)));
  }

  return { projectList, project };
}
