// Packages and package versions through the generic publish flow: PublishPackageVersion, ListPackages,
// DescribePackage, DeletePackage, ListPackageVersions, DescribePackageVersion, UpdatePackageVersionsStatus,
// DeletePackageVersions, GetPackageVersionReadme, ListPackageVersionDependencies.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  domainWithRepository,
  expectError,
  hashesOf,
  pkgOf,
  publish,
  sha256,
  sleep,
  uniq,
  useConformanceServer,
  type GenericCoordinates,
} from './helpers.js';

const ctx = useConformanceServer('pkg');
/** This file's domain and its one repository, created before the first test. */
const { domain, repository } = ctx;

/** A fresh generic package in the shared repository. */
function fresh(namespace = 'ns'): GenericCoordinates {
  return { domain, repository, namespace, package: uniq('p') };
}

/** Every file under `dir` whose name contains `needle` (the blob store names blobs by their SHA-256). */
function filesNamed(dir: string, needle: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesNamed(full, needle));
    else if (entry.name.includes(needle)) out.push(full);
  }
  return out;
}

const ver = (at: GenericCoordinates, packageVersion: string) => ({ ...pkgOf(at), packageVersion });

async function statusOf(at: GenericCoordinates, version: string) {
  return (await ctx.ca.describePackageVersion(ver(at, version))).packageVersion!.status;
}

async function assetNames(at: GenericCoordinates, version: string) {
  const out = await ctx.ca.listPackageVersionAssets(ver(at, version));
  return (out.assets ?? []).map((a) => a.name!).sort();
}

async function versionsOf(at: GenericCoordinates, extra: Record<string, unknown> = {}) {
  const out = await ctx.ca.listPackageVersions({ ...pkgOf(at), ...extra });
  return out;
}

