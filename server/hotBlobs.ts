// Small blobs served often, kept in memory: a 100 KiB wheel fetched by every CI job then costs no open,
// stat or read. Blobs are content-addressed, so a cached copy can never be stale; whether a URL may still
// serve it is decided before (by its asset row). Bounded by total bytes, least recently served out first;
// files above the per-file limit are always streamed.
import type { BlobStore } from '../storage/ports.js';
import { BoundedLru } from './boundedLru.js';

export interface HotBlobOptions {
  /** Total bytes kept; 0 turns the cache off. */
  capacityBytes: number;
  /** Largest file kept. */
  maxFileBytes: number;
}

export const DEFAULT_HOT_BLOBS: HotBlobOptions = { capacityBytes: 64 * 1024 * 1024, maxFileBytes: 1024 * 1024 };

export class HotBlobs {
  private readonly entries: BoundedLru<string, Buffer>;
  private readonly loading = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly blobs: BlobStore,
    readonly options: HotBlobOptions = DEFAULT_HOT_BLOBS,
  ) {
    this.entries = new BoundedLru({ maxBytes: options.capacityBytes });
  }

  /** Whether a blob of this size is served from memory (else streamed). */
  holds(size: number): boolean {
    return this.options.capacityBytes > 0 && size <= this.options.maxFileBytes && size <= this.options.capacityBytes;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.bytes };
  }

  /** The bytes, from memory when they are there. Rejects as the blob store's read would. */
  read(sha256: string, size: number): Buffer | Promise<Buffer> {
    const hit = this.entries.get(sha256);
    if (hit) return hit;
    let pending = this.loading.get(sha256);
    if (!pending) {
      pending = this.load(sha256, size).finally(() => this.loading.delete(sha256));
      this.loading.set(sha256, pending);
    }
    return pending;
  }

  private async load(sha256: string, size: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.blobs.open(sha256)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    // A file that is not the size its row says is not cached (and is the caller's error to report).
    if (bytes.length !== size) throw new Error(`blob ${sha256} has ${bytes.length} bytes, expected ${size}`);
    if (!this.entries.peek(sha256)) this.entries.set(sha256, bytes, bytes.length);
    return bytes;
  }
}
