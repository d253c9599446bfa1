// Repositories: CreateRepository (with upstreams), DescribeRepository, UpdateRepository, DeleteRepository,
// ListRepositories, ListRepositoriesInDomain.
import { describe, expect, it } from 'vitest';
import type { RepositorySummary } from '@aws-sdk/client-codeartifact';
import { ACCOUNT, clientFor, expectError, uniq, useConformanceServer } from './helpers.js';

const ctx = useConformanceServer();

const repoArn = (domain: string, repository: string, region = 'us-east-1') =>
  `arn:aws:codeartifact:${region}:${ACCOUNT}:repository/${domain}/${repository}`;

async function newDomain(): Promise<string> {
  const domain = uniq('rd');
  await ctx.ca.createDomain({ domain });
  return domain;
}

async function namesIn(domain: string): Promise<string[]> {
  const out = await ctx.ca.listRepositoriesInDomain({ domain, maxResults: 1000 });
  return (out.repositories ?? []).map((r) => r.name!).sort();
}

describe('CreateRepository', () => {
  it('returns the full RepositoryDescription', async () => {
    const domain = await newDomain();
    const before = Date.now();
    const out = await ctx.ca.createRepository({ domain, repository: 'Repo_1.x-y', description: 'first repo' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    const r = out.repository!;
    expect(r.name).toBe('Repo_1.x-y');
    expect(r.administratorAccount).toBe(ACCOUNT);
    expect(r.domainName).toBe(domain);
    expect(r.domainOwner).toBe(ACCOUNT);
    expect(r.arn).toBe(repoArn(domain, 'Repo_1.x-y'));
    expect(r.description).toBe('first repo');
    expect(r.upstreams ?? []).toEqual([]);
    expect(r.externalConnections ?? []).toEqual([]);
    expect(r.createdTime).toBeInstanceOf(Date);
    expect(r.createdTime!.getTime()).toBeGreaterThanOrEqual(before - 2000);
    expect(r.createdTime!.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
  });

  it('keeps upstreams in the given order', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'up-a' });
    await ctx.ca.createRepository({ domain, repository: 'up-b' });
    await ctx.ca.createRepository({ domain, repository: 'up-c' });
    const out = await ctx.ca.createRepository({
      domain,
      repository: 'down',
      upstreams: [{ repositoryName: 'up-c' }, { repositoryName: 'up-a' }, { repositoryName: 'up-b' }],
    });
    expect(out.repository!.upstreams).toEqual([
      { repositoryName: 'up-c' },
      { repositoryName: 'up-a' },
      { repositoryName: 'up-b' },
    ]);
    const described = await ctx.ca.describeRepository({ domain, repository: 'down' });
    expect(described.repository!.upstreams).toEqual(out.repository!.upstreams);
  });

  it('an unknown upstream is a ResourceNotFoundException and creates nothing', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'exists' });
    await expectError(
      ctx.ca.createRepository({
        domain,
        repository: 'orphan',
        upstreams: [{ repositoryName: 'exists' }, { repositoryName: 'missing' }],
      }),
      'ResourceNotFoundException',
    );
    await expectError(ctx.ca.describeRepository({ domain, repository: 'orphan' }), 'ResourceNotFoundException');
    expect(await namesIn(domain)).toEqual(['exists']);
    expect((await ctx.ca.describeDomain({ domain })).domain!.repositoryCount).toBe(1);
    // 'exists' can still be deleted: the failed create left no upstream link behind.
    await ctx.ca.deleteRepository({ domain, repository: 'exists' });
  });

  it('a duplicate name is a ConflictException and the original is unchanged', async () => {
    const domain = await newDomain();
    const first = await ctx.ca.createRepository({ domain, repository: 'dup', description: 'original' });
    await expectError(
      ctx.ca.createRepository({ domain, repository: 'dup', description: 'impostor' }),
      'ConflictException',
    );
    const after = await ctx.ca.describeRepository({ domain, repository: 'dup' });
    expect(after.repository).toEqual(first.repository);
  });

  it('the same repository name may exist in two domains', async () => {
    const d1 = await newDomain();
    const d2 = await newDomain();
    await ctx.ca.createRepository({ domain: d1, repository: 'shared' });
    const out = await ctx.ca.createRepository({ domain: d2, repository: 'shared' });
    expect(out.repository!.arn).toBe(repoArn(d2, 'shared'));
  });

  it('an unknown domain is a ResourceNotFoundException', async () => {
    const domain = uniq('nodom');
    await expectError(ctx.ca.createRepository({ domain, repository: 'r' + 'x' }), 'ResourceNotFoundException');
    await expectError(ctx.ca.describeDomain({ domain }), 'ResourceNotFoundException');
  });
});

