// What all package-format endpoints share: finding the repository a URL names, in either form AWS uses,
// authorizing the request with a token from GetAuthorizationToken, and writing their errors.
//   path style:    /{format}/d/{domain}-{owner}/{repo}/...   (what GetRepositoryEndpoint returns)
//   virtual host:  Host {domain}-{owner}.d.codeartifact.{region}.<anything>, path /{format}/{repo}/...
import type { NextFunction, Request, Response } from 'express';
import type { RequestContext } from '../core/context.js';
import { FORMAT_NAMES, type PackageFormatModule } from '../core/formats/index.js';
import { checkAuthorizationToken } from '../core/registry/tokens.js';
import type { DomainRecord, RepositoryRecord, Store } from '../storage/ports.js';
import type { ServerConfig } from './config.js';
import { requestContext } from './context.js';
import { noteFailure } from './requestLog.js';
import type { TokenCache } from './tokenCache.js';

const VIRTUAL_HOST = /^([a-z][a-z0-9-]{0,48}[a-z0-9])-(\d{12})\.d\.codeartifact\.[a-z0-9-]+\./i;

/** Requests that arrived in the virtual-host form: their redirects must stay in that form. */
const arrivedVirtual = new WeakSet<Request>();

/** Rewrites virtual-host requests to the path-style form, so one set of routes serves both. */
export function virtualHostRewrite(req: Request, res: Response, next: NextFunction) {
  const host = req.get('host') ?? '';
  const m = VIRTUAL_HOST.exec(host);
  if (m) {
    const segments = req.url.split('/');
    // ['', format, repo, ...]
    if (segments.length >= 3 && (FORMAT_NAMES as string[]).includes(segments[1]!) && segments[2] !== 'd') {
      segments.splice(2, 0, 'd', `${m[1]!.toLowerCase()}-${m[2]}`);
      req.url = segments.join('/');
      arrivedVirtual.add(req);
      res.locals.virtualHost = host;
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
  domain: DomainRecord;
  repository: RepositoryRecord;
  /** The repository's base path as the client used it: /pypi/d/my-domain-000000000000/my-repo, or
   *  /pypi/my-repo on a virtual host. */
  basePath: string;
}

export const endpointOf = (res: Response) => res.locals.endpoint as PackageEndpointLocals;

/**
 * The one way package endpoints answer an error: a status and a line of text that pip, twine and npm
 * print. Header values never carry anything decoded from the URL unescaped. The message is also the
 * reason on the request's log line.
 */
export function sendEndpointError(res: Response, status: number, message: string, headers: Record<string, string> = {}) {
  noteFailure(res, message);
  res.status(status).set(headers).type('text/plain').send(`${message}\n`);
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

/** A realm is quoted in WWW-Authenticate: only safe characters of the names go in. */
const realmOf = (domain: string, repository: string) => `${domain}/${repository}`.replace(/[^A-Za-z0-9._~/-]/g, '_');

/**
 * Resolves `/{format}/d/{domain}-{owner}/{repo}` and checks the token. Missing, unknown or expired
 * token: 401 with a challenge (pip and keyring retry only on 401). A valid token of another domain: 403.
 */
export function repositoryEndpoint(store: Store, config: ServerConfig, format: PackageFormatModule, tokens: TokenCache) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const domainSegment = req.params.domainOwner as string;
    const repositoryName = req.params.repository as string;
    const parsed = parseDomainSegment(domainSegment);
    const domain = parsed && (await store.domains.find(parsed.owner, parsed.domain));
    const repository = domain && (await store.repositories.find(domain.id, repositoryName));
    const domainName = parsed?.domain ?? domainSegment;
    if (config.auth) {
      const realm = realmOf(domainName, repositoryName);
      const challenge = { 'WWW-Authenticate': `Basic realm="${realm}", Bearer realm="${realm}"` };
      const token = tokenFromAuthorization(req.get('authorization'));
      if (!token)
        return sendEndpointError(res, 401, 'Authentication required: use the token from GetAuthorizationToken', challenge);
      const now = Date.now();
      let tokenDomainId = tokens.get(token, now)?.domainId;
      if (tokenDomainId === undefined) {
        const check = await checkAuthorizationToken(store, token, new Date(now));
        if (!check.ok)
          return sendEndpointError(
            res,
            401,
            check.reason === 'expired' ? 'The authorization token has expired' : 'The authorization token is not valid',
            challenge,
          );
        tokens.remember(token, { domainId: check.domain.id, expiresAt: check.expiresAt });
        tokenDomainId = check.domain.id;
      }
      if (!domain || tokenDomainId !== domain.id)
        return sendEndpointError(res, 403, `The authorization token is not valid for domain ${domainName}`);
    }
    if (!domain || !repository)
      return sendEndpointError(res, 404, `Repository not found: ${domainName}/${repositoryName}`);
    const locals: PackageEndpointLocals = {
      ctx: requestContext(req, res, config),
      domain,
      repository,
      basePath: arrivedVirtual.has(req)
        ? `/${format.name}/${repositoryName}`
        : `/${format.name}/d/${domainSegment}/${repositoryName}`,
    };
    res.locals.endpoint = locals;
    next();
  };
}
