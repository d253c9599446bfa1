// Renders the simple index data (core/pypi/simpleIndex.ts) as HTML (pug) or JSON, caching the bytes
// per package generation so a page is rendered once per change, however often it is fetched. The project
// list, which names every project of a repository, is written in pieces instead, as its names are read.
import { createHash } from 'node:crypto';
import { API_VERSION, type SimpleProject } from '../../../core/formats/pypi/simpleIndex.js';
import { BoundedLru } from '../../boundedLru.js';
import { view } from '../../views.js';
import type { SimpleFormat } from './negotiate.js';

export interface Rendered {
  body: Buffer;
  etag: string;
}

function finish(text: string): Rendered {
  const body = Buffer.from(text, 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

export function renderProject(page: SimpleProject, format: SimpleFormat): Rendered {
  return finish(format === 'json' ? JSON.stringify(page) : view('pypi/project')({ page }));
}

/**
 * The project list (PEP 503 HTML or PEP 691 JSON: the SimpleProjectList shape) in pieces: its head, the
 * entries of each batch of names in order, its tail. Concatenated, they are the whole page.
 */
export interface ProjectListWriter {
  readonly head: string;
  entries(names: readonly string[]): string;
  readonly tail: string;
}

/** What pug's escaping does to text and attribute values. */
const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

export function projectListWriter(format: SimpleFormat): ProjectListWriter {
  if (format === 'json') {
    let first = true;
    return {
      head: `{"meta":${JSON.stringify({ 'api-version': API_VERSION })},"projects":[`,
      entries(names) {
        let out = '';
        for (const name of names) {
          out += `${first ? '' : ','}{"name":${JSON.stringify(name)}}`;
          first = false;
        }
        return out;
      },
      tail: ']}',
    };
  }
  return {
    head:
      `<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="${API_VERSION}">` +
      '<title>Simple index</title></head><body>',
    entries(names) {
      let out = '';
      for (const name of names) {
        const n = escapeHtml(name);
        out += `<a href="${n}/">${n}</a><br>`;
      }
      return out;
    },
    tail: '</body></html>',
  };
}

/**
 * The project list's ETag, known before its body: it names what the list shows (the view's cache key, from
 * change serials that are never reused), the store (its secret: a new data dir reuses serials) and this
 * rendering of it (bump LIST_RENDERING when the bytes a key renders to change).
 */
const LIST_RENDERING = 'simple-list-1';
export function projectListEtag(storeSecret: string, key: string): string {
  return `"${createHash('sha256').update(`${LIST_RENDERING}\n${storeSecret}\n${key}`).digest('base64url').slice(0, 27)}"`;
}

/**
 * The rendered pages: one per slot (a repository's list, or a project's page, in one format), holding the
 * page of the latest key seen for that slot (core/readPath cache keys), so a change replaces the page it
 * outdates instead of leaving it to age out (a repository's list of 100,000 projects is 4 MiB a change).
 * Least recently used slots go first beyond `capacity` pages or `maxBytes` of bodies.
 */
export class PageCache {
  private readonly pages: BoundedLru<string, { key: string; page: Rendered }>;
  constructor(capacity = 2000, maxBytes = 128 * 1024 * 1024) {
    this.pages = new BoundedLru({ maxEntries: capacity, maxBytes });
  }
  get(slot: string, key: string): Rendered | undefined {
    // An outdated page is no use: only a hit counts as a use of its slot.
    if (this.pages.peek(slot)?.key !== key) return undefined;
    return this.pages.get(slot)!.page;
  }
  set(slot: string, key: string, page: Rendered): void {
    this.pages.set(slot, { key, page }, page.body.length);
  }
  /** Bodies held, in bytes. */
  get size(): number {
    return this.pages.bytes;
  }
}
