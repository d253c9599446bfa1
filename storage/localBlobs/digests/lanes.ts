// The digest lanes: one long-lived worker per lane of protocol.ts, shared by every upload in the process
// (jobs keyed by id), started by the first job, unref()ed whenever it has no job so it never keeps the
// process alive, and started afresh by the next job after it dies (the jobs it had fail). A job's bytes are
// copied once, into its ring: a SharedArrayBuffer that every lane reads in place. At most RING_BYTES may be
// unacknowledged by the slowest lane; a writer past that waits, and the socket behind it feels the back-pressure.
import { existsSync } from 'node:fs';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Digests } from './hashers.js';
import { LANES, type FromWorker, type LaneData, type ToWorker } from './protocol.js';

export const RING_BYTES = 8 * 1024 * 1024;
/** Bytes gathered before they are handed to the lanes: fewer, larger messages. */
const POST_BYTES = 256 * 1024;

interface LaneJob {
  ack(upTo: number): void;
  digests(digests: Partial<Digests>): void;
  fail(err: Error): void;
}

interface Lane {
  worker: Worker;
  jobs: Map<number, LaneJob>;
  error?: Error;
}

const lanes: (Lane | undefined)[] = LANES.map(() => undefined);
let nextId = 1;

/**
 * The worker's module: beside this one as tsc emits it (dist/storage/localBlobs/digests/), or, from the bundle
 * that is dist/server/main.js (see package.json's build), tsc's copy in dist/. The parent's node flags are for
 * its own entry point (`--input-type`, `--import tsx`...): a lane gets none.
 */