describe('DescribeRepository', () => {
  it('returns what CreateRepository returned', async () => {
    const domain = await newDomain();
    const created = await ctx.ca.createRepository({ domain, repository: 'same', description: 'd' });
    const out = await ctx.ca.describeRepository({ domain, repository: 'same', domainOwner: ACCOUNT });
    expect(out.repository).toEqual(created.repository);
  });

  it('unknown repository or domain is a ResourceNotFoundException', async () => {
    const domain = await newDomain();
    const err = await expectError(
      ctx.ca.describeRepository({ domain, repository: 'nope' }),
      'ResourceNotFoundException',
    );
    expect(err.resourceType).toBe('repository');
    await expectError(
      ctx.ca.describeRepository({ domain: uniq('nodom'), repository: 'nope' }),
      'ResourceNotFoundException',
    );
  });

  it('uses the credential scope region in the ARN', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'regional' });
    const out = await clientFor(ctx.server, 'ap-southeast-2').describeRepository({ domain, repository: 'regional' });
    expect(out.repository!.arn).toBe(repoArn(domain, 'regional', 'ap-southeast-2'));
  });
});

describe('UpdateRepository', () => {
  it('changes the description and replaces the upstreams', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'u1' });
    await ctx.ca.createRepository({ domain, repository: 'u2' });
    await ctx.ca.createRepository({ domain, repository: 'main', description: 'old', upstreams: [{ repositoryName: 'u1' }] });
    const out = await ctx.ca.updateRepository({
      domain,
      repository: 'main',
      description: 'new',
      upstreams: [{ repositoryName: 'u2' }, { repositoryName: 'u1' }],
    });
    expect(out.repository!.description).toBe('new');
    expect(out.repository!.upstreams).toEqual([{ repositoryName: 'u2' }, { repositoryName: 'u1' }]);
    const described = await ctx.ca.describeRepository({ domain, repository: 'main' });
    expect(described.repository).toEqual(out.repository);
  });

  it('without upstreams keeps them; with an empty list clears them', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'base' });
    await ctx.ca.createRepository({ domain, repository: 'top', upstreams: [{ repositoryName: 'base' }] });
    const kept = await ctx.ca.updateRepository({ domain, repository: 'top', description: 'only the description' });
    expect(kept.repository!.upstreams).toEqual([{ repositoryName: 'base' }]);
    expect(kept.repository!.description).toBe('only the description');
    const cleared = await ctx.ca.updateRepository({ domain, repository: 'top', upstreams: [] });
    expect(cleared.repository!.upstreams ?? []).toEqual([]);
    // Now 'base' has no downstream and can be deleted.
    await ctx.ca.deleteRepository({ domain, repository: 'base' });
  });

  it('an unknown upstream is a ResourceNotFoundException and changes nothing', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'u1' });
    const created = await ctx.ca.createRepository({
      domain,
      repository: 'main',
      description: 'keep',
      upstreams: [{ repositoryName: 'u1' }],
    });
    await expectError(
      ctx.ca.updateRepository({
        domain,
        repository: 'main',
        description: 'lost',
        upstreams: [{ repositoryName: 'zz' }],
      }),
      'ResourceNotFoundException',
    );
    const after = await ctx.ca.describeRepository({ domain, repository: 'main' });
    expect(after.repository).toEqual(created.repository);
  });

  it('an unknown repository is a ResourceNotFoundException', async () => {
    const domain = await newDomain();
    await expectError(ctx.ca.updateRepository({ domain, repository: 'ghost', description: 'x' }), 'ResourceNotFoundException');
    expect(await namesIn(domain)).toEqual([]);
  });
});

describe('DeleteRepository', () => {
  it('returns the deleted repository and removes it', async () => {
    const domain = await newDomain();
    const created = await ctx.ca.createRepository({ domain, repository: 'bye', description: 'd' });
    const out = await ctx.ca.deleteRepository({ domain, repository: 'bye' });
    expect(out.repository!.name).toBe('bye');
    expect(out.repository!.arn).toBe(created.repository!.arn);
    expect(out.repository!.description).toBe('d');
    await expectError(ctx.ca.describeRepository({ domain, repository: 'bye' }), 'ResourceNotFoundException');
    expect(await namesIn(domain)).toEqual([]);
  });

  it('a repository that is another one’s upstream is a ConflictException and stays', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'upstream' });
    await ctx.ca.createRepository({ domain, repository: 'downstream', upstreams: [{ repositoryName: 'upstream' }] });
    await expectError(ctx.ca.deleteRepository({ domain, repository: 'upstream' }), 'ConflictException');
    expect(await namesIn(domain)).toEqual(['downstream', 'upstream']);
    expect((await ctx.ca.describeDomain({ domain })).domain!.repositoryCount).toBe(2);
    // Deleting the downstream first frees it.
    await ctx.ca.deleteRepository({ domain, repository: 'downstream' });
    await ctx.ca.deleteRepository({ domain, repository: 'upstream' });
    expect(await namesIn(domain)).toEqual([]);
  });

  it('an unknown repository is a ResourceNotFoundException', async () => {
    const domain = await newDomain();
    await expectError(ctx.ca.deleteRepository({ domain, repository: 'never' }), 'ResourceNotFoundException');
    await expectError(
      ctx.ca.deleteRepository({ domain: uniq('nodom'), repository: 'never' }),
      'ResourceNotFoundException',
    );
  });
});