describe('PublishPackageVersion', () => {
  it('publishes a version with one asset and returns the PublishPackageVersionResult', async () => {
    const at = fresh();
    const content = Buffer.from('hello, generic world\n');
    const out = await publish(ctx.ca, at, '1.0.0', 'hello.txt', content);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.format).toBe('generic');
    expect(out.namespace).toBe(at.namespace);
    expect(out.package).toBe(at.package);
    expect(out.version).toBe('1.0.0');
    expect(out.status).toBe('Published');
    expect(typeof out.versionRevision).toBe('string');
    expect(out.versionRevision!.length).toBeGreaterThan(0);
    expect(out.asset).toEqual({ name: 'hello.txt', size: content.length, hashes: hashesOf(content) });
    const described = await ctx.ca.describePackageVersion(ver(at, '1.0.0'));
    expect(described.packageVersion!.revision).toBe(out.versionRevision);
    expect(described.packageVersion!.status).toBe('Published');
  });

  it('unfinished=true keeps the version Unfinished while assets are added; the last one publishes it', async () => {
    const at = fresh();
    const a = await publish(ctx.ca, at, '2.0.0', 'a.bin', 'aaa', { unfinished: true });
    expect(a.status).toBe('Unfinished');
    expect(await statusOf(at, '2.0.0')).toBe('Unfinished');
    const b = await publish(ctx.ca, at, '2.0.0', 'b.bin', 'bbbb', { unfinished: true });
    expect(b.status).toBe('Unfinished');
    expect(b.versionRevision).not.toBe(a.versionRevision);
    const c = await publish(ctx.ca, at, '2.0.0', 'c.bin', 'ccccc');
    expect(c.status).toBe('Published');
    expect(await statusOf(at, '2.0.0')).toBe('Published');
    expect(await assetNames(at, '2.0.0')).toEqual(['a.bin', 'b.bin', 'c.bin']);
  });

  it('adding an asset to a Published version is a ConflictException and adds nothing', async () => {
    const at = fresh();
    const first = await publish(ctx.ca, at, '1.0.0', 'only.txt', 'one');
    await expectError(publish(ctx.ca, at, '1.0.0', 'late.txt', 'two'), 'ConflictException');
    await expectError(publish(ctx.ca, at, '1.0.0', 'late2.txt', 'two', { unfinished: true }), 'ConflictException');
    expect(await assetNames(at, '1.0.0')).toEqual(['only.txt']);
    const described = await ctx.ca.describePackageVersion(ver(at, '1.0.0'));
    expect(described.packageVersion!.status).toBe('Published');
    expect(described.packageVersion!.revision).toBe(first.versionRevision);
  });

  it('publishing the same asset name again is a ConflictException and keeps the first bytes', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0.0', 'same.txt', 'original', { unfinished: true });
    await expectError(
      publish(ctx.ca, at, '1.0.0', 'same.txt', 'replacement', { unfinished: true }),
      'ConflictException',
    );
    const assets = (await ctx.ca.listPackageVersionAssets(ver(at, '1.0.0'))).assets!;
    expect(assets).toHaveLength(1);
    expect(assets[0]!.hashes!['SHA-256']).toBe(sha256('original'));
    expect(await statusOf(at, '1.0.0')).toBe('Unfinished');
  });

  it('a SHA-256 that does not match the bytes is a ValidationException and creates nothing', async () => {
    const at = fresh();
    await expectError(
      publish(ctx.ca, at, '1.0.0', 'x.txt', 'actual bytes', { sha: sha256('other bytes') }),
      'ValidationException',
    );
    await expectError(ctx.ca.describePackageVersion(ver(at, '1.0.0')), 'ResourceNotFoundException');
    await expectError(ctx.ca.describePackage(pkgOf(at)), 'ResourceNotFoundException');
    const listed = await ctx.ca.listPackages({ domain, repository, packagePrefix: at.package });
    expect(listed.packages ?? []).toEqual([]);
  });

  it('a SHA-256 mismatch on an Unfinished version adds no asset and keeps the revision', async () => {
    const at = fresh();
    const first = await publish(ctx.ca, at, '1.0.0', 'ok.txt', 'ok', { unfinished: true });
    await expectError(
      publish(ctx.ca, at, '1.0.0', 'bad.txt', 'bad', { sha: sha256('not bad'), unfinished: true }),
      'ValidationException',
    );
    expect(await assetNames(at, '1.0.0')).toEqual(['ok.txt']);
    const described = await ctx.ca.describePackageVersion(ver(at, '1.0.0'));
    expect(described.packageVersion!.status).toBe('Unfinished');
    expect(described.packageVersion!.revision).toBe(first.versionRevision);
    // The name is still free for the right bytes.
    const ok = await publish(ctx.ca, at, '1.0.0', 'bad.txt', 'bad');
    expect(ok.status).toBe('Published');
  });

  it.each(['pypi', 'npm', 'maven'])('format %s is a ValidationException and creates nothing', async (format) => {
    const at = fresh();
    await expectError(publish(ctx.ca, at, '1.0.0', 'a.txt', 'x', { format }), 'ValidationException');
    const listed = await ctx.ca.listPackages({ domain, repository, packagePrefix: at.package });
    expect(listed.packages ?? []).toEqual([]);
  });

  it('a generic publish without a namespace is a ValidationException', async () => {
    const at = fresh();
    await expectError(publish(ctx.ca, at, '1.0.0', 'a.txt', 'x', { omitNamespace: true }), 'ValidationException');
    const listed = await ctx.ca.listPackages({ domain, repository, packagePrefix: at.package });
    expect(listed.packages ?? []).toEqual([]);
  });

  it('an unknown repository or domain is a ResourceNotFoundException', async () => {
    await expectError(
      publish(ctx.ca, { ...fresh(), repository: 'no-such-repo' }, '1.0.0', 'a.txt', 'x'),
      'ResourceNotFoundException',
    );
    await expectError(
      publish(ctx.ca, { ...fresh(), domain: uniq('nodom') }, '1.0.0', 'a.txt', 'x'),
      'ResourceNotFoundException',
    );
  });

  it('a large asset with a wrong SHA-256 is rejected and leaves no blob behind', async () => {
    const at = fresh();
    const content = randomBytes(2 * 1024 * 1024 + 3);
    const actual = sha256(content);
    await expectError(publish(ctx.ca, at, '1.0.0', 'big.bin', content, { sha: sha256('x') }), 'ValidationException');
    await expectError(ctx.ca.describePackageVersion(ver(at, '1.0.0')), 'ResourceNotFoundException');
    expect(filesNamed(ctx.server.dataDir, actual)).toEqual([]);
    // The same bytes with the right hash are stored.
    await publish(ctx.ca, at, '1.0.0', 'big.bin', content);
    expect(filesNamed(ctx.server.dataDir, actual)).toHaveLength(1);
  });

  it('coordinates with characters that need URL encoding round-trip exactly', async () => {
    const at = { domain, repository, namespace: 'ns:é+1', package: 'a+b%20c~d' };
    const version = '1.0.0+build~1';
    const assetName = 'dir/file name+1&x=y.txt';
    const out = await publish(ctx.ca, at, version, assetName, 'encoded');
    expect(out).toMatchObject({ namespace: at.namespace, package: at.package, version, asset: { name: assetName } });
    const listed = await ctx.ca.listPackages({ domain, repository, packagePrefix: 'a+b' });
    expect(listed.packages!.map((p) => [p.namespace, p.package])).toEqual([[at.namespace, at.package]]);
    const v = await ctx.ca.describePackageVersion(ver(at, version));
    expect(v.packageVersion).toMatchObject({ namespace: at.namespace, packageName: at.package, version });
    expect(await assetNames(at, version)).toEqual([assetName]);
    const got = await ctx.ca.getPackageVersionAsset({ ...ver(at, version), asset: assetName });
    expect(got.assetName).toBe(assetName);
    expect(got.packageVersion).toBe(version);
    expect(Buffer.from(await got.asset!.transformToByteArray()).toString()).toBe('encoded');
  });

  it('a version lives in its repository only', async () => {
    const at = fresh('iso');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    await ctx.ca.createRepository({ domain, repository: `${repository}-other` });
    const elsewhere = { ...at, repository: `${repository}-other` };
    await expectError(ctx.ca.describePackage(pkgOf(elsewhere)), 'ResourceNotFoundException');
    await expectError(ctx.ca.describePackageVersion(ver(elsewhere, '1.0')), 'ResourceNotFoundException');
    // Publishing the same coordinates there is independent.
    const there = await publish(ctx.ca, elsewhere, '1.0', 'a.txt', 'y');
    expect(there.status).toBe('Published');
    const here = await ctx.ca.listPackageVersionAssets(ver(at, '1.0'));
    expect(here.assets![0]!.hashes!['SHA-256']).toBe(sha256('x'));
  });

  it('a deleted version can be published again', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0.0', 'a.txt', 'first');
    await ctx.ca.deletePackageVersions({ ...pkgOf(at), versions: ['1.0.0'] });
    const again = await publish(ctx.ca, at, '1.0.0', 'a.txt', 'second');
    expect(again.status).toBe('Published');
    const assets = (await ctx.ca.listPackageVersionAssets(ver(at, '1.0.0'))).assets!;
    expect(assets.map((a) => a.hashes!['SHA-256'])).toEqual([sha256('second')]);
  });
});

