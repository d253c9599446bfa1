// The external sources the operator configured (--external public:pypi=URL): one per connection name.
// Nothing is ever fetched from a connection without one.
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExternalSource, ExternalSources } from '../ports.js';
import { httpIndexSource } from './httpIndex.js';
import { isPep503Tree, pep503TreeSource, wheelhouseSource } from './localFolders.js';

export class ExternalSourceConfigError extends Error {}

export interface ExternalSourceOptions {
  timeoutMs: number;
}

export async function openExternalSources(
  urls: Record<string, string>,
  options: ExternalSourceOptions,
): Promise<ExternalSources> {
  const sources = new Map<string, ExternalSource>();
  for (const [name, url] of Object.entries(urls)) {
    if (/^https?:\/\//i.test(url)) sources.set(name, httpIndexSource(url, options));
    else if (url.startsWith('file:')) {
      const dir = fileURLToPath(url);
      if (!existsSync(dir) || !statSync(dir).isDirectory())
        throw new ExternalSourceConfigError(`${name}: ${url} is not a folder`);
      sources.set(name, (await isPep503Tree(dir)) ? pep503TreeSource(dir) : wheelhouseSource(dir));
    } else throw new ExternalSourceConfigError(`${name}: ${url} is neither an http(s):// index nor a file:// folder`);
  }
  return { sourceFor: (name) => sources.get(name) };
}
