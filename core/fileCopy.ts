// Copying a file (or part of it) into a stream without a new buffer per chunk: a download to its socket, an
// archive into its decompressor. Streams from createReadStream allocate every chunk afresh, and under large
// reads that garbage had V8 collect every few tens of MiB (see bench/download.ts and bench/upload-hashing.ts).
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { ByteRange } from '../storage/ports.js';

/** One write to `sink`, settled when the sink has taken it, or has gone (a client that left, a stream destroyed). */
function taken(sink: Writable, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const gone = () => reject(new Error('the stream was closed before all the bytes were written to it'));
    sink.once('close', gone);
    sink.write(bytes, (err) => {
      sink.off('close', gone);
      if (err) reject(err);
      else resolve();
    });
  });
}

/**
 * Writes bytes `range` of `file` to `sink` through two buffers of `chunk` bytes taken in turn: one is read into
 * while the sink takes the other, and a buffer is reused only once the sink has taken it (its write callback),
 * which is also the back-pressure. `start` runs just before the first write: a file that cannot be opened or read
 * rejects with nothing written. Does not end `sink`.
 */
export async function copyFileRange(file: string, range: ByteRange, chunk: number, sink: Writable, start?: () => void): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const size = Math.max(1, Math.min(chunk, range.end - range.start + 1));
    const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
    let pending: Promise<void> | undefined;
    let started = false;
    for (let at = range.start, turn = 0; at <= range.end; turn ^= 1) {
      const buffer = buffers[turn]!;
      const { bytesRead } = await handle.read(buffer, 0, Math.min(size, range.end - at + 1), at);
      if (bytesRead === 0) throw new Error(`${file} ends at byte ${at}, before byte ${range.end}`);
      // The other buffer is free again once its write is taken.
      if (pending) await pending;
      if (!started) {
        started = true;
        start?.();
      }
      pending = taken(sink, buffer.subarray(0, bytesRead));
      pending.catch(() => undefined); // awaited on the next turn or after the loop; not unhandled while a read runs
      at += bytesRead;
    }
    await pending;
  } finally {
    await handle.close();
  }
}
