// A digest lane: hashes the jobs' bytes, read in place from each job's shared ring, with this lane's
// algorithms (workerData). Messages of one job are handled in order; a job's hash-wasm instance is
// created asynchronously, so each job's work is a promise chain.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createBlake2b256, createHashers, type Hashers } from './hashers.js';
import type { FromWorker, LaneData, ToWorker } from './protocol.js';

// Hashing is background work: on a busy machine the event loop must win the CPU from it. On Linux a
// priority set for pid 0 applies to the calling thread only (elsewhere it would lower the whole process).
if (process.platform === 'linux') os.setPriority(0, 10);

const port = parentPort!;
const { digests: names } = workerData as LaneData;
const post = (msg: FromWorker) => port.postMessage(msg);

interface Job {
  ring: Uint8Array;
  work: Promise<Hashers>;
}
const jobs = new Map<number, Job>();

/** Runs `step` after the job's earlier work, unless the job was cancelled or failed meanwhile. */
function then(id: number, job: Job, step: (h: Hashers) => void): void {
  job.work = job.work.then((h) => {
    if (jobs.get(id) === job) step(h);
    return h;
  });
  job.work.catch((err: unknown) => {
    if (jobs.get(id) !== job) return;
    jobs.delete(id);
    post({ type: 'failed', id, message: err instanceof Error ? err.message : String(err) });
  });
}

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'open') {
    const blake = names.includes('blake2b256') ? createBlake2b256() : Promise.resolve(undefined);
    jobs.set(msg.id, { ring: new Uint8Array(msg.ring), work: blake.then((b) => createHashers(names, b)) });
    return;
  }
  const job = jobs.get(msg.id);
  if (!job) return;
  if (msg.type === 'data') {
    const { id, offset, length, upTo } = msg;
    then(id, job, (h) => {
      h.update(job.ring.subarray(offset, offset + length));
      post({ type: 'ack', id, upTo });
    });
  } else if (msg.type === 'end') {
    then(msg.id, job, (h) => {
      jobs.delete(msg.id);
      post({ type: 'digests', id: msg.id, digests: h.digest() });
    });
  } else jobs.delete(msg.id);
});
