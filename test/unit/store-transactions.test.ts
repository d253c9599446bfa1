// The SQLite store's transactions: one at a time, a transaction started inside one joins it, and work a
// transaction left behind that runs after it ended gets a transaction of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';

const domain = (name: string) => ({ owner: '000000000000', name, encryptionKey: null, createdAt: 0 });

describe('store transactions', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tx-'));
    store = openStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a transaction started inside one joins it: both commit, or neither does', async () => {
    await store.transaction(async (tx) => {
      await tx.domains.create(domain('outer'));
      await store.transaction(async (inner) => void (await inner.domains.create(domain('inner'))));
    });
    expect(await store.domains.find('000000000000', 'inner')).toBeDefined();
    await expect(
      store.transaction(async (tx) => {
        await store.transaction(async (inner) => void (await inner.domains.create(domain('joined'))));
        await tx.domains.create(domain('then-fails'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await store.domains.find('000000000000', 'joined')).toBeUndefined();
  });

  it('work left behind by a transaction that runs after it ended is a transaction of its own (rolled back when it fails)', async () => {
    let late: Promise<void> | undefined;
    await store.transaction(async () => {
      late = new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() =>
        store.transaction(async (tx) => {
          await tx.domains.create(domain('late'));
          throw new Error('late failure');
        }),
      );
      late.catch(() => undefined);
    });
    await expect(late).rejects.toThrow('late failure');
    // Had it joined the transaction that had already committed, its write would have stood on its own.
    expect(await store.domains.find('000000000000', 'late')).toBeUndefined();
  });
});
