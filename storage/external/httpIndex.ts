// An external source that is an HTTP(S) simple repository API: another instance of this server, a pypiserver,
// devpi, or pypi.org where a network exists. Credentials in the URL become Basic auth (fetch refuses URLs that
// carry them); every request has a deadline.
import { Readable } from 'node:stream';
import type { ExternalFile, ExternalSource } from '../ports.js';
import { parseHtmlProjectPage, parseJsonProjectPage } from './simplePage.js';

const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1';

export interface HttpSourceOptions {
  /** Deadline for a page, and for the first byte of a file. */
  timeoutMs: number;
}

export function httpIndexSource(indexUrl: string, options: HttpSourceOptions): ExternalSource {
  const base = new URL(indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`);
  const authorization =
    base.username || base.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`
      : undefined;
  base.username = '';
  base.password = '';
  const origin = base.origin;
  const headersFor = (url: string, accept: string) => ({
    accept,
    'user-agent': 'codeartifact-local (external connection)',
    // The credentials go only to the index's own origin, never to a file host it links to.
    ...(authorization && new URL(url).origin === origin ? { authorization } : {}),
  });
  const description = base.toString();

  return {
    description,
    async projectFiles(_format, normalizedName) {
      const pageUrl = new URL(`${encodeURIComponent(normalizedName)}/`, base).toString();
      const res = await fetch(pageUrl, { headers: headersFor(pageUrl, ACCEPT), signal: AbortSignal.timeout(options.timeoutMs) });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`${pageUrl} answered ${res.status} ${res.statusText}`);
      const type = res.headers.get('content-type') ?? '';
      const finalUrl = res.url || pageUrl;
      return type.includes('json') ? parseJsonProjectPage(await res.json(), finalUrl) : parseHtmlProjectPage(await res.text(), finalUrl);
    },
    async openFile(file: ExternalFile) {
      const res = await fetch(file.location, {
        headers: headersFor(file.location, '*/*'),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!res.ok || !res.body) throw new Error(`${file.location} answered ${res.status} ${res.statusText}`);
      return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    },
  };
}
