// Uploads are hashed off the event loop: BlobStore.put's five digests must equal node:crypto's and
// hash-wasm's whichever path computes them (inline for small blobs, the two worker lanes past
// INLINE_MAX_BYTES), under concurrency, and a refused, failed or orphaned put must leave nothing behind:
// no temp file, no job in any lane.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, Readable } from 'node:stream';
import { createBLAKE2b } from 'hash-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalBlobStore, type LocalBlobStore } from '../../storage/localBlobs/blobStore.js';
import { jobsInFlight, laneWorkers, RING_BYTES } from '../../storage/localBlobs/digests/lanes.js';
import { INLINE_MAX_BYTES } from '../../storage/localBlobs/digests/stream.js';
import { BlobTooLargeError, type BlobDigests } from '../../storage/ports.js';
import { listFiles } from '../support/files.js';

const MiB = 1024 * 1024;
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

let root: string;
let store: LocalBlobStore;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'digests-test-'));
  store = openLocalBlobStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const tmpFiles = () => listFiles(path.join(root, 'tmp'));

async function reference(data: Buffer): Promise<BlobDigests> {
  const blake = await createBLAKE2b(256);
  blake.init();
  blake.update(data);
  const hex = (name: string) => createHash(name).update(data).digest('hex');
  return { size: data.length, sha256: hex('sha256'), sha1: hex('sha1'), sha512: hex('sha512'), md5: hex('md5'), blake2b256: blake.digest('hex') };
}