describe('ListPackages', () => {
  let d: string;
  let r: string;

  beforeAll(async () => {
    ({ domain: d, repository: r } = await domainWithRepository(ctx.ca, 'lp'));
    const put = (namespace: string, name: string) =>
      publish(ctx.ca, { domain: d, repository: r, namespace, package: name }, '1.0', 'f.txt', `${namespace}/${name}`);
    await put('alpha', 'web-app');
    await put('alpha', 'web-lib');
    await put('alpha', 'cli');
    await put('alphabet', 'web-x');
    await put('beta', 'web-y');
  });

  const list = async (filters: Record<string, unknown> = {}) => {
    const out = await ctx.ca.listPackages({ domain: d, repository: r, ...filters });
    return (out.packages ?? []).map((p) => `${p.namespace}/${p.package}`).sort();
  };

  it('lists every package as a PackageSummary', async () => {
    const out = await ctx.ca.listPackages({ domain: d, repository: r });
    expect(out.packages).toHaveLength(5);
    const app = out.packages!.find((p) => p.package === 'web-app')!;
    expect(app).toEqual({
      format: 'generic',
      namespace: 'alpha',
      package: 'web-app',
      originConfiguration: { restrictions: { publish: 'ALLOW', upstream: 'BLOCK' } },
    });
    expect(out.nextToken).toBeUndefined();
  });

  it('filters by format', async () => {
    expect(await list({ format: 'generic' })).toHaveLength(5);
    expect(await list({ format: 'npm' })).toEqual([]);
    expect(await list({ format: 'pypi' })).toEqual([]);
  });

  // The model documents ListPackages' namespace as a prefix filter ("Note that although this option is
  // called --namespace and not --namespace-prefix, it has prefix-matching behavior").
  it('filters by namespace prefix, alone and with a package prefix', async () => {
    expect(await list({ packagePrefix: 'web-', namespace: 'alpha' })).toEqual([
      'alpha/web-app',
      'alpha/web-lib',
      'alphabet/web-x',
    ]);
    expect(await list({ namespace: 'alpha' })).toEqual([
      'alpha/cli',
      'alpha/web-app',
      'alpha/web-lib',
      'alphabet/web-x',
    ]);
    expect(await list({ namespace: 'alphabet' })).toEqual(['alphabet/web-x']);
    expect(await list({ namespace: 'beta' })).toEqual(['beta/web-y']);
    expect(await list({ namespace: 'gamma' })).toEqual([]);
  });

  it('filters by package prefix, alone and with an exact namespace', async () => {
    expect(await list({ packagePrefix: 'web-' })).toEqual([
      'alpha/web-app',
      'alpha/web-lib',
      'alphabet/web-x',
      'beta/web-y',
    ]);
    expect(await list({ packagePrefix: 'web-', namespace: 'beta' })).toEqual(['beta/web-y']);
    expect(await list({ packagePrefix: 'cl', format: 'generic' })).toEqual(['alpha/cli']);
    expect(await list({ packagePrefix: 'nothing' })).toEqual([]);
  });

  it('filters by the publish and upstream origin restrictions', async () => {
    expect(await list({ publish: 'ALLOW' })).toHaveLength(5);
    expect(await list({ publish: 'BLOCK' })).toEqual([]);
    expect(await list({ upstream: 'BLOCK' })).toHaveLength(5);
    expect(await list({ upstream: 'ALLOW' })).toEqual([]);
    expect(await list({ publish: 'ALLOW', upstream: 'BLOCK', namespace: 'beta' })).toEqual(['beta/web-y']);
  });

  it('an empty repository has no packages; an unknown one is a ResourceNotFoundException', async () => {
    await ctx.ca.createRepository({ domain: d, repository: 'empty' });
    expect((await ctx.ca.listPackages({ domain: d, repository: 'empty' })).packages ?? []).toEqual([]);
    await expectError(ctx.ca.listPackages({ domain: d, repository: 'nope' }), 'ResourceNotFoundException');
    await expectError(ctx.ca.listPackages({ domain: uniq('nodom'), repository: r }), 'ResourceNotFoundException');
  });
});

