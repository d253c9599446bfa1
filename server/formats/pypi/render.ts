// Renders the simple index data (core/pypi/simpleIndex.ts) as HTML (pug) or JSON, caching the bytes
// per package generation so a page is rendered once per change, however often it is fetched. The project
// list, which names every project of a repository, is written in pieces instead, as its names are read.
import { createHash } from 'node:crypto';
import { API_VERSION, type SimpleProject } from '../../../core/formats/pypi/simpleIndex.js';
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

/** A small LRU of rendered pages, keyed by what they show (core/readPath cache keys) and the format. */
export class PageCache {
  private readonly entries = new Map<string, Rendered>();
  constructor(private readonly capacity = 2000) {}
  get(key: string): Rendered | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }
  set(key: string, value: Rendered): void {
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
