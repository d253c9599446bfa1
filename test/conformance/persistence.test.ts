// Restart persistence: everything written through the control plane is read back unchanged after the
// server stops and starts again on the same DATA_DIR.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Codeartifact } from '@aws-sdk/client-codeartifact';
import {
  ACCOUNT,
  clientFor,
  expectError,
  hashesOf,
  publish,
  sleep,
  useConformanceServer,
  type GenericCoordinates,
} from './helpers.js';

const ctx = useConformanceServer();

const domain = 'persist-dom';
const other = 'persist-other';
const at: GenericCoordinates = { domain, repository: 'main', namespace: 'acme', package: 'tool' };
const assetA = Buffer.from('asset A contents');
const assetA2 = Buffer.from('asset A2 contents!');
const assetB = Buffer.alloc(70_000, 7);

const pkgOf = () => ({
  domain,
  repository: 'main',
  format: 'generic' as const,
  namespace: 'acme',
  package: 'tool',
});

// Captured before the restart, compared after.
let before: Record<string, unknown> = {};
let pageToken: string;
let expiration: Date;
let oldToken: string;

async function snapshot(client: Codeartifact) {
  const describeDomain = (await client.describeDomain({ domain })).domain;
  const domains = (await client.listDomains({ maxResults: 1000 })).domains;
  const repos = (await client.listRepositoriesInDomain({ domain, maxResults: 1000 })).repositories;
  const main = (await client.describeRepository({ domain, repository: 'main' })).repository;
  const lib = (await client.describeRepository({ domain, repository: 'lib' })).repository;
  const packages = (await client.listPackages({ domain, repository: 'main' })).packages;
  const pkg = (await client.describePackage(pkgOf())).package;
  const versions = await client.listPackageVersions(pkgOf());
  const { $metadata: _m1, ...versionsBody } = versions;
  const byTime = (await client.listPackageVersions({ ...pkgOf(), sortBy: 'PUBLISHED_TIME' })).versions;
  const v1 = (await client.describePackageVersion({ ...pkgOf(), packageVersion: '1.0.0' })).packageVersion;
  const v2 = (await client.describePackageVersion({ ...pkgOf(), packageVersion: '2.0.0' })).packageVersion;
  const v3 = (await client.describePackageVersion({ ...pkgOf(), packageVersion: '3.0.0' })).packageVersion;
  const assets = await client.listPackageVersionAssets({ ...pkgOf(), packageVersion: '2.0.0' });
  const { $metadata: _m2, ...assetsBody } = assets;
  const domainTags = (await client.listTagsForResource({ resourceArn: describeDomain!.arn! })).tags;
  const repoTags = (await client.listTagsForResource({ resourceArn: main!.arn! })).tags;
  return {
    describeDomain,
    domains,
    repos,
    main,
    lib,
    packages,
    pkg,
    versionsBody,
    byTime,
    v1,
    v2,
    v3,
    assetsBody,
    domainTags,
    repoTags,
  };
}

beforeAll(async () => {
  await ctx.ca.createDomain({ domain, tags: [{ key: 'cost-center', value: '42' }] });
  await ctx.ca.createDomain({ domain: other });
  await ctx.ca.createRepository({ domain, repository: 'lib', description: 'upstream' });
  await ctx.ca.createRepository({
    domain,
    repository: 'main',
    description: 'the main one',
    upstreams: [{ repositoryName: 'lib' }],
    tags: [{ key: 'tier', value: 'gold' }],
  });
  await ctx.ca.createRepository({ domain: other, repository: 'solo' });
  await publish(ctx.ca, at, '1.0.0', 'a.txt', assetA);
  await sleep(20);
  await publish(ctx.ca, at, '2.0.0', 'a.txt', assetA2, { unfinished: true });
  await publish(ctx.ca, at, '2.0.0', 'b.bin', assetB);
  await sleep(20);
  await publish(ctx.ca, at, '3.0.0', 'a.txt', 'three', { unfinished: true });
  await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(), versions: ['1.0.0'], targetStatus: 'Unlisted' });
  await publish(ctx.ca, { ...at, package: 'gone' }, '1.0.0', 'x.txt', 'x');
  await ctx.ca.deletePackage({ ...pkgOf(), package: 'gone' });
  const token = await ctx.ca.getAuthorizationToken({ domain, durationSeconds: 3600 });
  expiration = token.expiration!;
  oldToken = token.authorizationToken!;
  pageToken = (await ctx.ca.listDomains({ maxResults: 1 })).nextToken!;
  before = await snapshot(ctx.ca);
  await ctx.server.restart();
  ctx.ca = clientFor(ctx.server);
});