describe('DescribePackage', () => {
  it('returns the PackageDescription with the origin configuration of a published package', async () => {
    const at = fresh('desc');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const out = await ctx.ca.describePackage(pkgOf(at));
    expect(out.package).toEqual({
      format: 'generic',
      namespace: 'desc',
      name: at.package,
      originConfiguration: { restrictions: { publish: 'ALLOW', upstream: 'BLOCK' } },
    });
  });

  it('unknown package, namespace or format is a ResourceNotFoundException', async () => {
    const at = fresh('known');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const err = await expectError(
      ctx.ca.describePackage({ ...pkgOf(at), package: 'nope' }),
      'ResourceNotFoundException',
    );
    expect(err.resourceType).toBe('package');
    await expectError(ctx.ca.describePackage({ ...pkgOf(at), namespace: 'other' }), 'ResourceNotFoundException');
    await expectError(
      ctx.ca.describePackage({ domain, repository, format: 'npm', package: at.package }),
      'ResourceNotFoundException',
    );
    await expectError(ctx.ca.describePackage({ ...pkgOf(at), repository: 'nope' }), 'ResourceNotFoundException');
  });
});

describe('DeletePackage', () => {
  it('returns the deleted PackageSummary and removes the package with its versions', async () => {
    const at = fresh('delp');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    await publish(ctx.ca, at, '2.0', 'a.txt', 'y');
    const out = await ctx.ca.deletePackage(pkgOf(at));
    expect(out.deletedPackage).toMatchObject({ format: 'generic', namespace: 'delp', package: at.package });
    await expectError(ctx.ca.describePackage(pkgOf(at)), 'ResourceNotFoundException');
    await expectError(ctx.ca.describePackageVersion(ver(at, '1.0')), 'ResourceNotFoundException');
    await expectError(ctx.ca.listPackageVersions(pkgOf(at)), 'ResourceNotFoundException');
    const listed = await ctx.ca.listPackages({ domain, repository, packagePrefix: at.package });
    expect(listed.packages ?? []).toEqual([]);
  });

  it('an unknown package is a ResourceNotFoundException', async () => {
    await expectError(ctx.ca.deletePackage(pkgOf(fresh())), 'ResourceNotFoundException');
  });
});

