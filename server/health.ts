// GET /health: `{"status":"ok"}` (200) while the store can serve; 503 with the reasons when it cannot:
//   {"status":"degraded","reasons":["tmp/ is not writable (ENOTDIR: not a directory): uploads and publishes fail"]}
//   {"status":"stopping","reasons":["shutting down (SIGTERM)"]}
// The checks (the database answers, blobs/ and tmp/ take a probe write, free disk space) run in the
// background, at most once per PROBE_INTERVAL_MS however often /health is polled: a poll answers at once
// from the latest result (only the very first waits for it), and a check that hangs (a stuck disk) is
// itself reported after STUCK_AFTER_MS.
import type { Request, Response } from 'express';
import type { Store } from '../storage/ports.js';
import { noteFailure } from './requestLog.js';

export const PROBE_INTERVAL_MS = 2000;
const STUCK_AFTER_MS = 10_000;

export interface HealthOptions {
  /** Degraded below this many free bytes on the data dir's disk; 0: never. */
  minFreeDiskBytes: number;
  /** Why the server is shutting down, once it is. */
  stopping?: () => string | undefined;
}

const mib = (bytes: number) => `${Math.floor(bytes / 1024 ** 2)} MiB`;

export function healthRoute(store: Store, options: HealthOptions) {
  let last: { at: number; reasons: string[] } | undefined;
  let running: { since: number; done: Promise<void> } | undefined;

  async function check(): Promise<string[]> {
    const [db, blobs] = await Promise.all([store.health(), store.blobs.health()]);
    const reasons = [...db.problems, ...blobs.problems];
    if (options.minFreeDiskBytes > 0 && blobs.freeBytes !== undefined && blobs.freeBytes < options.minFreeDiskBytes)
      reasons.push(`only ${mib(blobs.freeBytes)} free on the data dir's disk (less than ${mib(options.minFreeDiskBytes)})`);
    return reasons;
  }

  function refresh(): void {
    if (running) return;
    const since = Date.now();
    running = {
      since,
      done: check()
        .catch((err: Error) => [`the health check failed: ${err.message}`])
        .then((reasons) => {
          last = { at: Date.now(), reasons };
          running = undefined;
        }),
    };
  }

  async function current(): Promise<string[]> {
    if (!last) {
      refresh();
      await running!.done;
    } else if (Date.now() - last.at >= PROBE_INTERVAL_MS) refresh();
    const reasons = last!.reasons;
    const stuckFor = running ? Date.now() - running.since : 0;
    return stuckFor >= STUCK_AFTER_MS
      ? [...reasons, `the storage checks have not finished for ${Math.floor(stuckFor / 1000)} s`]
      : reasons;
  }

  // The first check starts with the server, so the first poll seldom waits.
  refresh();

  return async (_req: Request, res: Response) => {
    const stopping = options.stopping?.();
    const reasons = stopping ? [`shutting down (${stopping})`, ...(await current())] : await current();
    if (reasons.length === 0) return void res.json({ status: 'ok' });
    noteFailure(res, reasons.join('; '));
    res.status(503).json({ status: stopping ? 'stopping' : 'degraded', reasons });
  };
}
