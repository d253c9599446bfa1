// Runs every benchmark in sequence and prints their tables (Markdown) with the machine facts.
//
//   npm run bench                               build, then all benches (~5-10 min on 2 cores)
//   BENCH_QUICK=1 npm run bench                 smoke run with small sizes (~1-2 min)
//   npm run bench -- startup index              only some: startup, download, hot, index, upload, hashing, tls, scale, pip
//   node --import tsx bench/run.ts > bench.md   progress goes to stderr, results to stdout
//
// Each bench also runs alone: node --import tsx bench/<startup|download|hot-reads|simple-index|upload-memory|upload-hashing|tls|scale|pip-install>.ts
// Settings (env): BENCH_QUICK, BENCH_TMPDIR, BENCH_DISABLE=wrk,hyperfine,nginx, BENCH_TIMEOUT_MIN, BENCH_MAIN (the
// server's main.js, default dist/server/main.js) and the per-bench sizes listed at the top of each file.
// Two builds side by side: node --import tsx bench/compare.ts <before-main.js> [<after-main.js>] (not run here).
import { releaseFixtures } from './fixtures.js';
import { guard, headlineRow, log, machineFacts, now, renderSection, requireBuild, type Section } from './lib.js';
import { run as download } from './download.js';
import { run as hot } from './hot-reads.js';
import { run as pip } from './pip-install.js';
import { run as scale } from './scale.js';
import { run as index } from './simple-index.js';
import { run as startup } from './startup.js';
import { run as tls } from './tls.js';
import { run as hashing } from './upload-hashing.js';
import { run as upload } from './upload-memory.js';

const benches: Record<string, () => Promise<Section | Section[]>> = { startup, download, hot, index, upload, hashing, tls, scale, pip };

async function main() {
  guard('bench');
  requireBuild();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in benches));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}: choose from ${Object.keys(benches).join(', ')}`);
  const selected = wanted.length > 0 ? wanted : Object.keys(benches);

  const facts = machineFacts();
  process.stderr.write(`${facts}\n\n`);
  const t0 = now();
  const results: string[] = [];
  const summary: string[][] = [];
  const failed: string[] = [];
  for (const name of selected) {
    const t = now();
    log('bench', `${name}: starting`);
    try {
      const out = await benches[name]!();
      const sections = Array.isArray(out) ? out : [out];
      for (const sec of sections) for (const entry of sec.summary ?? []) summary.push(headlineRow(entry));
      const text = sections.map(renderSection).join('\n\n');
      results.push(text);
      process.stderr.write(`\n${text}\n\n`);
      log('bench', `${name}: done in ${((now() - t) / 1000).toFixed(0)} s`);
    } catch (err) {
      failed.push(name);
      results.push(`### ${name}: FAILED\n\n    ${String((err as Error).stack ?? err).split('\n').join('\n    ')}`);
      log('bench', `${name}: FAILED: ${(err as Error).message}`);
    }
  }
  await releaseFixtures();

  const total = (now() - t0) / 1000;
  const headline = renderSection({
    title: 'Summary',
    columns: ['figure', 'ours', 'reference (same run)', 'ratio', 'target', 'met'],
    rows: summary,
    notes: [],
  });
  console.log(
    `## codeartifact-local benchmarks\n\n${facts}\n- Total time: ${total.toFixed(0)} s\n\n${headline}\n\n${results.join('\n\n')}`,
  );
  if (failed.length > 0) {
    console.error(`\nfailed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
