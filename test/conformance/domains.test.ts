// Domains: CreateDomain, DescribeDomain, ListDomains, DeleteDomain through @aws-sdk/client-codeartifact,
// including the counts a domain reports (repositoryCount, assetSizeBytes) after every write.
import { describe, expect, it } from 'vitest';
import { ACCOUNT, clientFor, expectError, publish, uniq, useConformanceServer } from './helpers.js';

const ctx = useConformanceServer();

async function allDomainNames(): Promise<string[]> {
  const out = await ctx.ca.listDomains({ maxResults: 1000 });
  return (out.domains ?? []).map((d) => d.name!);
}

describe('CreateDomain', () => {
  it('returns the full DomainDescription', async () => {
    const domain = uniq('dom');
    const before = Date.now();
    const out = await ctx.ca.createDomain({ domain });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toBeTruthy();
    const d = out.domain!;
    expect(d.name).toBe(domain);
    expect(d.owner).toBe(ACCOUNT);
    expect(d.arn).toBe(`arn:aws:codeartifact:us-east-1:${ACCOUNT}:domain/${domain}`);
    expect(d.status).toBe('Active');
    expect(d.createdTime).toBeInstanceOf(Date);
    expect(d.createdTime!.getTime()).toBeGreaterThanOrEqual(before - 2000);
    expect(d.createdTime!.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
    expect(d.repositoryCount).toBe(0);
    expect(d.assetSizeBytes).toBe(0);
  });

  it('a duplicate name is a ConflictException and leaves the domain as it was', async () => {
    const domain = uniq('dup');
    const first = await ctx.ca.createDomain({ domain });
    await ctx.ca.createRepository({ domain, repository: 'keep-me' });
    await expectError(ctx.ca.createDomain({ domain }), 'ConflictException');
    const after = await ctx.ca.describeDomain({ domain });
    expect(after.domain!.createdTime!.getTime()).toBe(first.domain!.createdTime!.getTime());
    expect(after.domain!.repositoryCount).toBe(1);
    expect((await allDomainNames()).filter((n) => n === domain)).toHaveLength(1);
  });
});

describe('DescribeDomain', () => {
  it('returns what CreateDomain returned', async () => {
    const domain = uniq('desc');
    const created = await ctx.ca.createDomain({ domain });
    const out = await ctx.ca.describeDomain({ domain });
    expect(out.domain).toEqual(created.domain);
  });

  it('accepts the explicit default owner', async () => {
    const domain = uniq('own');
    await ctx.ca.createDomain({ domain });
    const out = await ctx.ca.describeDomain({ domain, domainOwner: ACCOUNT });
    expect(out.domain!.name).toBe(domain);
  });

  it('an unknown domain is a ResourceNotFoundException', async () => {
    const err = await expectError(ctx.ca.describeDomain({ domain: uniq('nope') }), 'ResourceNotFoundException');
    expect(err.resourceType).toBe('domain');
  });

  it('a domain of another owner is not found', async () => {
    const domain = uniq('other');
    await ctx.ca.createDomain({ domain });
    await expectError(ctx.ca.describeDomain({ domain, domainOwner: '111111111111' }), 'ResourceNotFoundException');
  });

  it('uses the SigV4 credential scope region in the ARN', async () => {
    const domain = uniq('region');
    await ctx.ca.createDomain({ domain });
    const eu = clientFor(ctx.server, 'eu-west-1');
    const out = await eu.describeDomain({ domain });
    expect(out.domain!.arn).toBe(`arn:aws:codeartifact:eu-west-1:${ACCOUNT}:domain/${domain}`);
    const listed = await eu.listDomains({ maxResults: 1000 });
    expect(listed.domains!.find((d) => d.name === domain)!.arn).toBe(
      `arn:aws:codeartifact:eu-west-1:${ACCOUNT}:domain/${domain}`,
    );
  });
});

describe('ListDomains', () => {
  it('lists DomainSummary entries of every created domain', async () => {
    const names = [uniq('lst'), uniq('lst')];
    for (const domain of names) await ctx.ca.createDomain({ domain });
    const out = await ctx.ca.listDomains({});
    expect(out.$metadata.requestId).toBeTruthy();
    for (const domain of names) {
      const summary = out.domains!.find((d) => d.name === domain);
      expect(summary, domain).toBeDefined();
      expect(summary!.owner).toBe(ACCOUNT);
      expect(summary!.arn).toBe(`arn:aws:codeartifact:us-east-1:${ACCOUNT}:domain/${domain}`);
      expect(summary!.status).toBe('Active');
      expect(summary!.createdTime).toBeInstanceOf(Date);
    }
    expect(out.nextToken).toBeUndefined();
  });
});

describe('DeleteDomain', () => {
  it('returns the deleted domain and removes it', async () => {
    const domain = uniq('del');
    await ctx.ca.createDomain({ domain });
    const out = await ctx.ca.deleteDomain({ domain });
    expect(out.domain!.name).toBe(domain);
    expect(out.domain!.owner).toBe(ACCOUNT);
    expect(out.domain!.arn).toBe(`arn:aws:codeartifact:us-east-1:${ACCOUNT}:domain/${domain}`);
    await expectError(ctx.ca.describeDomain({ domain }), 'ResourceNotFoundException');
    expect(await allDomainNames()).not.toContain(domain);
  });

  it('a domain that still has repositories is a ConflictException, and nothing is deleted', async () => {
    const domain = uniq('busy');
    await ctx.ca.createDomain({ domain });
    await ctx.ca.createRepository({ domain, repository: 'r1' });
    await expectError(ctx.ca.deleteDomain({ domain }), 'ConflictException');
    const after = await ctx.ca.describeDomain({ domain });
    expect(after.domain!.repositoryCount).toBe(1);
    expect((await ctx.ca.describeRepository({ domain, repository: 'r1' })).repository!.name).toBe('r1');
    // Once empty it can go.
    await ctx.ca.deleteRepository({ domain, repository: 'r1' });
    await ctx.ca.deleteDomain({ domain });
    await expectError(ctx.ca.describeDomain({ domain }), 'ResourceNotFoundException');
  });

  it('a deleted name can be created again, fresh', async () => {
    const domain = uniq('again');
    await ctx.ca.createDomain({ domain });
    await ctx.ca.createRepository({ domain, repository: 'gone' });
    await ctx.ca.deleteRepository({ domain, repository: 'gone' });
    await ctx.ca.deleteDomain({ domain });
    const out = await ctx.ca.createDomain({ domain });
    expect(out.domain!.repositoryCount).toBe(0);
    await expectError(ctx.ca.describeRepository({ domain, repository: 'gone' }), 'ResourceNotFoundException');
  });

  it('an unknown domain never answers with an error DeleteDomain does not declare', async () => {
    // DeleteDomain declares AccessDenied, Conflict, InternalServer, Throttling, Validation: no NotFound.
    const domain = uniq('ghost');
    try {
      await ctx.ca.deleteDomain({ domain });
    } catch (e) {
      const err = e as { name: string };
      expect(['AccessDeniedException', 'ConflictException', 'ThrottlingException', 'ValidationException']).toContain(
        err.name,
      );
    }
    expect(await allDomainNames()).not.toContain(domain);
  });
});

describe('domain counts stay true', () => {
  it('repositoryCount follows CreateRepository and DeleteRepository', async () => {
    const domain = uniq('count');
    await ctx.ca.createDomain({ domain });
    const count = async () => (await ctx.ca.describeDomain({ domain })).domain!.repositoryCount;
    expect(await count()).toBe(0);
    await ctx.ca.createRepository({ domain, repository: 'one' });
    expect(await count()).toBe(1);
    await ctx.ca.createRepository({ domain, repository: 'two' });
    await ctx.ca.createRepository({ domain, repository: 'three', upstreams: [{ repositoryName: 'one' }] });
    expect(await count()).toBe(3);
    await ctx.ca.deleteRepository({ domain, repository: 'two' });
    expect(await count()).toBe(2);
    // A failed create does not count.
    await expectError(ctx.ca.createRepository({ domain, repository: 'one' }), 'ConflictException');
    expect(await count()).toBe(2);
  });

  it('assetSizeBytes follows publishing and deleting', async () => {
    const domain = uniq('size');
    await ctx.ca.createDomain({ domain });
    await ctx.ca.createRepository({ domain, repository: 'store' });
    const at = { domain, repository: 'store', namespace: 'ns', package: 'pkg' };
    const size = async () => (await ctx.ca.describeDomain({ domain })).domain!.assetSizeBytes;
    expect(await size()).toBe(0);
    await publish(ctx.ca, at, '1.0.0', 'a.bin', Buffer.alloc(1000, 1));
    expect(await size()).toBe(1000);
    await publish(ctx.ca, at, '2.0.0', 'a.bin', Buffer.alloc(300, 2), { unfinished: true });
    await publish(ctx.ca, at, '2.0.0', 'b.bin', Buffer.alloc(200, 3));
    expect(await size()).toBe(1500);
    // A rejected publish (wrong SHA-256) adds nothing.
    await expectError(
      publish(ctx.ca, at, '3.0.0', 'c.bin', Buffer.alloc(50, 4), { sha: '0'.repeat(64) }),
      'ValidationException',
    );
    expect(await size()).toBe(1500);
    await ctx.ca.deletePackageVersions({
      domain,
      repository: 'store',
      format: 'generic',
      namespace: 'ns',
      package: 'pkg',
      versions: ['1.0.0'],
    });
    expect(await size()).toBe(500);
    await ctx.ca.deletePackage({ domain, repository: 'store', format: 'generic', namespace: 'ns', package: 'pkg' });
    expect(await size()).toBe(0);
  });
});
