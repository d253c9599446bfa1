// Validation and errors: every constraint botocore leaves to the server (max lengths, patterns, enums,
// maxResults, list sizes) is a ValidationException with a reason, and nothing changes after a rejected
// write. Plus the wire encoding of errors and successes (status, x-amzn-ErrorType, JSON, request ids,
// epoch-second timestamps).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  expectError,
  expectFieldValidation,
  expectWireError,
  pkgOf,
  publish,
  rawRequest,
  sha256,
  uniq,
  useConformanceServer,
  type GenericCoordinates,
} from './helpers.js';

const ctx = useConformanceServer();
let domain: string;
let repository: string;
let at: GenericCoordinates;

beforeAll(async () => {
  domain = uniq('val');
  repository = 'main';
  await ctx.ca.createDomain({ domain });
  await ctx.ca.createRepository({ domain, repository, description: 'original' });
  at = { domain, repository, namespace: 'ns', package: 'pkg' };
  await publish(ctx.ca, at, '1.0.0', 'a.txt', 'content');
});

async function domainNames() {
  return ((await ctx.ca.listDomains({ maxResults: 1000 })).domains ?? []).map((d) => d.name!).sort();
}
async function repositoryNames() {
  return ((await ctx.ca.listRepositoriesInDomain({ domain, maxResults: 1000 })).repositories ?? [])
    .map((r) => r.name!)
    .sort();
}
async function packageNames() {
  return ((await ctx.ca.listPackages({ domain, repository, maxResults: 1000 })).packages ?? [])
    .map((p) => `${p.namespace}/${p.package}`)
    .sort();
}
async function versionNames() {
  return ((await ctx.ca.listPackageVersions({ ...pkgOf(at) })).versions ?? []).map((v) => v.version!).sort();
}

describe('domain names', () => {
  it.each([
    ['uppercase', 'Upper-case'],
    ['underscore', 'under_score'],
    ['dot', 'has.dot'],
    ['leading digit', '1domain'],
    ['leading dash', '-domain'],
    ['trailing dash', 'domain-'],
    ['too short', 'd'],
    ['too long', `d${'x'.repeat(50)}`],
    ['whitespace', 'has space'],
    ['non-ascii', 'dömain'],
  ])('%s (%s) is a ValidationException on CreateDomain and creates nothing', async (_label, name) => {
    const before = await domainNames();
    await expectFieldValidation(ctx.ca.createDomain({ domain: name }));
    expect(await domainNames()).toEqual(before);
  });

  it('the longest valid name (50) is accepted', async () => {
    const name = `a${'b'.repeat(48)}c`;
    const out = await ctx.ca.createDomain({ domain: name });
    expect(out.domain!.name).toBe(name);
  });

  it('an invalid name on a read is a ValidationException, not a ResourceNotFoundException', async () => {
    await expectFieldValidation(ctx.ca.describeDomain({ domain: 'Bad_Name' }));
    await expectFieldValidation(ctx.ca.listRepositoriesInDomain({ domain: 'x'.repeat(51) }));
    await expectFieldValidation(ctx.ca.getAuthorizationToken({ domain: 'UPPER' }));
  });

  it('a missing required domain is a ValidationException', async () => {
    await expectError(ctx.ca.describeDomain({ domain: undefined as unknown as string }), 'ValidationException');
    await expectError(ctx.ca.createDomain({ domain: undefined as unknown as string }), 'ValidationException');
  });
});

describe('domain owner', () => {
  it.each([['short', '12345'], ['letters', 'abcdefghijkl'], ['too long', '0000000000000']])(
    '%s account id is a ValidationException',
    async (_label, domainOwner) => {
      await expectFieldValidation(ctx.ca.describeDomain({ domain, domainOwner }));
      await expectFieldValidation(ctx.ca.createRepository({ domain, domainOwner, repository: 'never-made' }));
      expect(await repositoryNames()).toEqual(['main']);
    },
  );
});