describe('ListPackageVersions', () => {
  const at = { domain: '', repository: '', namespace: 'order', package: 'ordered' };

  beforeAll(async () => {
    at.domain = domain;
    at.repository = repository;
    // Published out of version order, with distinct published times.
    for (const v of ['1.10.0', '1.2.0', '1.9.0']) {
      await publish(ctx.ca, at, v, 'a.txt', v);
      await sleep(30);
    }
  });

  it('lists PackageVersionSummary entries in ascending version order by default', async () => {
    const out = await versionsOf(at);
    expect(out.format).toBe('generic');
    expect(out.namespace).toBe('order');
    expect(out.package).toBe('ordered');
    expect(out.versions!.map((v) => v.version)).toEqual(['1.2.0', '1.9.0', '1.10.0']);
    for (const v of out.versions!) {
      expect(v.status).toBe('Published');
      expect(v.origin?.originType).toBe('INTERNAL');
      if (v.origin?.domainEntryPoint) expect(v.origin.domainEntryPoint.repositoryName).toBe(repository);
      const described = await ctx.ca.describePackageVersion(ver(at, v.version!));
      expect(v.revision).toBe(described.packageVersion!.revision);
    }
    expect(out.nextToken).toBeUndefined();
  });

  it('sortBy PUBLISHED_TIME lists the newest first', async () => {
    const out = await versionsOf(at, { sortBy: 'PUBLISHED_TIME' });
    expect(out.versions!.map((v) => v.version)).toEqual(['1.9.0', '1.2.0', '1.10.0']);
  });

  it('defaultDisplayVersion is the most recently published Published version', async () => {
    expect((await versionsOf(at)).defaultDisplayVersion).toBe('1.9.0');
  });

  it('filters by originType', async () => {
    expect((await versionsOf(at, { originType: 'INTERNAL' })).versions!.map((v) => v.version)).toEqual([
      '1.2.0',
      '1.9.0',
      '1.10.0',
    ]);
    expect((await versionsOf(at, { originType: 'EXTERNAL' })).versions ?? []).toEqual([]);
  });

  it('filters by status; without a status lists every status', async () => {
    const sat = fresh('status');
    await publish(ctx.ca, sat, '1.0.0', 'a.txt', '1');
    await sleep(20);
    await publish(ctx.ca, sat, '2.0.0', 'a.txt', '2');
    await sleep(20);
    await publish(ctx.ca, sat, '3.0.0', 'a.txt', '3');
    await publish(ctx.ca, sat, '4.0.0', 'a.txt', '4', { unfinished: true });
    await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(sat), versions: ['3.0.0'], targetStatus: 'Unlisted' });
    await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(sat), versions: ['2.0.0'], targetStatus: 'Archived' });
    const names = async (status?: string) =>
      ((await versionsOf(sat, status ? { status } : {})).versions ?? []).map((v) => `${v.version}:${v.status}`);
    expect(await names()).toEqual(['1.0.0:Published', '2.0.0:Archived', '3.0.0:Unlisted', '4.0.0:Unfinished']);
    expect(await names('Published')).toEqual(['1.0.0:Published']);
    expect(await names('Unlisted')).toEqual(['3.0.0:Unlisted']);
    expect(await names('Archived')).toEqual(['2.0.0:Archived']);
    expect(await names('Unfinished')).toEqual(['4.0.0:Unfinished']);
    expect(await names('Disposed')).toEqual([]);
    // The newest Published one is 1.0.0 now: 3.0.0 is Unlisted, 2.0.0 Archived, 4.0.0 Unfinished.
    expect((await versionsOf(sat)).defaultDisplayVersion).toBe('1.0.0');
  });

  it('an unknown package is a ResourceNotFoundException', async () => {
    await expectError(ctx.ca.listPackageVersions(pkgOf(fresh())), 'ResourceNotFoundException');
  });
});

