// Runs the sweep (core/maintenance/sweep.ts) in the background: once soon after start-up, then on a timer.
// Never in the way: the first run waits a little so start-up and the first requests go first, runs never
// overlap, and the timer does not keep the process alive.
import { sweep, sweepIsEmpty } from '../core/maintenance/sweep.js';
import type { Store } from '../storage/ports.js';

const FIRST_RUN_DELAY_MS = 5_000;

export function startSweeper(store: Store, intervalMs: number, log: (line: string) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    if (running || stopped) return;
    running = sweep(store, new Date())
      .then((report) => {
        if (!sweepIsEmpty(report)) log(`sweep: ${JSON.stringify(report)}`);
      })
      .catch((err: Error) => log(`sweep failed: ${err.message}`))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(run, FIRST_RUN_DELAY_MS);
  first.unref();
  const timer = intervalMs > 0 ? setInterval(run, intervalMs) : undefined;
  timer?.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    if (timer) clearInterval(timer);
    await running;
  };
}