describe('after a restart on the same DATA_DIR', () => {
  it('every read answers exactly as before', async () => {
    const after = await snapshot(ctx.ca);
    expect(after).toEqual(before);
  });

  it('domains keep their counts and tags', async () => {
    const d = (await ctx.ca.describeDomain({ domain })).domain!;
    expect(d.repositoryCount).toBe(2);
    expect(d.assetSizeBytes).toBe(assetA.length + assetA2.length + assetB.length + 'three'.length);
    expect(d.owner).toBe(ACCOUNT);
    const tags = (await ctx.ca.listTagsForResource({ resourceArn: d.arn! })).tags;
    expect(tags).toEqual([{ key: 'cost-center', value: '42' }]);
    const names = ((await ctx.ca.listDomains({})).domains ?? []).map((x) => x.name).sort();
    expect(names).toEqual([domain, other]);
  });

  it('repositories keep description, upstreams and the upstream guard', async () => {
    const main = (await ctx.ca.describeRepository({ domain, repository: 'main' })).repository!;
    expect(main.description).toBe('the main one');
    expect(main.upstreams).toEqual([{ repositoryName: 'lib' }]);
    await expectError(ctx.ca.deleteRepository({ domain, repository: 'lib' }), 'ConflictException');
    await expectError(ctx.ca.deleteDomain({ domain }), 'ConflictException');
    await expectError(ctx.ca.createRepository({ domain, repository: 'main' }), 'ConflictException');
  });

  it('versions keep their statuses, revisions and the default display version', async () => {
    const out = await ctx.ca.listPackageVersions(pkgOf());
    expect(out.versions!.map((v) => `${v.version}:${v.status}`)).toEqual([
      '1.0.0:Unlisted',
      '2.0.0:Published',
      '3.0.0:Unfinished',
    ]);
    expect(out.defaultDisplayVersion).toBe('2.0.0');
    await expectError(ctx.ca.describePackage({ ...pkgOf(), package: 'gone' }), 'ResourceNotFoundException');
  });

  it('asset bytes and hashes are intact', async () => {
    const list = await ctx.ca.listPackageVersionAssets({ ...pkgOf(), packageVersion: '2.0.0' });
    const b = list.assets!.find((a) => a.name === 'b.bin')!;
    expect(b.size).toBe(assetB.length);
    expect(b.hashes).toEqual(hashesOf(assetB));
    const got = await ctx.ca.getPackageVersionAsset({ ...pkgOf(), packageVersion: '2.0.0', asset: 'b.bin' });
    expect(Buffer.from(await got.asset!.transformToByteArray()).equals(assetB)).toBe(true);
    const a = await ctx.ca.getPackageVersionAsset({ ...pkgOf(), packageVersion: '1.0.0', asset: 'a.txt' });
    expect(Buffer.from(await a.asset!.transformToByteArray()).equals(assetA)).toBe(true);
  });

  it('an Unfinished version can still be completed, and the rules still hold', async () => {
    await expectError(publish(ctx.ca, at, '2.0.0', 'c.txt', 'late'), 'ConflictException');
    await expectError(publish(ctx.ca, at, '3.0.0', 'a.txt', 'three', { unfinished: true }), 'ConflictException');
    const done = await publish(ctx.ca, at, '3.0.0', 'z.txt', 'last');
    expect(done.status).toBe('Published');
    expect((await ctx.ca.listPackageVersions(pkgOf())).defaultDisplayVersion).toBe('3.0.0');
  });

  it('a pagination token issued before the restart still works', async () => {
    const out = await ctx.ca.listDomains({ maxResults: 1, nextToken: pageToken });
    expect(out.domains).toHaveLength(1);
  });

  it('a token issued before the restart still opens the repository endpoint', async () => {
    expect(expiration.getTime()).toBeGreaterThan(Date.now());
    const endpoint = (await ctx.ca.getRepositoryEndpoint({ domain, repository: 'main', format: 'pypi' })).repositoryEndpoint!;
    const url = `${endpoint}simple/some-project/`;
    const basic = (token: string) => ({ authorization: `Basic ${Buffer.from(`aws:${token}`).toString('base64')}` });
    const withOld = await fetch(url, { headers: basic(oldToken) });
    expect([401, 403]).not.toContain(withOld.status);
    expect((await fetch(url)).status).toBe(401);
  });

  it('writes after the restart persist through another restart', async () => {
    await ctx.ca.createRepository({ domain: other, repository: 'late', description: 'after restart' });
    await ctx.ca.tagResource({
      resourceArn: `arn:aws:codeartifact:us-east-1:${ACCOUNT}:repository/${other}/late`,
      tags: [{ key: 'k', value: 'v' }],
    });
    await ctx.ca.deleteRepository({ domain: other, repository: 'solo' });
    await ctx.server.restart();
    ctx.ca = clientFor(ctx.server);
    const repos = (await ctx.ca.listRepositoriesInDomain({ domain: other })).repositories!.map((r) => r.name);
    expect(repos).toEqual(['late']);
    expect((await ctx.ca.describeRepository({ domain: other, repository: 'late' })).repository!.description).toBe(
      'after restart',
    );
    const tags = await ctx.ca.listTagsForResource({
      resourceArn: `arn:aws:codeartifact:us-east-1:${ACCOUNT}:repository/${other}/late`,
    });
    expect(tags.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect((await ctx.ca.describeDomain({ domain: other })).domain!.repositoryCount).toBe(1);
  });
});
