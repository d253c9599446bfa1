// pug templates from views/, compiled on first use and kept: start-up pays neither for loading pug nor
// for compiling. Names are paths under views/ without the extension, e.g. 'pypi/project'.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/server/ when built, server/ when run from sources: views/ is at the project root either way.
const here = path.dirname(fileURLToPath(import.meta.url));
const viewsDirs = [path.resolve(here, '..', '..', 'views'), path.resolve(here, '..', 'views')];

export type Template = (locals: Record<string, unknown>) => string;
const templates = new Map<string, Template>();

function viewPath(file: string): string {
  const found = viewsDirs.map((dir) => path.join(dir, file)).find((f) => existsSync(f));
  if (!found) throw new Error(`view not found: ${file}`);
  return found;
}

export function view(name: string): Template {
  let t = templates.get(name);
  if (!t) {
    const file = viewPath(`${name}.pug`);
    const pug = createRequire(import.meta.url)('pug') as typeof import('pug');
    t = pug.compileFile(file);
    templates.set(name, t);
  }
  return t;
}

/**
 * Compiles the templates a first client would otherwise wait for (loading pug and compiling a project page
 * takes 100-200 ms), a moment after start-up so it delays neither the ready line nor the first /health.
 */
export function warmViewsSoon(names: string[], delayMs = 250): void {
  setTimeout(() => {
    try {
      for (const name of names) view(name);
    } catch {
      // Left to the first request that needs it, which reports the error.
    }
  }, delayMs).unref();
}

/** A static file kept beside the templates (the UI's stylesheet), read once. */
export function viewAsset(file: string): Buffer {
  return readFileSync(viewPath(file));
}
