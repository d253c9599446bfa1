// The one bounded cache behind the page cache, the fast lane's offers and the hot blobs.
import { describe, expect, it } from 'vitest';
import { BoundedLru } from '../../server/boundedLru.js';

describe('BoundedLru', () => {
  it('drops the least recently used past its entry limit; get() is a use, peek() is not', () => {
    const lru = new BoundedLru<string, number>({ maxEntries: 2, maxBytes: 100 });
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    expect(lru.peek('a')).toBe(1); // not a use: a stays the oldest
    lru.set('c', 3, 1);
    expect(lru.peek('a')).toBeUndefined();
    expect(lru.get('b')).toBe(2); // a use: c is now the oldest
    lru.set('d', 4, 1);
    expect([lru.peek('b'), lru.peek('c'), lru.peek('d')]).toEqual([2, undefined, 4]);
    expect(lru.size).toBe(2);
  });

  it('keeps the bytes within its budget, replaces a key in place, and does not keep a value larger than the budget', () => {
    const lru = new BoundedLru<string, string>({ maxBytes: 100 });
    lru.set('a', 'x', 60);
    lru.set('b', 'y', 30);
    lru.set('a', 'z', 50); // replaces a (now 80 bytes in all), and a is the most recent
    expect(lru.bytes).toBe(80);
    lru.set('c', 'w', 40); // 120: b, the oldest, goes
    expect([lru.peek('a'), lru.peek('b'), lru.peek('c')]).toEqual(['z', undefined, 'w']);
    expect(lru.bytes).toBe(90);
    lru.set('c', 'huge', 101);
    expect(lru.peek('c')).toBeUndefined();
    expect(lru.peek('a')).toBe('z');
    expect(lru.bytes).toBe(50);
    lru.delete('a');
    expect([lru.size, lru.bytes]).toEqual([0, 0]);
  });
});