describe('repository names', () => {
  it.each([
    ['leading dash', '-repo'],
    ['leading dot', '.repo'],
    ['leading underscore', '_repo'],
    ['slash', 're/po'],
    ['whitespace', 're po'],
    ['colon', 're:po'],
    ['non-ascii', 'répo'],
    ['too short', 'r'],
    ['too long', `r${'x'.repeat(100)}`],
  ])('%s (%s) is a ValidationException on CreateRepository and creates nothing', async (_label, name) => {
    await expectFieldValidation(ctx.ca.createRepository({ domain, repository: name }));
    expect(await repositoryNames()).toEqual(['main']);
    expect((await ctx.ca.describeDomain({ domain })).domain!.repositoryCount).toBe(1);
  });

  it('the longest valid name (100) is accepted, then removed', async () => {
    const name = `R${'x'.repeat(98)}9`;
    await ctx.ca.createRepository({ domain, repository: name });
    await ctx.ca.deleteRepository({ domain, repository: name });
    expect(await repositoryNames()).toEqual(['main']);
  });

  it('an invalid upstream name is a ValidationException and creates nothing', async () => {
    await expectFieldValidation(
      ctx.ca.createRepository({ domain, repository: 'down', upstreams: [{ repositoryName: 'bad name' }] }),
    );
    expect(await repositoryNames()).toEqual(['main']);
  });

  it('a description over 1000 characters or with control characters is rejected and changes nothing', async () => {
    await expectFieldValidation(ctx.ca.createRepository({ domain, repository: 'long-desc', description: 'd'.repeat(1001) }));
    await expectFieldValidation(ctx.ca.updateRepository({ domain, repository, description: 'd'.repeat(1001) }));
    await expectFieldValidation(ctx.ca.updateRepository({ domain, repository, description: 'bell\u0007' }));
    expect((await ctx.ca.describeRepository({ domain, repository })).repository!.description).toBe('original');
    expect(await repositoryNames()).toEqual(['main']);
    // 1000 is fine.
    const ok = await ctx.ca.updateRepository({ domain, repository, description: 'd'.repeat(1000) });
    expect(ok.repository!.description).toHaveLength(1000);
    await ctx.ca.updateRepository({ domain, repository, description: 'original' });
  });

  it('an invalid prefix on ListRepositories is a ValidationException', async () => {
    await expectFieldValidation(ctx.ca.listRepositories({ repositoryPrefix: 'bad prefix' }));
  });
});

describe('package coordinates', () => {
  const bad = [
    ['slash', 'a/b'],
    ['hash', 'a#b'],
    ['space', 'a b'],
    ['tab', 'a\tb'],
    ['too long', 'x'.repeat(256)],
  ];

  it.each(bad)('package name with %s is a ValidationException on publish and creates nothing', async (_l, name) => {
    const before = await packageNames();
    await expectFieldValidation(publish(ctx.ca, { ...at, package: name! }, '1.0.0', 'a.txt', 'x'));
    expect(await packageNames()).toEqual(before);
  });

  it.each(bad)('namespace with %s is a ValidationException on publish and creates nothing', async (_l, ns) => {
    const before = await packageNames();
    await expectFieldValidation(publish(ctx.ca, { ...at, namespace: ns!, package: 'fresh' }, '1.0.0', 'a.txt', 'x'));
    expect(await packageNames()).toEqual(before);
  });

  it.each(bad)('version with %s is a ValidationException on publish and creates nothing', async (_l, version) => {
    await expectFieldValidation(publish(ctx.ca, at, version!, 'a.txt', 'x'));
    expect(await versionNames()).toEqual(['1.0.0']);
  });

  it('an empty package name is a ValidationException', async () => {
    await expectFieldValidation(ctx.ca.describePackage({ ...pkgOf(at), package: '' }));
  });

  it('invalid coordinates on reads are ValidationExceptions', async () => {
    await expectFieldValidation(ctx.ca.describePackage({ ...pkgOf(at), package: 'a/b' }));
    await expectFieldValidation(ctx.ca.describePackageVersion({ ...pkgOf(at), packageVersion: 'a b' }));
    await expectFieldValidation(ctx.ca.listPackages({ domain, repository, packagePrefix: 'x'.repeat(256) }));
    await expectFieldValidation(ctx.ca.listPackages({ domain, repository, namespace: 'a/b' }));
  });
});

