// What all package-format endpoints share: finding the repository a URL names, in either form AWS uses,
// and authorizing the request with a token from GetAuthorizationToken.
//   path style:    /{format}/d/{domain}-{owner}/{repo}/...   (what GetRepositoryEndpoint returns)
//   virtual host:  Host {domain}-{owner}.d.codeartifact.{region}.<anything>, path /{format}/{repo}/...
import type { NextFunction, Request, Response } from 'express';
import type { RequestContext } from '../core/context.js';
import { checkAuthorizationToken } from '../core/registry/tokens.js';
import { findDomain, type DomainRow } from '../storage/domains.js';
import { findRepository, type RepositoryRow } from '../storage/repositories.js';
import type { Store } from '../storage/store.js';
import type { ServerConfig } from './config.js';
import { requestContext } from './context.js';

const VIRTUAL_HOST = /^([a-z][a-z0-9-]{0,48}[a-z0-9])-(\d{12})\.d\.codeartifact\.[a-z0-9-]+\./i;
const FORMATS = ['pypi', 'npm', 'maven', 'nuget', 'generic', 'ruby', 'swift', 'cargo'];

/** Requests that arrived in the virtual-host form: their redirects must stay in that form. */
const arrivedVirtual = new WeakSet<Request>();

/** Rewrites virtual-host requests to the path-style form, so one set of routes serves both. */
export function virtualHostRewrite(req: Request, _res: Response, next: NextFunction) {
  const host = req.get('host') ?? '';
  const m = VIRTUAL_HOST.exec(host);
  if (m) {
    const segments = req.url.split('/');
    // ['', format, repo, ...]
    if (segments.length >= 3 && FORMATS.includes(segments[1]!) && segments[2] !== 'd') {
      segments.splice(2, 0, 'd', `${m[1]!.toLowerCase()}-${m[2]}`);
      req.url = segments.join('/');
      arrivedVirtual.add(req);
    }
  }
  next();
}

/** `{domain}-{owner}`: the owner is the 12 digits after the last dash. */
export function parseDomainSegment(segment: string): { domain: string; owner: string } | undefined {
  const m = /^(.+)-(\d{12})$/.exec(segment);
  return m ? { domain: m[1]!, owner: m[2]! } : undefined;
}

export interface PackageEndpointLocals {
  ctx: RequestContext;
  domain: DomainRow;
  repository: RepositoryRow;
  /** The repository's base path as the client used it: /pypi/d/my-domain-000000000000/my-repo, or
   *  /pypi/my-repo on a virtual host. */
  basePath: string;
}

function challenge(res: Response, realm: string, status: 401 | 403, message: string) {
  if (status === 401)
    res.set('WWW-Authenticate', `Basic realm="${realm}", Bearer realm="${realm}"`);
  res.status(status).type('text/plain').send(`${message}\n`);
}

/** Basic aws:<token> (pip, twine, poetry) or Bearer <token> (npm). Any Basic user name is accepted. */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * Resolves `/{format}/d/{domain}-{owner}/{repo}` and checks the token. Missing, unknown or expired
 * token: 401 with a challenge (pip and keyring retry only on 401). A valid token of another domain: 403.
 */
export function repositoryEndpoint(store: Store, config: ServerConfig, format: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const domainSegment = req.params.domainOwner as string;
    const repositoryName = req.params.repository as string;
    const parsed = parseDomainSegment(domainSegment);
    const domain = parsed && findDomain(store.db, parsed.owner, parsed.domain);
    const repository = domain && findRepository(store.db, domain.id, repositoryName);
    const realm = `${parsed?.domain ?? domainSegment}/${repositoryName}`;
    if (config.auth) {
      const token = tokenFromAuthorization(req.get('authorization'));
      if (!token) return challenge(res, realm, 401, 'Authentication required: use the token from GetAuthorizationToken');
      const check = checkAuthorizationToken(store, token, new Date());
      if (!check.ok)
        return challenge(
          res,
          realm,
          401,
          check.reason === 'expired' ? 'The authorization token has expired' : 'The authorization token is not valid',
        );
      if (!domain || check.domain.id !== domain.id)
        return challenge(res, realm, 403, `The authorization token is not valid for domain ${parsed?.domain ?? domainSegment}`);
    }
    if (!domain || !repository) {
      res.status(404).type('text/plain').send(`Repository not found: ${realm}\n`);
      return;
    }
    const locals: PackageEndpointLocals = {
      ctx: requestContext(req, res, config),
      domain,
      repository,
      basePath: arrivedVirtual.has(req)
        ? `/${format}/${repositoryName}`
        : `/${format}/d/${domainSegment}/${repositoryName}`,
    };
    res.locals.endpoint = locals;
    next();
  };
}
