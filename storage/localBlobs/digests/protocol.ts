// What the main thread and the digest workers agree on: which digests each lane computes, and the messages.
import type { DigestName, Digests } from './hashers.js';

/**
 * Two lanes of about equal cost (single-thread MiB/s on the 2-core development machine: sha256 976,
 * sha1 955, blake2b 268 -> ~172 MiB/s; sha512 397, md5 309 -> ~174 MiB/s), one long-lived worker each.
 */
export const LANES: readonly (readonly DigestName[])[] = [
  ['sha256', 'sha1', 'blake2b256'],
  ['sha512', 'md5'],
];

/** workerData of a lane's worker. */
export interface LaneData {
  digests: readonly DigestName[];
}

export type ToWorker =
  /** A new job whose bytes arrive through `ring`, shared with the main thread and every lane. */
  | { type: 'open'; id: number; ring: SharedArrayBuffer }
  /** Hash ring[offset, offset + length); `upTo` is the job's byte count once it is done, echoed in the ack. */
  | { type: 'data'; id: number; offset: number; length: number; upTo: number }
  | { type: 'end'; id: number }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'ack'; id: number; upTo: number }
  | { type: 'digests'; id: number; digests: Partial<Digests> }
  | { type: 'failed'; id: number; message: string };