describe('assets and SHA-256', () => {
  it.each([
    ['control character', 'bad\u0001name'],
    ['newline', 'bad\nname'],
    ['too long', 'a'.repeat(256)],
  ])('an asset name with %s is a ValidationException and adds nothing', async (_l, assetName) => {
    await publish(ctx.ca, { ...at, package: 'assets' }, '1.0.0', 'first.txt', 'x', { unfinished: true }).catch(() => {});
    await expectFieldValidation(publish(ctx.ca, { ...at, package: 'assets' }, '1.0.0', assetName, 'x', { unfinished: true }));
    const assets = await ctx.ca.listPackageVersionAssets({ ...pkgOf({ ...at, package: 'assets' }), packageVersion: '1.0.0' });
    expect(assets.assets!.map((a) => a.name)).toEqual(['first.txt']);
  });

  it.each([
    ['too short', 'abc123'],
    ['uppercase', 'AB'.repeat(32)],
    ['not hex', 'zz'.repeat(32)],
    ['too long', 'ab'.repeat(33)],
  ])('a SHA-256 that is %s is a ValidationException', async (_l, sha) => {
    await expectFieldValidation(publish(ctx.ca, { ...at, package: 'shapes' }, '1.0.0', 'a.txt', 'x', { sha }));
    await expectError(
      ctx.ca.describePackageVersion({ ...pkgOf({ ...at, package: 'shapes' }), packageVersion: '1.0.0' }),
      'ResourceNotFoundException',
    );
  });

  it('a well-formed but wrong SHA-256 is a ValidationException and stores nothing', async () => {
    const sizeBefore = (await ctx.ca.describeDomain({ domain })).domain!.assetSizeBytes;
    await expectError(
      publish(ctx.ca, at, '2.0.0', 'a.txt', 'payload', { sha: sha256('different payload') }),
      'ValidationException',
    );
    expect(await versionNames()).toEqual(['1.0.0']);
    expect((await ctx.ca.describeDomain({ domain })).domain!.assetSizeBytes).toBe(sizeBefore);
  });
});

describe('enums', () => {
  it('an unknown format is a ValidationException', async () => {
    await expectFieldValidation(ctx.ca.listPackages({ domain, repository, format: 'rpm' as 'npm' }));
    await expectFieldValidation(ctx.ca.describePackage({ ...pkgOf(at), format: 'GENERIC' as 'generic' }));
    await expectFieldValidation(publish(ctx.ca, at, '3.0.0', 'a.txt', 'x', { format: 'deb' }));
    expect(await versionNames()).toEqual(['1.0.0']);
  });

  it('unknown status, sortBy, originType, publish and upstream values are ValidationExceptions', async () => {
    await expectFieldValidation(ctx.ca.listPackageVersions({ ...pkgOf(at), status: 'published' as 'Published' }));
    await expectFieldValidation(ctx.ca.listPackageVersions({ ...pkgOf(at), sortBy: 'VERSION' as 'PUBLISHED_TIME' }));
    await expectFieldValidation(ctx.ca.listPackageVersions({ ...pkgOf(at), originType: 'BOTH' as 'INTERNAL' }));
    await expectFieldValidation(ctx.ca.listPackages({ domain, repository, publish: 'MAYBE' as 'ALLOW' }));
    await expectFieldValidation(ctx.ca.listPackages({ domain, repository, upstream: 'allow' as 'ALLOW' }));
  });

  it('an unknown targetStatus or expectedStatus is a ValidationException and changes nothing', async () => {
    await expectFieldValidation(
      ctx.ca.updatePackageVersionsStatus({ ...pkgOf(at), versions: ['1.0.0'], targetStatus: 'Gone' as 'Published' }),
    );
    await expectFieldValidation(
      ctx.ca.updatePackageVersionsStatus({
        ...pkgOf(at),
        versions: ['1.0.0'],
        expectedStatus: 'Live' as 'Published',
        targetStatus: 'Unlisted',
      }),
    );
    await expectFieldValidation(
      ctx.ca.deletePackageVersions({ ...pkgOf(at), versions: ['1.0.0'], expectedStatus: 'Live' as 'Published' }),
    );
    const v = await ctx.ca.describePackageVersion({ ...pkgOf(at), packageVersion: '1.0.0' });
    expect(v.packageVersion!.status).toBe('Published');
  });
});

