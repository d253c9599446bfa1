// The layering the design promises, checked on the sources: core and server reach storage only through its
// ports (storage/ports.ts) and its composition root (storage/open.ts); the SQLite driver and SQL text live
// in storage/sqlite/ alone, so a PostgreSQL implementation is one more folder beside it.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

const importsOf = (file: string) =>
  [...readFileSync(path.join(root, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);

const SQL = /\b(SELECT\s+[\w*]|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|PRAGMA\s)/;

describe('layering', () => {
  const outside = [...sources('core'), ...sources('server'), ...sources('storage').filter((f) => !f.startsWith('storage/sqlite/'))];

  it('finds the sources it checks', () => {
    expect(outside.length).toBeGreaterThan(40);
  });

  it('nothing in core/ or server/ imports better-sqlite3 or a storage implementation', () => {
    const offenders = [...sources('core'), ...sources('server')].flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec === 'better-sqlite3' || /storage\/(sqlite|localBlobs)\//.test(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it('core/ and server/ import from storage/ only its ports and its composition root', () => {
    const offenders = [...sources('core'), ...sources('server')].flatMap((file) =>
      importsOf(file)
        .filter((spec) => /(^|\/)storage\//.test(spec) && !/storage\/(ports|open)\.js$/.test(spec))
        .map((spec) => `${file}: ${spec}`),
    );
    expect(offenders).toEqual([]);
    // Only the composition root opens a store.
    const openers = [...sources('core'), ...sources('server')].filter((f) => importsOf(f).some((s) => s.endsWith('storage/open.js')));
    expect(openers).toEqual(['server/main.ts']);
  });

  it('no SQL text outside storage/sqlite/', () => {
    const offenders = outside.filter((file) => SQL.test(readFileSync(path.join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check would see SQL and a driver import if they were there', () => {
    expect(SQL.test("sql(db, 'SELECT id FROM package')")).toBe(true);
    expect(importsOf('storage/sqlite/connection.ts')).toContain('better-sqlite3');
  });
});
