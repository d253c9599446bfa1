// The repository project list as core produces it: a batch at a time from keyset pages of each repository of
// the upstream chain, merged in name order. It must list exactly what the whole-list rule says (checked here
// against that rule, written out plainly, on random data over a chain with blocking records and unlisted
// versions), in code point order, and read no further than its consumer takes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../core/context.js';
import { pypiFormat } from '../../core/formats/pypi/format.js';
import { searchOrder } from '../../core/readPath/chain.js';
import { compareCodePoints, resolveProjectList, visibleProjectBatches, type PageSizes } from '../../core/readPath/projectList.js';
import { createDomain } from '../../core/registry/domains.js';
import { createRepository } from '../../core/registry/repositories.js';
import { openStore } from '../../storage/open.js';
import type { RepositoryRecord, Store, StoreReads, VersionStatus } from '../../storage/ports.js';
import { populate, type PopulatedPackage } from '../support/populate.js';

const OWNER = '000000000000';
let dir: string;
let store: Store;
const repos: Record<string, RepositoryRecord> = {};

const ctx: RequestContext = {
  accountId: OWNER,
  region: 'us-east-1',
  requestId: 'test',
  now: new Date(),
  publicUrl: 'http://127.0.0.1',
  endpointStyle: 'path',
};

/** A deterministic pseudo-random sequence (the data must be the same on every run). */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-project-list-'));
  store = openStore(dir);
  await createDomain(store, ctx, { domain: 'dom' });
  // own → mid → base, and own → side: a chain of four, searched own, mid, base, side.
  await createRepository(store, ctx, { domain: 'dom', repository: 'base' });
  await createRepository(store, ctx, { domain: 'dom', repository: 'side' });
  await createRepository(store, ctx, { domain: 'dom', repository: 'mid', upstreams: [{ repositoryName: 'base' }] });
  await createRepository(store, ctx, {
    domain: 'dom',
    repository: 'own',
    upstreams: [{ repositoryName: 'mid' }, { repositoryName: 'side' }],
  });
  await createRepository(store, ctx, { domain: 'dom', repository: 'alone' });
  const domain = (await store.domains.find(OWNER, 'dom'))!;
  for (const name of ['base', 'side', 'mid', 'own', 'alone']) repos[name] = (await store.repositories.find(domain.id, name))!;

  // 600 names; each repository holds a random part of them, with random statuses and origin records.
  const next = random(42);
  const statuses: VersionStatus[] = ['Published', 'Unlisted', 'Archived'];
  for (const repo of ['base', 'side', 'mid', 'own']) {
    const packages: PopulatedPackage[] = [];
    for (let i = 0; i < 600; i++) {
      if (next() < 0.5) continue;
      packages.push({
        name: `p-${String(i).padStart(4, '0')}`,
        statuses: next() < 0.7 ? ['Published'] : [statuses[Math.floor(next() * 3)]!],
        origin: { publish: 'ALLOW', upstream: next() < 0.5 ? 'BLOCK' : 'ALLOW' },
      });
    }
    await populate(store, repos[repo]!.id, packages);
  }
  await populate(
    store,
    repos.alone!.id,
    Array.from({ length: 2500 }, (_, i) => ({ name: `a-${String(i).padStart(5, '0')}`, statuses: [i % 7 === 0 ? 'Unlisted' : 'Published'] })),
  );
  for (const name of Object.keys(repos)) repos[name] = (await store.repositories.findById(repos[name]!.id))!;
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The rule, on whole lists: a name is listed when a repository its search order reaches has it listed. */
async function expectedNames(repository: RepositoryRecord): Promise<string[]> {
  const view = await resolveProjectList(store, repository, pypiFormat);
  const records = new Map<string, Map<number, { blocks: boolean; listed: boolean }>>();
  for (const r of view.chain.repositories) {
    for (const entry of await store.packages.listForIndex(r.id, 'pypi', ['Published'], undefined, 1_000_000)) {
      let byRepository = records.get(entry.normalizedName);
      if (!byRepository) records.set(entry.normalizedName, (byRepository = new Map()));
      byRepository.set(r.id, { blocks: entry.upstream === 'BLOCK', listed: entry.listed });
    }
  }
  return [...records]
    .filter(([, byRepository]) =>
      searchOrder(view.chain, (id) => byRepository.get(id)?.blocks ?? false).some((r) => byRepository.get(r.id)?.listed),
    )
    .map(([name]) => name)
    .sort(compareCodePoints);
}

