// Pagination across pages with small maxResults, manually and through the SDK paginators, for every
// implemented list operation; tokens are opaque and tamper-evident.
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