describe('ListRepositoriesInDomain', () => {
  it('lists RepositorySummary entries, filtered by prefix and administrator', async () => {
    const domain = await newDomain();
    await ctx.ca.createRepository({ domain, repository: 'app-one', description: 'one' });
    await ctx.ca.createRepository({ domain, repository: 'app-two' });
    await ctx.ca.createRepository({ domain, repository: 'lib' });
    const all = await ctx.ca.listRepositoriesInDomain({ domain });
    expect(all.repositories!.map((r) => r.name).sort()).toEqual(['app-one', 'app-two', 'lib']);
    const one = all.repositories!.find((r) => r.name === 'app-one')!;
    expect(one).toMatchObject({
      name: 'app-one',
      administratorAccount: ACCOUNT,
      domainName: domain,
      domainOwner: ACCOUNT,
      arn: repoArn(domain, 'app-one'),
      description: 'one',
    });
    expect(one.createdTime).toBeInstanceOf(Date);
    const prefixed = await ctx.ca.listRepositoriesInDomain({ domain, repositoryPrefix: 'app-' });
    expect(prefixed.repositories!.map((r) => r.name).sort()).toEqual(['app-one', 'app-two']);
    const none = await ctx.ca.listRepositoriesInDomain({ domain, repositoryPrefix: 'zzz' });
    expect(none.repositories ?? []).toEqual([]);
    const mine = await ctx.ca.listRepositoriesInDomain({ domain, administratorAccount: ACCOUNT });
    expect(mine.repositories!.length).toBe(3);
    const theirs = await ctx.ca.listRepositoriesInDomain({ domain, administratorAccount: '222222222222' });
    expect(theirs.repositories ?? []).toEqual([]);
  });

  it('an unknown domain is a ResourceNotFoundException', async () => {
    await expectError(ctx.ca.listRepositoriesInDomain({ domain: uniq('nodom') }), 'ResourceNotFoundException');
  });
});

describe('ListRepositories', () => {
  it('lists repositories of every domain of the account, filtered by prefix', async () => {
    const d1 = await newDomain();
    const d2 = await newDomain();
    const prefix = uniq('acct');
    await ctx.ca.createRepository({ domain: d1, repository: `${prefix}-a` });
    await ctx.ca.createRepository({ domain: d2, repository: `${prefix}-b` });
    await ctx.ca.createRepository({ domain: d2, repository: 'unrelated' });
    const out = await ctx.ca.listRepositories({ repositoryPrefix: prefix });
    const found = (out.repositories ?? []).map((r: RepositorySummary) => `${r.domainName}/${r.name}`).sort();
    expect(found).toEqual([`${d1}/${prefix}-a`, `${d2}/${prefix}-b`].sort());
    const all = await ctx.ca.listRepositories({ maxResults: 1000 });
    const keys = (all.repositories ?? []).map((r) => `${r.domainName}/${r.name}`);
    expect(keys).toContain(`${d2}/unrelated`);
    const a = all.repositories!.find((r) => r.name === `${prefix}-a`)!;
    expect(a.arn).toBe(repoArn(d1, `${prefix}-a`));
    expect(a.domainOwner).toBe(ACCOUNT);
    expect(a.administratorAccount).toBe(ACCOUNT);
  });

  it('a prefix that matches nothing is an empty list, not an error', async () => {
    const out = await ctx.ca.listRepositories({ repositoryPrefix: 'no-such-prefix-anywhere' });
    expect(out.repositories ?? []).toEqual([]);
    expect(out.nextToken).toBeUndefined();
  });

  it('deleted repositories disappear from the list', async () => {
    const domain = await newDomain();
    const name = uniq('gone');
    await ctx.ca.createRepository({ domain, repository: name });
    await ctx.ca.deleteRepository({ domain, repository: name });
    const out = await ctx.ca.listRepositories({ repositoryPrefix: name });
    expect(out.repositories ?? []).toEqual([]);
  });
});