describe('DescribePackageVersion', () => {
  it('returns the PackageVersionDescription', async () => {
    const at = fresh('dv');
    const before = Date.now();
    const published = await publish(ctx.ca, at, '3.1.4', 'pi.txt', '3.14159');
    const out = await ctx.ca.describePackageVersion(ver(at, '3.1.4'));
    const v = out.packageVersion!;
    expect(v.format).toBe('generic');
    expect(v.namespace).toBe('dv');
    expect(v.packageName).toBe(at.package);
    expect(v.version).toBe('3.1.4');
    expect(v.status).toBe('Published');
    expect(v.revision).toBe(published.versionRevision);
    expect(v.publishedTime).toBeInstanceOf(Date);
    expect(v.publishedTime!.getTime()).toBeGreaterThanOrEqual(before - 2000);
    expect(v.publishedTime!.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
    expect(v.origin?.originType).toBe('INTERNAL');
  });

  it('unknown version or package is a ResourceNotFoundException', async () => {
    const at = fresh('dv');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const err = await expectError(ctx.ca.describePackageVersion(ver(at, '9.9')), 'ResourceNotFoundException');
    expect(err.resourceType).toBe('package-version');
    await expectError(
      ctx.ca.describePackageVersion({ ...ver(at, '1.0'), package: 'nope' }),
      'ResourceNotFoundException',
    );
  });
});

describe('UpdatePackageVersionsStatus', () => {
  it('moves versions between Published, Unlisted and Archived', async () => {
    const at = fresh('ups');
    const p1 = await publish(ctx.ca, at, '1.0', 'a.txt', '1');
    await publish(ctx.ca, at, '2.0', 'a.txt', '2');
    const out = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0', '2.0'],
      targetStatus: 'Unlisted',
    });
    expect(Object.keys(out.successfulVersions ?? {}).sort()).toEqual(['1.0', '2.0']);
    expect(out.successfulVersions!['1.0']!.status).toBe('Unlisted');
    expect(typeof out.successfulVersions!['1.0']!.revision).toBe('string');
    expect(out.failedVersions ?? {}).toEqual({});
    expect(await statusOf(at, '1.0')).toBe('Unlisted');
    expect(await statusOf(at, '2.0')).toBe('Unlisted');

    await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(at), versions: ['1.0'], targetStatus: 'Archived' });
    expect(await statusOf(at, '1.0')).toBe('Archived');
    const back = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0'],
      targetStatus: 'Published',
    });
    expect(back.successfulVersions!['1.0']!.status).toBe('Published');
    expect(await statusOf(at, '1.0')).toBe('Published');
    // The assets are untouched by status changes.
    expect(await assetNames(at, '1.0')).toEqual(['a.txt']);
    expect(p1.asset!.name).toBe('a.txt');
  });

  it('finishes an Unfinished version with targetStatus Published', async () => {
    const at = fresh('fin');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x', { unfinished: true });
    const out = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0'],
      expectedStatus: 'Unfinished',
      targetStatus: 'Published',
    });
    expect(out.successfulVersions!['1.0']!.status).toBe('Published');
    expect(await statusOf(at, '1.0')).toBe('Published');
    await expectError(publish(ctx.ca, at, '1.0', 'b.txt', 'y'), 'ConflictException');
  });

  it('an expectedStatus that does not match fails that version with MISMATCHED_STATUS', async () => {
    const at = fresh('mis');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const out = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0'],
      expectedStatus: 'Unlisted',
      targetStatus: 'Archived',
    });
    expect(out.successfulVersions ?? {}).toEqual({});
    expect(out.failedVersions!['1.0']!.errorCode).toBe('MISMATCHED_STATUS');
    expect(typeof out.failedVersions!['1.0']!.errorMessage).toBe('string');
    expect(await statusOf(at, '1.0')).toBe('Published');
    const ok = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0'],
      expectedStatus: 'Published',
      targetStatus: 'Archived',
    });
    expect(ok.successfulVersions!['1.0']!.status).toBe('Archived');
  });

  it('a revision that does not match fails that version with MISMATCHED_REVISION', async () => {
    const at = fresh('rev');
    const published = await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const out = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0'],
      versionRevisions: { '1.0': 'not-the-revision' },
      targetStatus: 'Unlisted',
    });
    expect(out.failedVersions!['1.0']!.errorCode).toBe('MISMATCHED_REVISION');
    expect(await statusOf(at, '1.0')).toBe('Published');
    const ok = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0'],
      versionRevisions: { '1.0': published.versionRevision! },
      targetStatus: 'Unlisted',
    });
    expect(ok.successfulVersions!['1.0']!.status).toBe('Unlisted');
  });

  it('an unknown version fails with NOT_FOUND', async () => {
    const at = fresh('nf');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const out = await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(at), versions: ['7.7'], targetStatus: 'Unlisted' });
    expect(out.failedVersions!['7.7']!.errorCode).toBe('NOT_FOUND');
    expect(out.successfulVersions ?? {}).toEqual({});
  });

  it('in a batch with an unknown version, the known one is either done or SKIPPED, never lost', async () => {
    const at = fresh('mix');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const out = await ctx.ca.updatePackageVersionsStatus({
      ...pkgOf(at),
      versions: ['1.0', '8.8'],
      targetStatus: 'Unlisted',
    });
    expect(out.failedVersions!['8.8']!.errorCode).toBe('NOT_FOUND');
    const now = await statusOf(at, '1.0');
    if (out.successfulVersions?.['1.0']) expect(now).toBe('Unlisted');
    else {
      expect(out.failedVersions!['1.0']!.errorCode).toBe('SKIPPED');
      expect(now).toBe('Published');
    }
  });

  it.each(['Unfinished', 'Deleted', 'Disposed'])(
    'targetStatus %s is a ValidationException and changes nothing',
    async (targetStatus) => {
      const at = fresh('tgt');
      await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
      await expectError(
        ctx.ca.updatePackageVersionsStatus({
          ...pkgOf(at),
          versions: ['1.0'],
          targetStatus: targetStatus as 'Published',
        }),
        'ValidationException',
      );
      expect(await statusOf(at, '1.0')).toBe('Published');
    },
  );

  it('an unknown package is a ResourceNotFoundException', async () => {
    await expectError(
      ctx.ca.updatePackageVersionsStatus({ ...pkgOf(fresh()), versions: ['1.0'], targetStatus: 'Unlisted' }),
      'ResourceNotFoundException',
    );
  });
});

