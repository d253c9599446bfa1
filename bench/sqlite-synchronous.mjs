// Preloaded into the server by bench/durability.ts (node --import ./bench/sqlite-synchronous.mjs dist/server/main.js):
// rewrites the server's `PRAGMA synchronous = ...` to BENCH_SQLITE_SYNCHRONOUS (NORMAL, FULL, ...), so the same
// build can be measured with either setting. Prints one line before the ready line, which the bench checks.
import Database from 'better-sqlite3';

const wanted = process.env.BENCH_SQLITE_SYNCHRONOUS;
if (wanted) {
  const pragma = Database.prototype.pragma;
  Database.prototype.pragma = function (source, options) {
    if (/^\s*synchronous\s*=/i.test(source)) source = `synchronous = ${wanted}`;
    return pragma.call(this, source, options);
  };
  console.log(`bench: PRAGMA synchronous forced to ${wanted}`);
}