function workerEntry(): { entry: URL | string; options: WorkerOptions } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    const beside = new URL('./worker.js', here);
    const entry = existsSync(beside) ? beside : new URL('../storage/localBlobs/digests/worker.js', here);
    return { entry, options: { execArgv: [] } };
  }
  // From the TypeScript sources (vitest, tsx): on Node 20 a worker's `--import tsx` registers tsx's hooks too
  // late for the worker's own entry module, so a bootstrap registers them, then imports the .ts worker.
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = new URL('./worker.ts', here).href;
  return {
    entry: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`,
    options: { eval: true, execArgv: [] },
  };
}

function describeLane(index: number): string {
  return `the digest worker for ${LANES[index]!.join(', ')}`;
}

function startLane(index: number): Lane {
  const { entry, options } = workerEntry();
  const workerData: LaneData = { digests: LANES[index]! };
  const lane: Lane = { worker: new Worker(entry, { ...options, workerData }), jobs: new Map() };
  lane.worker.unref();
  lane.worker.on('message', (msg: FromWorker) => {
    const job = lane.jobs.get(msg.id);
    if (!job) return;
    if (msg.type === 'ack') job.ack(msg.upTo);
    else if (msg.type === 'digests') job.digests(msg.digests);
    else job.fail(new Error(`Hashing the upload failed in ${describeLane(index)}: ${msg.message}`));
  });
  lane.worker.on('error', (err) => (lane.error = err));
  lane.worker.on('exit', (code) => {
    if (lanes[index] === lane) lanes[index] = undefined;
    const why = lane.error ? `failed (${lane.error.message})` : `exited with code ${code}`;
    const err = new Error(`The upload was refused: ${describeLane(index)} ${why} while hashing it`);
    const orphans = [...lane.jobs.values()];
    lane.jobs.clear();
    for (const job of orphans) job.fail(err);
  });
  return lane;
}

/** A lane holds the process open only while it has jobs. */
function attach(lane: Lane, id: number, job: LaneJob): void {
  if (lane.jobs.size === 0) lane.worker.ref();
  lane.jobs.set(id, job);
}

function detach(lane: Lane, id: number): void {
  if (lane.jobs.delete(id) && lane.jobs.size === 0) lane.worker.unref();
}

export interface DigestJob {
  /** Copies `chunk` into the ring, first waiting while the lanes are RING_BYTES behind. */
  write(chunk: Uint8Array): Promise<void>;
  /** The digests of everything written. */
  finish(): Promise<Digests>;
  /** Drops the job in every lane (an aborted or refused upload); a no-op once it finished or failed. */
  cancel(): void;
}

/** A job on every lane; `onFailure` hears of a lane that died or failed, even while nobody awaits the job. */
export function openDigestJob(onFailure: (err: Error) => void): DigestJob {
  const id = nextId++;
  const shared = new SharedArrayBuffer(RING_BYTES);
  const ring = new Uint8Array(shared);
  const joined = LANES.map((_, i) => (lanes[i] ??= startLane(i)));
  const acked = joined.map(() => 0);
  const results: Partial<Digests>[] = [];
  let written = 0;
  let posted = 0;
  let failure: Error | undefined;
  let settled = false;
  let waiting: { need: number; resolve(): void; reject(err: Error): void } | undefined;
  let finishing: { resolve(d: Digests): void; reject(err: Error): void } | undefined;

  const free = () => RING_BYTES - (written - Math.min(...acked));
  const send = (msg: ToWorker) => {
    for (const lane of joined) if (lane.jobs.has(id)) lane.worker.postMessage(msg);
  };
  const end = (err: Error) => {
    settled = true;
    send({ type: 'cancel', id });
    for (const lane of joined) detach(lane, id);
    waiting?.reject(err);
    finishing?.reject(err);
    waiting = finishing = undefined;
  };
  const fail = (err: Error) => {
    if (settled) return;
    failure = err;
    end(err);
    onFailure(err);
  };
  const post = () => {
    if (written === posted) return;
    // Never across the ring's end: write() posts whenever it reaches it.
    send({ type: 'data', id, offset: posted % RING_BYTES, length: written - posted, upTo: written });
    posted = written;
  };

  joined.forEach((lane, i) => {
    attach(lane, id, {
      ack(upTo) {
        acked[i] = upTo;
        if (waiting && free() >= waiting.need) {
          const { resolve } = waiting;
          waiting = undefined;
          resolve();
        }
      },
      digests(digests) {
        results.push(digests);
        detach(lane, id);
        if (results.length === joined.length && finishing) {
          settled = true;
          finishing.resolve(Object.assign({}, ...results) as Digests);
        }
      },
      fail,
    });
    lane.worker.postMessage({ type: 'open', id, ring: shared } satisfies ToWorker);
  });

  return {
    async write(chunk) {
      for (let from = 0; from < chunk.length; ) {
        if (failure) throw failure;
        if (settled) throw new Error('digest job already ended');
        const at = written % RING_BYTES;
        const n = Math.min(chunk.length - from, RING_BYTES - at, POST_BYTES);
        if (free() < n) {
          post();
          await new Promise<void>((resolve, reject) => (waiting = { need: n, resolve, reject }));
          continue;
        }
        ring.set(chunk.subarray(from, from + n), at);
        written += n;
        from += n;
        if (written - posted >= POST_BYTES || written % RING_BYTES === 0) post();
      }
    },
    finish() {
      if (failure) return Promise.reject(failure);
      if (settled) return Promise.reject(new Error('digest job already ended'));
      post();
      send({ type: 'end', id });
      return new Promise<Digests>((resolve, reject) => (finishing = { resolve, reject }));
    },
    cancel() {
      if (!settled) end(new Error('digest job cancelled'));
    },
  };
}

/** For tests: the lane workers running now (terminate one to see its jobs fail). */
export function laneWorkers(): Worker[] {
  return lanes.flatMap((lane) => (lane ? [lane.worker] : []));
}

/** For tests: jobs some lane still holds (neither finished nor dropped). */
export function jobsInFlight(): number {
  return new Set(lanes.flatMap((lane) => (lane ? [...lane.jobs.keys()] : []))).size;
}
