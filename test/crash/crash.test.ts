// The crash test (test/crash/crash-test.ts) in `npm test` with a modest count: 20 cycles of load, kill -9,
// checks with the server down, fsck --repair --grace 0, restart and reads (about a minute on 2 cores). The full
// run (200 cycles) is documented in the README: node --import tsx test/crash/crash-test.ts --cycles 200.
import { describe, expect, it } from 'vitest';
import { runCrashTest, summarize } from './crash-test.js';

describe('kill -9 during uploads, publishes and deletes', () => {
  it('20 cycles: integrity ok, no row without its blob, no blob without a row after fsck --repair, every acknowledged upload served', async () => {
    const lines: string[] = [];
    const result = await runCrashTest({ cycles: 20, seed: 20, workers: 6, log: (l) => lines.push(l) });
    console.log(`${lines.join('\n')}\n${summarize(result)}`);
    expect(result.failures).toEqual([]);
    expect(result.cycles).toHaveLength(20);
    // The kills did land in the middle of work, and uploads were acknowledged before them.
    expect(result.cycles.reduce((n, c) => n + c.inFlightAtKill, 0)).toBeGreaterThan(20);
    expect(result.cycles.reduce((n, c) => n + c.acked.uploads + c.acked.publishes, 0)).toBeGreaterThan(100);
  }, 240_000);
});