async function streamedNames(reads: StoreReads, repository: RepositoryRecord, sizes: PageSizes) {
  const view = await resolveProjectList(reads, repository, pypiFormat);
  const batches: string[][] = [];
  const more: boolean[] = [];
  for await (const batch of visibleProjectBatches(reads, view, pypiFormat, sizes)) {
    batches.push(batch.projects.map((p) => p.normalizedName));
    more.push(batch.more);
  }
  // Only the last batch may say nothing follows.
  expect(more.slice(0, -1).every(Boolean)).toBe(true);
  return batches;
}

/** The store with its listForIndex calls counted. */
function counting(): { reads: StoreReads; calls: () => number } {
  let calls = 0;
  const packages = { ...store.packages, listForIndex: (...args: Parameters<StoreReads['packages']['listForIndex']>) => (calls++, store.packages.listForIndex(...args)) };
  return { reads: { ...store, packages }, calls: () => calls };
}

describe('the project list, a batch at a time', () => {
  it.each([
    [1, 1],
    [3, 7],
    [10, 64],
    [256, 1024],
  ])('over a chain of four repositories, in pages of %i then %i, lists what the whole-list rule lists', async (first, rest) => {
    const expected = await expectedNames(repos.own!);
    expect(expected.length).toBeGreaterThan(200);
    const batches = await streamedNames(store, repos.own!, { first, rest });
    expect(batches.flat()).toEqual(expected);
    expect(batches[0]!.length).toBe(Math.min(first, expected.length));
    for (const b of batches.slice(1, -1)) expect(b.length).toBe(rest);
  });

  it('over each repository of the chain on its own', async () => {
    for (const name of ['mid', 'base', 'side'])
      expect((await streamedNames(store, repos[name]!, { first: 10, rest: 50 })).flat()).toEqual(await expectedNames(repos[name]!));
  });

  it('one repository: every package with a listed version, in order, one query per page', async () => {
    const { reads, calls } = counting();
    const batches = await streamedNames(reads, repos.alone!, { first: 256, rest: 1024 });
    const names = batches.flat();
    expect(names.length).toBe(2500 - Math.ceil(2500 / 7));
    expect(names).toEqual([...names].sort(compareCodePoints));
    expect(calls()).toBe(4); // 256 + 1024 + 1024 + 196 rows: the short page says it was the last
  });

  it('a list shorter than the first page is one batch that says so, after one query', async () => {
    const { reads, calls } = counting();
    const view = await resolveProjectList(reads, repos.alone!, pypiFormat);
    const batches = visibleProjectBatches(reads, view, pypiFormat, { first: 5000, rest: 10 });
    const first = await batches.next();
    expect(first.done).toBe(false);
    expect(first.value!.more).toBe(false);
    expect((await batches.next()).done).toBe(true);
    expect(calls()).toBe(1);
  });

  it('reads no further than its consumer takes', async () => {
    const { reads, calls } = counting();
    const view = await resolveProjectList(reads, repos.alone!, pypiFormat);
    const batches = visibleProjectBatches(reads, view, pypiFormat, { first: 100, rest: 1000 });
    const first = await batches.next();
    expect(first.value!.projects).toHaveLength(100 - 15); // a-00000 … a-00099, less the Unlisted ones
    expect(first.value!.more).toBe(true);
    expect(calls()).toBe(1);
    await batches.return(undefined);
    expect(calls()).toBe(1);
  });

  it('compares names in code point order (UTF-8 byte order), not UTF-16 code unit order', () => {
    const next = random(7);
    const alphabet = ['a', 'z', '-', '0', '\u00e9', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{1f600}'];
    const word = () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join('');
    for (let i = 0; i < 2000; i++) {
      const [a, b] = [word(), word()];
      expect(Math.sign(compareCodePoints(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(
        Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
      );
    }
    expect(compareCodePoints('\u{10000}', '\uffff')).toBeGreaterThan(0); // where UTF-16 order says less
  });
});
