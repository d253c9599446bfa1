// The cache of rendered simple-index pages holds one page per slot (a list or a project page in one format):
// a change replaces the page it outdates, so a repository whose 4 MiB list changes a thousand times holds
// one list, not a thousand; and it stays within its byte budget, least recently used slots going first.
import { describe, expect, it } from 'vitest';
import { PageCache, type Rendered } from '../../server/formats/pypi/render.js';

const page = (bytes: number, etag = `"${bytes}"`): Rendered => ({ body: Buffer.alloc(bytes), etag });

describe('the page cache', () => {
  it('keeps the latest key of a slot only', () => {
    const cache = new PageCache(10, 1000);
    for (let serial = 1; serial <= 100; serial++) cache.set('list|1|html', `serial ${serial}`, page(100, `"${serial}"`));
    expect(cache.size).toBe(100);
    expect(cache.get('list|1|html', 'serial 99')).toBeUndefined();
    expect(cache.get('list|1|html', 'serial 100')?.etag).toBe('"100"');
  });

  it('stays within its byte budget and its capacity, least recently used first', () => {
    const cache = new PageCache(3, 250);
    cache.set('a', 'k', page(100));
    cache.set('b', 'k', page(100));
    expect(cache.get('a', 'k')).toBeDefined(); // a is now the most recently used
    cache.set('c', 'k', page(100));
    expect(cache.size).toBe(200);
    expect(cache.get('b', 'k')).toBeUndefined();
    expect(cache.get('a', 'k')).toBeDefined();
    expect(cache.get('c', 'k')).toBeDefined();
    cache.set('d', 'k', page(10));
    cache.set('e', 'k', page(10));
    expect(cache.get('a', 'k')).toBeUndefined(); // four slots: the oldest goes
    expect(cache.size).toBe(120);
  });

  it('does not keep a page larger than its budget', () => {
    const cache = new PageCache(10, 50);
    cache.set('a', 'k', page(10));
    cache.set('a', 'k2', page(51));
    expect(cache.get('a', 'k2')).toBeUndefined();
    expect(cache.get('a', 'k')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