describe('DeletePackageVersions', () => {
  it('deletes the given versions, reports them as Deleted and leaves the others', async () => {
    const at = fresh('delv');
    await publish(ctx.ca, at, '1.0', 'a.txt', '1');
    await publish(ctx.ca, at, '2.0', 'a.txt', '2');
    await publish(ctx.ca, at, '3.0', 'a.txt', '3');
    const out = await ctx.ca.deletePackageVersions({ ...pkgOf(at), versions: ['1.0', '3.0'] });
    expect(Object.keys(out.successfulVersions ?? {}).sort()).toEqual(['1.0', '3.0']);
    expect(out.successfulVersions!['1.0']!.status).toBe('Deleted');
    expect(out.successfulVersions!['3.0']!.status).toBe('Deleted');
    expect(out.failedVersions ?? {}).toEqual({});
    await expectError(ctx.ca.describePackageVersion(ver(at, '1.0')), 'ResourceNotFoundException');
    await expectError(ctx.ca.listPackageVersionAssets(ver(at, '3.0')), 'ResourceNotFoundException');
    expect((await versionsOf(at)).versions!.map((v) => v.version)).toEqual(['2.0']);
  });

  it('an unknown version fails with NOT_FOUND', async () => {
    const at = fresh('delnf');
    await publish(ctx.ca, at, '1.0', 'a.txt', '1');
    const out = await ctx.ca.deletePackageVersions({ ...pkgOf(at), versions: ['5.0'] });
    expect(out.failedVersions!['5.0']!.errorCode).toBe('NOT_FOUND');
    expect((await versionsOf(at)).versions!.map((v) => v.version)).toEqual(['1.0']);
  });

  it('an expectedStatus that does not match fails with MISMATCHED_STATUS and deletes nothing', async () => {
    const at = fresh('delms');
    await publish(ctx.ca, at, '1.0', 'a.txt', '1');
    const out = await ctx.ca.deletePackageVersions({ ...pkgOf(at), versions: ['1.0'], expectedStatus: 'Archived' });
    expect(out.failedVersions!['1.0']!.errorCode).toBe('MISMATCHED_STATUS');
    expect(await statusOf(at, '1.0')).toBe('Published');
  });

  it('an unknown package is a ResourceNotFoundException', async () => {
    await expectError(
      ctx.ca.deletePackageVersions({ ...pkgOf(fresh()), versions: ['1.0'] }),
      'ResourceNotFoundException',
    );
  });
});

