// pug templates from views/, compiled on first use and kept: start-up pays neither for loading pug nor
// for compiling. Names are paths under views/ without the extension, e.g. 'pypi/project'.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/server/ when built, server/ when run from sources: views/ is at the project root either way.
const here = path.dirname(fileURLToPath(import.meta.url));
const viewsDirs = [path.resolve(here, '..', '..', 'views'), path.resolve(here, '..', 'views')];

export type Template = (locals: Record<string, unknown>) => string;
const templates = new Map<string, Template>();

export function view(name: string): Template {
  let t = templates.get(name);
  if (!t) {
    const file = viewsDirs.map((dir) => path.join(dir, `${name}.pug`)).find((f) => existsSync(f));
    if (!file) throw new Error(`view not found: ${name}.pug`);
    const pug = createRequire(import.meta.url)('pug') as typeof import('pug');
    t = pug.compileFile(file);
    templates.set(name, t);
  }
  return t;
}
