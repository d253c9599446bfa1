// Requests in absolute form (`GET http://host/path`), what a client sends to an HTTP proxy (HTTP_PROXY), are
// served like origin-form ones: the authority becomes the Host (RFC 9112 3.2.2), the path the URL, so the
// virtual-host rewrite and every route apply. A host that is neither an AWS CodeArtifact host nor this
// server's own is refused: this server answers only for itself and never forwards a request.
import type { NextFunction, Request, Response } from 'express';
import { isIP } from 'node:net';
import { parseAwsHost } from '../../core/awsHosts.js';
import { noteFailure } from '../requestLog.js';
import { SERVED_HOSTS } from './connect.js';

const ABSOLUTE = /^(https?):\/\/([^/?#]*)/i;

/** The host names this server answers for besides AWS's: loopback and the names it is configured with. */
export function ownHostNames(names: Array<string | undefined>): Set<string> {
  const own = new Set(['localhost', '::1']);
  for (const n of names) if (n) own.add(n.toLowerCase().replace(/^\[|\]$/g, ''));
  return own;
}

function servesHost(hostname: string, own: Set<string>): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (own.has(name) || parseAwsHost(name)) return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

export function absoluteFormRequests(own: Set<string>) {
  return (req: Request, res: Response, next: NextFunction) => {
    const m = ABSOLUTE.exec(req.url);
    if (!m) return next();
    const authority = m[2]!.replace(/^.*@/, ''); // user:password@ is not part of the host
    const hostname = authority.replace(/:\d*$/, '');
    if (!hostname) {
      noteFailure(res, 'an absolute URL without a host');
      res.status(400).type('text/plain').send('Bad request: an absolute URL without a host\n');
      return;
    }
    if (!servesHost(hostname, own)) {
      noteFailure(res, `proxy request for ${hostname.slice(0, 255)} refused`);
      res
        .status(403)
        .type('text/plain')
        .send(`Proxy request refused: ${hostname.slice(0, 255)} is not an AWS CodeArtifact host; this server only serves ${SERVED_HOSTS}\n`);
      return;
    }
    const rest = req.url.slice(m[0].length);
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    req.headers.host = authority;
    next();
  };
}