describe('GetPackageVersionReadme', () => {
  it('answers for a generic version, which has no readme', async () => {
    const at = fresh('rd');
    const published = await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const out = await ctx.ca.getPackageVersionReadme(ver(at, '1.0'));
    expect(out.format).toBe('generic');
    expect(out.namespace).toBe('rd');
    expect(out.package).toBe(at.package);
    expect(out.version).toBe('1.0');
    expect(out.versionRevision).toBe(published.versionRevision);
    expect(out.readme ?? '').toBe('');
  });

  it('an unknown version is a ResourceNotFoundException', async () => {
    const at = fresh('rd');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    await expectError(ctx.ca.getPackageVersionReadme(ver(at, '2.0')), 'ResourceNotFoundException');
  });
});

describe('ListPackageVersionDependencies', () => {
  it('answers for a generic version, which has no dependencies', async () => {
    const at = fresh('dep');
    const published = await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    const out = await ctx.ca.listPackageVersionDependencies(ver(at, '1.0'));
    expect(out.format).toBe('generic');
    expect(out.namespace).toBe('dep');
    expect(out.package).toBe(at.package);
    expect(out.version).toBe('1.0');
    expect(out.versionRevision).toBe(published.versionRevision);
    expect(out.dependencies ?? []).toEqual([]);
    expect(out.nextToken).toBeUndefined();
  });

  it('an unknown version is a ResourceNotFoundException', async () => {
    const at = fresh('dep');
    await publish(ctx.ca, at, '1.0', 'a.txt', 'x');
    await expectError(ctx.ca.listPackageVersionDependencies(ver(at, '0.1')), 'ResourceNotFoundException');
  });
});
