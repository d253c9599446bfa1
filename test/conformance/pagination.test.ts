// Pagination across pages with small maxResults, manually and through the SDK paginators, for every
// implemented list operation; tokens are opaque and tamper-evident; a listing that loses the row its token
// points at (deleted, or no longer matching the filter) carries on after that position.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  paginateListDomains,
  paginateListPackageVersionAssets,
  paginateListPackageVersions,
  paginateListPackages,
  paginateListRepositories,
  paginateListRepositoriesInDomain,
} from '@aws-sdk/client-codeartifact';
import {
  collect,
  expectError,
  pkgOf,
  publish,
  uniq,
  useConformanceServer,
  type GenericCoordinates,
} from './helpers.js';

const ctx = useConformanceServer();
const domains: string[] = [];
let domain: string;
const repositories: string[] = [];
let at: GenericCoordinates;
const packages: string[] = [];
const versions = ['1.0', '1.1', '1.2', '1.10', '2.0', '2.1', '3.0'];
const assets = ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt'];

beforeAll(async () => {
  for (let i = 0; i < 7; i++) {
    const name = uniq('pg');
    domains.push(name);
    await ctx.ca.createDomain({ domain: name });
  }
  domain = domains[0]!;
  for (let i = 0; i < 7; i++) {
    const name = `repo-${i}`;
    repositories.push(name);
    await ctx.ca.createRepository({ domain, repository: name });
  }
  // Repositories in a second domain, for ListRepositories across domains.
  for (let i = 0; i < 3; i++) await ctx.ca.createRepository({ domain: domains[1]!, repository: `other-${i}` });
  for (let i = 0; i < 6; i++) {
    const name = `pkg-${i}`;
    packages.push(name);
    await publish(ctx.ca, { domain, repository: 'repo-0', namespace: 'ns', package: name }, '1.0', 'f.txt', name);
  }
  at = { domain, repository: 'repo-0', namespace: 'ns', package: 'many' };
  for (const v of versions) await publish(ctx.ca, at, v, 'f.txt', v);
  for (const [i, a] of assets.entries())
    await publish(ctx.ca, at, '9.0', a, a, { unfinished: i < assets.length - 1 });
});

describe('ListDomains', () => {
  it('pages by hand with maxResults 2 and matches the one-page listing', async () => {
    const whole = (await ctx.ca.listDomains({ maxResults: 1000 })).domains!.map((d) => d.name!);
    expect([...whole].sort()).toEqual([...domains].sort());
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await ctx.ca.listDomains({ maxResults: 2, nextToken });
      pages += 1;
      expect(out.domains!.length).toBeLessThanOrEqual(2);
      if (out.nextToken) expect(out.domains).toHaveLength(2);
      seen.push(...out.domains!.map((d) => d.name!));
      nextToken = out.nextToken;
      expect(pages).toBeLessThan(20);
    } while (nextToken);
    expect(pages).toBe(4);
    expect(seen).toEqual(whole);
  });

  it('paginateListDomains visits every domain once', async () => {
    const pages = await collect(paginateListDomains({ client: ctx.ca, pageSize: 3 }, {}));
    expect(pages).toHaveLength(3);
    const names = pages.flatMap((p) => p.domains!.map((d) => d.name!));
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...domains].sort());
  });

  it('the default page holds everything when there are few', async () => {
    const out = await ctx.ca.listDomains({});
    expect(out.domains).toHaveLength(domains.length);
    expect(out.nextToken).toBeUndefined();
  });
});

