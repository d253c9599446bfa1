// Renders the simple index data (core/pypi/simpleIndex.ts) as HTML (pug) or JSON, caching the bytes
// per package generation so a page is rendered once per change, however often it is fetched.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { SimpleProject, SimpleProjectList } from '../../core/pypi/simpleIndex.js';
import type { SimpleFormat } from './negotiate.js';

// dist/server/pypi/ when built, server/pypi/ when run from sources: views/ is at the project root.
const here = path.dirname(fileURLToPath(import.meta.url));
const viewsDirs = [path.resolve(here, '..', '..', '..', 'views'), path.resolve(here, '..', '..', 'views')];

type Template = (locals: Record<string, unknown>) => string;
const templates = new Map<string, Template>();

/** Compiled on first use, then kept: start-up does no template work. */
function template(name: string): Template {
  let t = templates.get(name);
  if (!t) {
    const file = viewsDirs.map((dir) => path.join(dir, 'pypi', `${name}.pug`)).find((f) => existsSync(f));
    if (!file) throw new Error(`view not found: pypi/${name}.pug`);
    // pug loads on first render: start-up should not pay for it.
    const pug = createRequire(import.meta.url)('pug') as typeof import('pug');
    t = pug.compileFile(file);
    templates.set(name, t);
  }
  return t;
}

export interface Rendered {
  body: Buffer;
  etag: string;
}

function finish(text: string): Rendered {
  const body = Buffer.from(text, 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

export function renderProject(page: SimpleProject, format: SimpleFormat): Rendered {
  return finish(format === 'json' ? JSON.stringify(page) : template('project')({ page }));
}

export function renderProjectList(list: SimpleProjectList, format: SimpleFormat): Rendered {
  return finish(format === 'json' ? JSON.stringify(list) : template('projects')({ list }));
}

/** A small LRU of rendered pages keyed by (package id, generation, format). */
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
