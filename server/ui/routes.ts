// A small read-only web UI: domains and repositories, a repository's packages, a package's versions
// and assets, with the commands to use them. It reads through the same core operations as the API.
import { Router, type Request, type Response } from 'express';
import { CodeArtifactError } from '../../core/errors.js';
import { listPackageVersionAssets } from '../../core/registry/assets.js';
import { describeDomain, listDomains } from '../../core/registry/domains.js';
import { getRepositoryEndpoint } from '../../core/registry/endpoints.js';
import { listPackages } from '../../core/registry/packages.js';
import { describeRepository, listRepositoriesInDomain } from '../../core/registry/repositories.js';
import { listPackageVersions } from '../../core/registry/versions.js';
import type { Store } from '../../storage/ports.js';
import type { ServerConfig } from '../config.js';
import { createHash } from 'node:crypto';
import { requestContext } from '../context.js';
import { uiContentSecurityPolicy } from '../securityHeaders.js';
import { noteFailure } from '../requestLog.js';
import { sendBytes } from '../sendBytes.js';
import { view, viewAsset } from '../views.js';

function render(res: Response, name: string, locals: Record<string, unknown>) {
  res.type('text/html; charset=utf-8').send(view(`ui/${name}`)(locals));
}

/** Enough for a browsing page; the API paginates properly. */
const PAGE = 1000;

export function uiRoutes(store: Store, config: ServerConfig): Router {
  const router = Router();
  // The pages' only stylesheet, so their CSP needs no 'unsafe-inline'. Read on first request.
  let stylesheet: { body: Buffer; etag: string } | undefined;
  router.get('/ui/style.css', (req, res) => {
    if (!stylesheet) {
      const body = viewAsset('ui/style.css');
      stylesheet = { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
    }
    res.set('Cache-Control', 'public, max-age=300');
    sendBytes(req, res, stylesheet.body, stylesheet.etag, 'text/css; charset=utf-8');
  });
  const ctxOf = (req: Request, res: Response) => requestContext(req, res, config);
  const guard =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    async (req: Request, res: Response) => {
      try {
        await fn(req, res);
      } catch (err) {
        if (!(err instanceof CodeArtifactError)) throw err;
        noteFailure(res, err.message, err.code);
        res.status(err.status === 404 ? 404 : 400).type('text/plain').send(`${err.message}\n`);
      }
    };

  router.get(
    '/',
    uiContentSecurityPolicy,
    guard(async (req, res) => {
      const ctx = ctxOf(req, res);
      const summaries = (await listDomains(store, ctx, { maxResults: PAGE })).domains ?? [];
      const domains = await Promise.all(
        summaries.map(async (summary) => {
          const d = (await describeDomain(store, ctx, { domain: summary.name, domainOwner: summary.owner })).domain!;
          const inDomain = await listRepositoriesInDomain(store, ctx, { domain: d.name, domainOwner: d.owner, maxResults: PAGE });
          const repositories = await Promise.all(
            (inDomain.repositories ?? []).map(async (r) => ({
              ...r,
              upstreams: (
                (await describeRepository(store, ctx, { domain: d.name, domainOwner: d.owner, repository: r.name }))
                  .repository?.upstreams ?? []
              ).map((u) => u.repositoryName),
            })),
          );
          return { ...d, repositories };
        }),
      );
      render(res, 'home', { title: 'Domains', domains, publicUrl: ctx.publicUrl });
    }),
  );

  router.get(
    '/ui/:domain/:repository',
    uiContentSecurityPolicy,
    guard(async (req, res) => {
      const ctx = ctxOf(req, res);
      const ref = { domain: req.params.domain as string, repository: req.params.repository as string };
      const repository = (await describeRepository(store, ctx, ref)).repository!;
      const page = await listPackages(store, ctx, { ...ref, maxResults: PAGE });
      render(res, 'repository', {
        title: ref.repository,
        domain: ref.domain,
        repository: ref.repository,
        description: repository.description,
        packages: page.packages ?? [],
        truncated: Boolean(page.nextToken),
        publicUrl: ctx.publicUrl,
        pypiEndpoint: (await getRepositoryEndpoint(store, ctx, { ...ref, format: 'pypi' })).repositoryEndpoint,
      });
    }),
  );

  router.get(
    '/ui/:domain/:repository/:format/:package',
    uiContentSecurityPolicy,
    guard(async (req, res) => {
      const ctx = ctxOf(req, res);
      const namespace = typeof req.query.namespace === 'string' ? req.query.namespace : undefined;
      const ref = {
        domain: req.params.domain as string,
        repository: req.params.repository as string,
        format: req.params.format as never,
        package: req.params.package as string,
        namespace,
      };
      const list = await listPackageVersions(store, ctx, { ...ref, maxResults: PAGE, sortBy: 'PUBLISHED_TIME' });
      const versions = await Promise.all(
        (list.versions ?? []).map(async (v) => ({
          ...v,
          assets:
            (await listPackageVersionAssets(store, ctx, { ...ref, packageVersion: v.version, maxResults: PAGE })).assets ?? [],
        })),
      );
      const endpoint = (await getRepositoryEndpoint(store, ctx, ref)).repositoryEndpoint!;
      render(res, 'package', {
        title: ref.package,
        ...ref,
        name: list.package,
        defaultDisplayVersion: list.defaultDisplayVersion,
        versions,
        simpleUrl: `${endpoint}simple/`,
      });
    }),
  );
  return router;
}
