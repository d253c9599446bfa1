// Renders the simple index data (core/pypi/simpleIndex.ts) as HTML (pug) or JSON, caching the bytes
// per package generation so a page is rendered once per change, however often it is fetched.
import { createHash } from 'node:crypto';
import type { SimpleProject, SimpleProjectList } from '../../../core/formats/pypi/simpleIndex.js';
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

export function renderProjectList(list: SimpleProjectList, format: SimpleFormat): Rendered {
  return finish(format === 'json' ? JSON.stringify(list) : view('pypi/projects')({ list }));
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