describe('ListRepositoriesInDomain and ListRepositories', () => {
  it('paginateListRepositoriesInDomain visits every repository once', async () => {
    const pages = await collect(paginateListRepositoriesInDomain({ client: ctx.ca, pageSize: 2 }, { domain }));
    expect(pages).toHaveLength(4);
    const names = pages.flatMap((p) => p.repositories!.map((r) => r.name!));
    expect([...names].sort()).toEqual([...repositories].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('paginates with a prefix filter', async () => {
    await ctx.ca.createRepository({ domain, repository: 'zeta-1' });
    await ctx.ca.createRepository({ domain, repository: 'zeta-2' });
    await ctx.ca.createRepository({ domain, repository: 'zeta-3' });
    const pages = await collect(
      paginateListRepositoriesInDomain({ client: ctx.ca, pageSize: 1 }, { domain, repositoryPrefix: 'zeta' }),
    );
    expect(pages.flatMap((p) => p.repositories!.map((r) => r.name!)).sort()).toEqual(['zeta-1', 'zeta-2', 'zeta-3']);
    for (const r of ['zeta-1', 'zeta-2', 'zeta-3']) await ctx.ca.deleteRepository({ domain, repository: r });
  });

  it('paginateListRepositories visits the repositories of every domain once', async () => {
    const pages = await collect(paginateListRepositories({ client: ctx.ca, pageSize: 3 }, {}));
    const keys = pages.flatMap((p) => p.repositories!.map((r) => `${r.domainName}/${r.name}`));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(10);
    expect(pages.length).toBe(4);
    for (let i = 0; i < 3; i++) expect(keys).toContain(`${domains[1]}/other-${i}`);
  });
});

describe('ListPackages, ListPackageVersions, ListPackageVersionAssets', () => {
  it('paginateListPackages visits every package once', async () => {
    const pages = await collect(
      paginateListPackages({ client: ctx.ca, pageSize: 4 }, { domain, repository: 'repo-0', packagePrefix: 'pkg-' }),
    );
    expect(pages).toHaveLength(2);
    const names = pages.flatMap((p) => p.packages!.map((x) => x.package!));
    expect([...names].sort()).toEqual([...packages].sort());
  });

  it('paginateListPackageVersions keeps the version order across pages', async () => {
    const pages = await collect(paginateListPackageVersions({ client: ctx.ca, pageSize: 3 }, pkgOf(at)));
    const all = pages.flatMap((p) => p.versions!.map((v) => v.version!));
    expect(all).toEqual(['1.0', '1.1', '1.2', '1.10', '2.0', '2.1', '3.0', '9.0']);
    expect(pages).toHaveLength(3);
    for (const p of pages) {
      expect(p.package).toBe('many');
      expect(p.defaultDisplayVersion).toBe('9.0');
    }
  });

  it('paginates a status-filtered, time-sorted version list', async () => {
    const pages = await collect(
      paginateListPackageVersions(
        { client: ctx.ca, pageSize: 3 },
        { ...pkgOf(at), status: 'Published', sortBy: 'PUBLISHED_TIME' },
      ),
    );
    const all = pages.flatMap((p) => p.versions!.map((v) => v.version!));
    expect([...all].sort()).toEqual(['1.0', '1.1', '1.10', '1.2', '2.0', '2.1', '3.0', '9.0']);
    expect(all[0]).toBe('9.0');
  });

  it('paginateListPackageVersionAssets visits every asset once', async () => {
    const pages = await collect(
      paginateListPackageVersionAssets({ client: ctx.ca, pageSize: 2 }, { ...pkgOf(at), packageVersion: '9.0' }),
    );
    expect(pages).toHaveLength(3);
    const names = pages.flatMap((p) => p.assets!.map((a) => a.name!));
    expect([...names].sort()).toEqual(assets);
    for (const p of pages) expect(p.version).toBe('9.0');
  });
});

describe('tokens', () => {
  it('a forged token is a ValidationException', async () => {
    await expectError(ctx.ca.listDomains({ maxResults: 2, nextToken: 'forged-token' }), 'ValidationException');
    const fake = Buffer.from(JSON.stringify({ s: 'ListDomains', c: 'a' })).toString('base64url');
    await expectError(ctx.ca.listDomains({ maxResults: 2, nextToken: fake }), 'ValidationException');
    await expectError(
      ctx.ca.listPackageVersions({ ...pkgOf(at), maxResults: 2, nextToken: 'eyJsaXN0UGFja2FnZVZlcnNpb25zVG9rZW4iOiIwLjIuMiJ9' }),
      'ValidationException',
    );
  });

  it('a forged token is a ValidationException on every paginated operation', async () => {
    const nextToken = Buffer.from('{"offset":2}').toString('base64');
    await expectError(ctx.ca.listRepositories({ nextToken }), 'ValidationException');
    await expectError(ctx.ca.listRepositoriesInDomain({ domain, nextToken }), 'ValidationException');
    await expectError(ctx.ca.listPackages({ domain, repository: 'repo-0', nextToken }), 'ValidationException');
    await expectError(ctx.ca.listPackageVersions({ ...pkgOf(at), nextToken }), 'ValidationException');
    await expectError(
      ctx.ca.listPackageVersionAssets({ ...pkgOf(at), packageVersion: '9.0', nextToken }),
      'ValidationException',
    );
    await expectError(
      ctx.ca.listPackageVersionDependencies({ ...pkgOf(at), packageVersion: '9.0', nextToken }),
      'ValidationException',
    );
  });

  it('a tampered token is a ValidationException', async () => {
    const token = (await ctx.ca.listDomains({ maxResults: 2 })).nextToken!;
    expect(token).toBeTruthy();
    // Change one character of the token.
    const i = Math.floor(token.length / 3);
    const swapped = token[i] === 'A' ? 'B' : 'A';
    const tampered = token.slice(0, i) + swapped + token.slice(i + 1);
    await expectError(ctx.ca.listDomains({ maxResults: 2, nextToken: tampered }), 'ValidationException');
    await expectError(ctx.ca.listDomains({ maxResults: 2, nextToken: token.slice(0, -2) }), 'ValidationException');
    // The genuine one still works.
    expect((await ctx.ca.listDomains({ maxResults: 2, nextToken: token })).domains).toHaveLength(2);
  });

  it('a token from one operation is a ValidationException on another', async () => {
    const token = (await ctx.ca.listDomains({ maxResults: 2 })).nextToken!;
    await expectError(ctx.ca.listRepositories({ maxResults: 2, nextToken: token }), 'ValidationException');
    await expectError(
      ctx.ca.listRepositoriesInDomain({ domain, maxResults: 2, nextToken: token }),
      'ValidationException',
    );
    const vToken = (await ctx.ca.listPackageVersions({ ...pkgOf(at), maxResults: 2 })).nextToken!;
    await expectError(ctx.ca.listPackages({ domain, repository: 'repo-0', nextToken: vToken }), 'ValidationException');
  });
});

describe('ListPackageVersions when the row a token points at goes away', () => {
  // core/pagination.ts pageInMemory resumes after the row whose key the token holds; when that row is gone the
  // page must start where it would have been, not at 0 (which repeats page 1). ListPackageVersionAssets and
  // ListPackageVersionDependencies share pageInMemory, but no operation removes one asset or one dependency
  // of a version (DeletePackageVersions removes the version and every list of it), so only versions can go.
  const fresh = async (name: string, list: string[]): Promise<GenericCoordinates> => {
    const c = { domain, repository: 'repo-1', namespace: 'shrink', package: name };
    for (const v of list) await publish(ctx.ca, c, v, 'f.txt', `${name} ${v}`);
    return c;
  };

  /** Every page after the first, from `nextToken` on, at maxResults 2. */
  const rest = async (input: Parameters<typeof ctx.ca.listPackageVersions>[0], nextToken: string | undefined) => {
    const pages: string[][] = [];
    while (nextToken) {
      const out = await ctx.ca.listPackageVersions({ ...input, maxResults: 2, nextToken });
      pages.push(out.versions!.map((v) => v.version!));
      nextToken = out.nextToken;
      expect(pages.length).toBeLessThan(10);
    }
    return pages;
  };

  it('deleting the last version of page 1: page 2 continues after it (format order)', async () => {
    const c = await fresh('deleted-in-order', ['1.0', '1.1', '1.2', '2.0', '3.0']);
    const first = await ctx.ca.listPackageVersions({ ...pkgOf(c), maxResults: 2 });
    expect(first.versions!.map((v) => v.version)).toEqual(['1.0', '1.1']);
    const del = await ctx.ca.deletePackageVersions({ ...pkgOf(c), versions: ['1.1'] });
    expect(Object.keys(del.successfulVersions ?? {})).toEqual(['1.1']);
    const pages = await rest(pkgOf(c), first.nextToken);
    expect(pages[0]).toEqual(['1.2', '2.0']);
    expect(pages.flat()).toEqual(['1.2', '2.0', '3.0']);
  });

  it('deleting the last version of page 1: page 2 continues after it (PUBLISHED_TIME, newest first)', async () => {
    const c = await fresh('deleted-by-time', ['1.0', '2.0', '3.0', '4.0', '5.0']);
    const input = { ...pkgOf(c), sortBy: 'PUBLISHED_TIME' as const };
    const whole = (await ctx.ca.listPackageVersions({ ...input, maxResults: 100 })).versions!.map((v) => v.version!);
    expect([...whole].sort()).toEqual(['1.0', '2.0', '3.0', '4.0', '5.0']);
    const first = await ctx.ca.listPackageVersions({ ...input, maxResults: 2 });
    const seen = first.versions!.map((v) => v.version!);
    expect(seen).toEqual(whole.slice(0, 2));
    await ctx.ca.deletePackageVersions({ ...pkgOf(c), versions: [seen[1]!] });
    const pages = await rest(input, first.nextToken);
    expect(pages[0]).toEqual(whole.slice(2, 4));
    expect(pages.flat()).toEqual(whole.slice(2));
  });

  it('the last version of page 1 leaving a status filter: page 2 continues after it', async () => {
    const c = await fresh('archived-while-paging', ['1.0', '1.1', '1.2', '2.0', '3.0']);
    const input = { ...pkgOf(c), status: 'Published' as const };
    const first = await ctx.ca.listPackageVersions({ ...input, maxResults: 2 });
    expect(first.versions!.map((v) => v.version)).toEqual(['1.0', '1.1']);
    await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(c), versions: ['1.1'], targetStatus: 'Archived' });
    const pages = await rest(input, first.nextToken);
    expect(pages[0]).toEqual(['1.2', '2.0']);
    expect(pages.flat()).toEqual(['1.2', '2.0', '3.0']);
  });
});