describe('list sizes and numbers', () => {
  it.each([0, 1001, -5])('maxResults %i is a ValidationException on every list operation', async (maxResults) => {
    await expectFieldValidation(ctx.ca.listDomains({ maxResults }));
    await expectFieldValidation(ctx.ca.listRepositories({ maxResults }));
    await expectFieldValidation(ctx.ca.listRepositoriesInDomain({ domain, maxResults }));
    await expectFieldValidation(ctx.ca.listPackages({ domain, repository, maxResults }));
    await expectFieldValidation(ctx.ca.listPackageVersions({ ...pkgOf(at), maxResults }));
    await expectFieldValidation(ctx.ca.listPackageVersionAssets({ ...pkgOf(at), packageVersion: '1.0.0', maxResults }));
  });

  it('maxResults 1 and 1000 are accepted', async () => {
    expect((await ctx.ca.listDomains({ maxResults: 1 })).domains).toHaveLength(1);
    expect((await ctx.ca.listDomains({ maxResults: 1000 })).domains!.length).toBeGreaterThanOrEqual(1);
  });

  it('more than 100 versions in one batch is a ValidationException and changes nothing', async () => {
    const versions = ['1.0.0', ...Array.from({ length: 100 }, (_, i) => `9.${i}`)];
    await expectFieldValidation(
      ctx.ca.updatePackageVersionsStatus({ ...pkgOf(at), versions, targetStatus: 'Archived' }),
    );
    await expectFieldValidation(ctx.ca.deletePackageVersions({ ...pkgOf(at), versions }));
    const v = await ctx.ca.describePackageVersion({ ...pkgOf(at), packageVersion: '1.0.0' });
    expect(v.packageVersion!.status).toBe('Published');
  });

  it('an invalid version inside the batch list is a ValidationException', async () => {
    await expectFieldValidation(ctx.ca.deletePackageVersions({ ...pkgOf(at), versions: ['1.0.0', 'bad/version'] }));
    expect(await versionNames()).toEqual(['1.0.0']);
  });

  it('a malformed nextToken is a ValidationException', async () => {
    await expectError(ctx.ca.listDomains({ nextToken: 'has whitespace' }), 'ValidationException');
    await expectError(ctx.ca.listDomains({ nextToken: 'x'.repeat(2001) }), 'ValidationException');
  });
});