/** `data` cut into pieces of 1 byte to ~200 KiB, as a socket or busboy hands them over. */
function pieces(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const n = Math.min(data.length - at, 1 + (data[at]! * 811) % (200 * 1024));
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

const digestsOf = ({ size, sha256, sha1, sha512, md5, blake2b256 }: BlobDigests): BlobDigests => ({ size, sha256, sha1, sha512, md5, blake2b256 });

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

// In file order: the first tests run before any lane was started in this process.
describe('digests of BlobStore.put', () => {
  it('the references are BLAKE2b-256 proper (not a truncated blake2b512)', async () => {
    expect((await reference(Buffer.alloc(0))).blake2b256).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
    expect((await reference(Buffer.from('abc'))).blake2b256).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  });

  it('empty, 1 byte and exactly INLINE_MAX_BYTES are hashed inline: right digests, no worker started', async () => {
    for (const data of [Buffer.alloc(0), Buffer.from([7]), randomBytes(INLINE_MAX_BYTES)]) {
      const blob = await store.put(Readable.from(pieces(data)));
      expect(digestsOf(blob)).toEqual(await reference(data));
      await blob.discard();
    }
    expect(laneWorkers()).toEqual([]);
  });

  it('INLINE_MAX_BYTES + 1 goes to the two lanes, with the same digests', async () => {
    const data = randomBytes(INLINE_MAX_BYTES + 1);
    const blob = await store.put(Readable.from(pieces(data)));
    expect(digestsOf(blob)).toEqual(await reference(data));
    expect(laneWorkers()).toHaveLength(2);
    expect(jobsInFlight()).toBe(0);
  });

  it.runIf(process.platform === 'linux')('the lanes run at nice 10, the event loop keeps its priority', () => {
    const nice = readdirSync(`/proc/${process.pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      return [Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])] as const; // field 19: nice
    });
    expect(nice.filter(([, n]) => n === 10)).toHaveLength(2);
    expect(nice.find(([tid]) => tid === process.pid)?.[1]).toBe(os.getPriority());
  });

  it('multi-MiB sources, in small pieces and as one chunk larger than the ring, match the references', async () => {
    const data = randomBytes(5 * MiB + 123);
    expect(digestsOf(await store.put(Readable.from(pieces(data))))).toEqual(await reference(data));
    const huge = randomBytes(2 * RING_BYTES + 5);
    expect(digestsOf(await store.put(Readable.from([huge])))).toEqual(await reference(huge));
  });

  it('many concurrent puts of different data each get their own digests', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => randomBytes(i % 4 === 0 ? 1000 + i : INLINE_MAX_BYTES + i * 300_000));
    const blobs = await Promise.all(inputs.map((data) => store.put(Readable.from(pieces(data)))));
    for (const [i, blob] of blobs.entries()) expect(digestsOf(blob)).toEqual(await reference(inputs[i]!));
    expect(new Set(blobs.map((b) => b.sha256)).size).toBe(inputs.length);
    expect(jobsInFlight()).toBe(0);
  });

  it('maxBytes: exactly the limit is stored; one byte more is refused, inline and on the lanes, leaving nothing', async () => {
    for (const limit of [1000, 3 * MiB]) {
      const data = randomBytes(limit + 1);
      const ok = await store.put(Readable.from(pieces(data.subarray(0, limit))), { maxBytes: limit });
      expect(digestsOf(ok)).toEqual(await reference(data.subarray(0, limit)));
      await ok.discard();
      await expect(store.put(Readable.from(pieces(data)), { maxBytes: limit })).rejects.toBeInstanceOf(BlobTooLargeError);
      expect(tmpFiles()).toEqual([]);
      expect(jobsInFlight()).toBe(0);
    }
  });

  it('a source that fails once its job is on the lanes rejects the put, cancels the job and leaves tmp/ empty', async () => {
    const source = new PassThrough();
    const written = store.put(source);
    source.write(randomBytes(MiB));
    await until(() => jobsInFlight() === 1, 'the job to reach the lanes');
    source.destroy(new Error('truncated'));
    await expect(written).rejects.toThrow('truncated');
    expect(tmpFiles()).toEqual([]);
    expect(jobsInFlight()).toBe(0);
  });

  it.each([0, 1])('a lane worker killed mid-job (lane %i) fails that put with a clear error; the next put succeeds', async (lane) => {
    const source = new PassThrough();
    const written = store.put(source);
    source.write(randomBytes(2 * MiB));
    await until(() => jobsInFlight() === 1 && laneWorkers().length === 2, 'the job to reach the lanes');
    const victim = laneWorkers()[lane]!;
    await victim.terminate();
    await expect(written).rejects.toThrow(/^The upload was refused: the digest worker for (sha256, sha1, blake2b256|sha512, md5) exited with code 1 while hashing it$/);
    expect(tmpFiles()).toEqual([]);
    expect(jobsInFlight()).toBe(0);

    const data = randomBytes(2 * MiB);
    const next = await store.put(Readable.from(pieces(data)));
    expect(digestsOf(next)).toEqual(await reference(data));
    expect(laneWorkers()).toHaveLength(2);
    expect(laneWorkers()).not.toContain(victim);
  });
});

// A script that puts 2 MiB and prints the digests and the lanes used, then lets the process end by itself:
// the idle lanes must not keep it alive.
const script = (ext: 'js' | 'ts', base: string) => `
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
const { openLocalBlobStore } = await import(${JSON.stringify(`${base}/storage/localBlobs/blobStore.${ext}`)});
const { laneWorkers } = await import(${JSON.stringify(`${base}/storage/localBlobs/digests/lanes.${ext}`)});
const dir = mkdtempSync(path.join(os.tmpdir(), 'digests-child-'));
const data = Buffer.alloc(2 * 1024 * 1024, 'abc');
const blob = await openLocalBlobStore(dir).put(Readable.from([data]));
rmSync(dir, { recursive: true, force: true });
const { localPath, commit, discard, ...digests } = blob;
console.log(JSON.stringify({ digests, lanes: laneWorkers().length }));
`;

describe('the lane workers load from the build and from the sources, and never keep a process alive', () => {
  it.each([
    ['dist/ (node)', [] as string[], 'js' as const, path.join(projectRoot, 'dist')],
    ['the .ts sources (node --import tsx)', ['--import', 'tsx'], 'ts' as const, projectRoot],
  ])('%s', async (_label, flags, ext, base) => {
    const worker = path.join(base, 'storage', 'localBlobs', 'digests', `worker.${ext}`);
    expect(existsSync(worker), `${worker} is missing (npm run build?)`).toBe(true);
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [...flags, '--input-type=module', '-e', script(ext, base)], { cwd: projectRoot, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const { digests, lanes } = JSON.parse(out) as { digests: BlobDigests; lanes: number };
    expect(lanes).toBe(2);
    expect(digests).toEqual(await reference(Buffer.alloc(2 * MiB, 'abc')));
  });
});
