// A map bounded by its number of entries and the total bytes of its values, least recently used out first.
// The rendered-page cache, the fast lane's offers and the hot blobs are each one of these.
export interface LruLimits {
  /** Most entries kept; default no limit. */
  maxEntries?: number;
  /** Most bytes kept, as the sizes given to set() add up; a value larger than this is not kept at all. */
  maxBytes: number;
}

export class BoundedLru<K, V> {
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private total = 0;

  constructor(private readonly limits: LruLimits) {}

  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** The value, leaving its place in the order as it is. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Keeps `value` (of `bytes`) in place of any value of `key`, then drops the least recently used past the limits. */
  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.limits.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    const maxEntries = this.limits.maxEntries ?? Infinity;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= maxEntries && this.total <= this.limits.maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: K): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.total -= old.bytes;
  }

  /** Entries kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes kept. */
  get bytes(): number {
    return this.total;
  }
}