describe('wire encoding', () => {
  it('a success carries x-amzn-RequestId and epoch-second timestamps', async () => {
    const res = await rawRequest(ctx.server, 'GET', '/v1/domain', { query: { domain } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(res.headers.get('content-type') ?? '').toMatch(/application\/json/);
    expect(res.json.domain.name).toBe(domain);
    expect(typeof res.json.domain.createdTime).toBe('number');
    expect(Math.abs(res.json.domain.createdTime - Date.now() / 1000)).toBeLessThan(3600);
    const repo = await rawRequest(ctx.server, 'GET', '/v1/repository', { query: { domain, repository } });
    expect(typeof repo.json.repository.createdTime).toBe('number');
    const v = await rawRequest(ctx.server, 'GET', '/v1/package/version', {
      query: { domain, repository, format: 'generic', namespace: 'ns', package: 'pkg', version: '1.0.0' },
    });
    expect(typeof v.json.packageVersion.publishedTime).toBe('number');
  });

  it('every request gets its own request id', async () => {
    const a = await rawRequest(ctx.server, 'GET', '/v1/domain', { query: { domain } });
    const b = await rawRequest(ctx.server, 'GET', '/v1/domain', { query: { domain } });
    expect(a.headers.get('x-amzn-requestid')).not.toBe(b.headers.get('x-amzn-requestid'));
  });

  it('absent members are omitted, never null', async () => {
    const res = await rawRequest(ctx.server, 'GET', '/v1/repository', { query: { domain, repository } });
    const walk = (value: unknown): void => {
      expect(value).not.toBeNull();
      if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(res.json);
  });

  it('a ResourceNotFoundException is 404 + x-amzn-ErrorType + JSON {message, resourceType}', async () => {
    const res = await rawRequest(ctx.server, 'GET', '/v1/domain', { query: { domain: uniq('missing') } });
    expectWireError(res, 'ResourceNotFoundException');
    expect(res.json.resourceType).toBe('domain');
  });

  it('a ValidationException is 400 + x-amzn-ErrorType + JSON {message, reason}', async () => {
    const res = await rawRequest(ctx.server, 'GET', '/v1/domain', { query: { domain: 'BAD' } });
    expectWireError(res, 'ValidationException');
    expect(res.json.reason).toBe('FIELD_VALIDATION_FAILED');
  });

  it('a ConflictException is 409 + x-amzn-ErrorType + JSON', async () => {
    const res = await rawRequest(ctx.server, 'POST', '/v1/domain', { query: { domain } });
    expectWireError(res, 'ConflictException');
  });

  it('a malformed JSON body is a ValidationException, not a crash', async () => {
    const res = await rawRequest(ctx.server, 'POST', '/v1/domains', {
      body: '{"maxResults": ',
      headers: { 'content-type': 'application/json' },
    });
    expectWireError(res, 'ValidationException');
  });

  it('a wrongly typed member is a ValidationException', async () => {
    const res = await rawRequest(ctx.server, 'POST', '/v1/domains', {
      body: JSON.stringify({ maxResults: 'ten' }),
      headers: { 'content-type': 'application/json' },
    });
    expectWireError(res, 'ValidationException');
    const dur = await rawRequest(ctx.server, 'POST', '/v1/authorization-token', {
      query: { domain, duration: 'soon' },
    });
    expectWireError(dur, 'ValidationException');
  });

  it('an unknown route is a ValidationException with reason UNKNOWN_OPERATION', async () => {
    const res = await rawRequest(ctx.server, 'GET', '/v1/no-such-operation', { query: { domain } });
    expectWireError(res, 'ValidationException');
    expect(res.json.reason).toBe('UNKNOWN_OPERATION');
  });

  it('a publish whose x-amz-content-sha256 is not a SHA-256 is a ValidationException and stores nothing', async () => {
    const res = await rawRequest(ctx.server, 'POST', '/v1/package/version/publish', {
      query: { domain, repository, format: 'generic', namespace: 'ns', package: 'pkg', version: '5.0.0', asset: 'a.txt' },
      body: 'payload',
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    expectWireError(res, 'ValidationException');
    expect(await versionNames()).toEqual(['1.0.0']);
  });

  it('the credential scope region of a raw signed request shows in ARNs', async () => {
    const res = await rawRequest(ctx.server, 'GET', '/v1/domain', { query: { domain }, region: 'sa-east-1' });
    expect(res.json.domain.arn).toBe(`arn:aws:codeartifact:sa-east-1:${ACCOUNT}:domain/${domain}`);
  });
});
