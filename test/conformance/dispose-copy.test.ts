// DisposePackageVersions and CopyPackageVersions through the SDK. Dispose: the record stays (status Disposed,
// a new revision), the assets go, and their bytes leave the data dir once no other version refers to them.
// Copy ("Copy packages between repositories" in AWS's user guide): records copied, blobs shared; an identical
// version already in the destination succeeds without being listed, a different one is ALREADY_EXISTS unless
// allowOverwrite; all or nothing (the others SKIPPED); includeFromUpstream looks through the source's upstreams.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectDeclaredError,
  expectError,
  expectFieldValidation,
  hashesOf,
  pkgOf,
  publish,
  sha256,
  uniq,
  useConformanceServer,
  type GenericCoordinates,
} from './helpers.js';

const ctx = useConformanceServer('dc');
const { domain, repository } = ctx;

/** Bytes no other test publishes, so blob files are this test's alone. */
const unique = (label: string) => Buffer.from(`${label} ${randomBytes(12).toString('hex')}\n`);

function fresh(repo = repository): GenericCoordinates {
  return { domain, repository: repo, namespace: 'ns', package: uniq('p') };
}

/** Where the blob store keeps the bytes of a digest (blobs/ab/cd/<sha256>). */
const blobFile = (digest: string) => path.join(ctx.server.dataDir, 'blobs', digest.slice(0, 2), digest.slice(2, 4), digest);

/** Every file of the data dir named by `digest`, anywhere (blobs, tmp, quarantine). */
function filesNamed(dir: string, digest: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesNamed(full, digest));
    else if (entry.name.includes(digest)) out.push(full);
  }
  return out;
}

const ver = (at: GenericCoordinates, packageVersion: string) => ({ ...pkgOf(at), packageVersion });
const describeVersion = async (at: GenericCoordinates, v: string) => (await ctx.ca.describePackageVersion(ver(at, v))).packageVersion!;
const assetsOf = async (at: GenericCoordinates, v: string) => (await ctx.ca.listPackageVersionAssets(ver(at, v))).assets ?? [];
async function bytesOf(at: GenericCoordinates, v: string, asset: string): Promise<Buffer> {
  const out = await ctx.ca.getPackageVersionAsset({ ...ver(at, v), asset });
  return Buffer.from(await out.asset!.transformToByteArray());
}

describe('DisposePackageVersions', () => {
  it('sets Disposed with a new revision, removes the assets and their blob', async () => {
    const at = fresh();
    const content = unique('dispose me');
    const published = await publish(ctx.ca, at, '1.0', 'a.txt', content);
    expect(existsSync(blobFile(sha256(content)))).toBe(true);
    const sizeBefore = (await ctx.ca.describeDomain({ domain })).domain!.assetSizeBytes!;

    const out = await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0'] });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.failedVersions ?? {}).toEqual({});
    expect(out.successfulVersions).toEqual({ '1.0': { revision: expect.any(String), status: 'Disposed' } });
    const revision = out.successfulVersions!['1.0']!.revision!;
    expect(revision).not.toBe(published.versionRevision);

    const described = await describeVersion(at, '1.0');
    expect(described.status).toBe('Disposed');
    expect(described.revision).toBe(revision);
    const listed = await ctx.ca.listPackageVersions(pkgOf(at));
    expect(listed.versions!.map((v) => [v.version, v.status, v.revision])).toEqual([['1.0', 'Disposed', revision]]);
    const assets = await ctx.ca.listPackageVersionAssets(ver(at, '1.0'));
    expect(assets.assets ?? []).toEqual([]);
    expect(assets.versionRevision).toBe(revision);
    await expectDeclaredError(
      'GetPackageVersionAsset',
      ctx.ca.getPackageVersionAsset({ ...ver(at, '1.0'), asset: 'a.txt' }),
      'ConflictException',
    );
    expect(existsSync(blobFile(sha256(content)))).toBe(false);
    expect(filesNamed(ctx.server.dataDir, sha256(content))).toEqual([]);
    expect((await ctx.ca.describeDomain({ domain })).domain!.assetSizeBytes).toBe(sizeBefore - content.length);
  });

  it('keeps the blob while another version shares the bytes; disposing that one too removes it', async () => {
    const at = fresh();
    const shared = unique('shared bytes');
    await publish(ctx.ca, at, '1.0', 'a.txt', shared);
    await publish(ctx.ca, at, '2.0', 'b.txt', shared);
    const file = blobFile(sha256(shared));
    expect(filesNamed(ctx.server.dataDir, sha256(shared))).toEqual([file]);

    await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0'] });
    expect(existsSync(file)).toBe(true);
    expect((await bytesOf(at, '2.0', 'b.txt')).equals(shared)).toBe(true);

    await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['2.0'] });
    expect(existsSync(file)).toBe(false);
    expect(filesNamed(ctx.server.dataDir, sha256(shared))).toEqual([]);
  });

  it('keeps the blob while a version of another repository shares the bytes', async () => {
    const other = uniq('other');
    await ctx.ca.createRepository({ domain, repository: other });
    const shared = unique('across repositories');
    const here = fresh();
    const there = { ...here, repository: other };
    await publish(ctx.ca, here, '1.0', 'a.txt', shared);
    await publish(ctx.ca, there, '1.0', 'a.txt', shared);
    await ctx.ca.disposePackageVersions({ ...pkgOf(here), versions: ['1.0'] });
    expect(existsSync(blobFile(sha256(shared)))).toBe(true);
    expect((await bytesOf(there, '1.0', 'a.txt')).equals(shared)).toBe(true);
  });

  it('disposes several versions at once, of any status, with all their assets', async () => {
    const at = fresh();
    const files = [unique('a'), unique('b'), unique('c'), unique('d')];
    await publish(ctx.ca, at, '1.0', 'a.txt', files[0]!, { unfinished: true });
    await publish(ctx.ca, at, '1.0', 'b.txt', files[1]!);
    await publish(ctx.ca, at, '2.0', 'c.txt', files[2]!);
    await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(at), versions: ['2.0'], targetStatus: 'Archived' });
    await publish(ctx.ca, at, '3.0', 'd.txt', files[3]!, { unfinished: true });
    const out = await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0', '2.0', '3.0'] });
    expect(Object.keys(out.successfulVersions!).sort()).toEqual(['1.0', '2.0', '3.0']);
    for (const v of ['1.0', '2.0', '3.0']) {
      expect(out.successfulVersions![v]!.status).toBe('Disposed');
      expect(await assetsOf(at, v)).toEqual([]);
    }
    for (const f of files) expect(existsSync(blobFile(sha256(f)))).toBe(false);
  });

  it('expectedStatus that does not match is MISMATCHED_STATUS, the others SKIPPED, and nothing changes', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', unique('1'));
    await publish(ctx.ca, at, '2.0', 'a.txt', unique('2'));
    await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(at), versions: ['2.0'], targetStatus: 'Unlisted' });
    const before = await Promise.all(['1.0', '2.0'].map((v) => describeVersion(at, v)));
    const out = await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0', '2.0'], expectedStatus: 'Unlisted' });
    expect(out.successfulVersions ?? {}).toEqual({});
    expect(out.failedVersions).toEqual({
      '1.0': { errorCode: 'MISMATCHED_STATUS', errorMessage: 'current status: Published, expected status: Unlisted' },
      '2.0': { errorCode: 'SKIPPED', errorMessage: expect.stringContaining('2.0') },
    });
    expect(await Promise.all(['1.0', '2.0'].map((v) => describeVersion(at, v)))).toEqual(before);
    expect(await assetsOf(at, '1.0')).toHaveLength(1);
    // With the right expectation it goes through.
    const ok = await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['2.0'], expectedStatus: 'Unlisted' });
    expect(ok.successfulVersions!['2.0']!.status).toBe('Disposed');
  });

  it('a versionRevisions entry that does not match is MISMATCHED_REVISION; a matching one disposes', async () => {
    const at = fresh();
    const one = await publish(ctx.ca, at, '1.0', 'a.txt', unique('1'));
    const two = await publish(ctx.ca, at, '2.0', 'a.txt', unique('2'));
    const out = await ctx.ca.disposePackageVersions({
      ...pkgOf(at),
      versions: ['1.0', '2.0'],
      versionRevisions: { '1.0': one.versionRevision!, '2.0': 'stale-revision' },
    });
    expect(out.successfulVersions ?? {}).toEqual({});
    expect(out.failedVersions).toEqual({
      '2.0': {
        errorCode: 'MISMATCHED_REVISION',
        errorMessage: `current revision: ${two.versionRevision}, expected revision: stale-revision`,
      },
      '1.0': { errorCode: 'SKIPPED', errorMessage: expect.stringContaining('1.0') },
    });
    expect((await describeVersion(at, '1.0')).status).toBe('Published');
    const ok = await ctx.ca.disposePackageVersions({
      ...pkgOf(at),
      versions: ['2.0'],
      versionRevisions: { '2.0': two.versionRevision! },
    });
    expect(ok.successfulVersions!['2.0']!.status).toBe('Disposed');
  });

  it('a version that does not exist is NOT_FOUND and the others SKIPPED', async () => {
    const at = fresh();
    const content = unique('kept');
    await publish(ctx.ca, at, '1.0', 'a.txt', content);
    const out = await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0', '9.9'] });
    expect(out.failedVersions).toEqual({
      '9.9': { errorCode: 'NOT_FOUND', errorMessage: expect.stringContaining('9.9') },
      '1.0': { errorCode: 'SKIPPED', errorMessage: expect.stringContaining('1.0') },
    });
    expect((await describeVersion(at, '1.0')).status).toBe('Published');
    expect(existsSync(blobFile(sha256(content)))).toBe(true);
  });

  it('afterwards: a status change is NOT_ALLOWED, new assets are refused, DeletePackageVersions works', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', unique('x'));
    await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0'] });
    const again = await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0'] });
    expect(again.successfulVersions!['1.0']!.status).toBe('Disposed');
    const update = await ctx.ca.updatePackageVersionsStatus({ ...pkgOf(at), versions: ['1.0'], targetStatus: 'Published' });
    expect(update.failedVersions!['1.0']!.errorCode).toBe('NOT_ALLOWED');
    expect((await describeVersion(at, '1.0')).status).toBe('Disposed');
    await expectError(publish(ctx.ca, at, '1.0', 'b.txt', unique('late')), 'ConflictException');
    const deleted = await ctx.ca.deletePackageVersions({ ...pkgOf(at), versions: ['1.0'] });
    expect(deleted.successfulVersions!['1.0']!.status).toBe('Deleted');
    await expectError(ctx.ca.describePackageVersion(ver(at, '1.0')), 'ResourceNotFoundException');
  });

  it('validation and not-found errors', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', unique('v'));
    await expectError(ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: [] }), 'ValidationException');
    await expectFieldValidation(
      ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: Array.from({ length: 101 }, (_, i) => `${i}.0`) }),
    );
    await expectFieldValidation(ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0'], expectedStatus: 'Gone' as never }));
    await expectError(ctx.ca.disposePackageVersions({ ...pkgOf(at), namespace: undefined, versions: ['1.0'] }), 'ValidationException');
    await expectDeclaredError(
      'DisposePackageVersions',
      ctx.ca.disposePackageVersions({ ...pkgOf(at), package: 'no-such-package', versions: ['1.0'] }),
      'ResourceNotFoundException',
    );
    await expectError(ctx.ca.disposePackageVersions({ ...pkgOf(at), repository: 'no-such-repo', versions: ['1.0'] }), 'ResourceNotFoundException');
    await expectError(ctx.ca.disposePackageVersions({ ...pkgOf(at), domain: uniq('nodom'), versions: ['1.0'] }), 'ResourceNotFoundException');
    expect((await describeVersion(at, '1.0')).status).toBe('Published');
  });
});

describe('CopyPackageVersions', () => {
  let dest: string;
  beforeAll(async () => {
    dest = uniq('dest');
    await ctx.ca.createRepository({ domain, repository: dest });
  });

  const copy = (at: GenericCoordinates, extra: Record<string, unknown>) =>
    ctx.ca.copyPackageVersions({
      domain,
      sourceRepository: at.repository,
      destinationRepository: dest,
      format: 'generic',
      namespace: at.namespace,
      package: at.package,
      ...extra,
    });

  it('copies versions with the same assets and hashes; the blob folder holds one copy', async () => {
    const at = fresh();
    const a = unique('a');
    const b = Buffer.concat([unique('b'), randomBytes(100_000)]);
    await publish(ctx.ca, at, '1.0', 'a.txt', a, { unfinished: true });
    await publish(ctx.ca, at, '1.0', 'b.bin', b);
    await publish(ctx.ca, at, '1.1', 'a.txt', a);
    const out = await copy(at, { versions: ['1.0', '1.1'] });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.failedVersions ?? {}).toEqual({});
    expect(Object.keys(out.successfulVersions!).sort()).toEqual(['1.0', '1.1']);
    const there = { ...at, repository: dest };
    for (const v of ['1.0', '1.1']) {
      expect(out.successfulVersions![v]!.status).toBe('Published');
      expect(out.successfulVersions![v]!.revision).toBe((await describeVersion(there, v)).revision);
    }
    expect(await assetsOf(there, '1.0')).toEqual(await assetsOf(at, '1.0'));
    expect((await assetsOf(there, '1.0')).find((x) => x.name === 'b.bin')).toEqual({ name: 'b.bin', size: b.length, hashes: hashesOf(b) });
    expect((await bytesOf(there, '1.0', 'b.bin')).equals(b)).toBe(true);
    expect((await bytesOf(there, '1.1', 'a.txt')).equals(a)).toBe(true);
    for (const digest of [sha256(a), sha256(b)]) expect(filesNamed(ctx.server.dataDir, digest)).toEqual([blobFile(digest)]);
    // The destination now lists the package.
    const listed = await ctx.ca.listPackages({ domain, repository: dest, packagePrefix: at.package });
    expect(listed.packages!.map((p) => p.package)).toEqual([at.package]);
    // The copy is independent: disposing the source keeps the destination's bytes.
    await ctx.ca.disposePackageVersions({ ...pkgOf(at), versions: ['1.0', '1.1'] });
    expect((await bytesOf(there, '1.0', 'b.bin')).equals(b)).toBe(true);
    expect(existsSync(blobFile(sha256(b)))).toBe(true);
  });

  it('a version already there and identical succeeds without being listed', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', unique('same'));
    await publish(ctx.ca, at, '2.0', 'a.txt', unique('new'));
    await copy(at, { versions: ['1.0'] });
    const again = await copy(at, { versions: ['1.0'] });
    expect(again.successfulVersions ?? {}).toEqual({});
    expect(again.failedVersions ?? {}).toEqual({});
    const mixed = await copy(at, { versions: ['1.0', '2.0'] });
    expect(Object.keys(mixed.successfulVersions!)).toEqual(['2.0']);
    expect(mixed.failedVersions ?? {}).toEqual({});
  });

  it('a different version already there is ALREADY_EXISTS and the others SKIPPED, unless allowOverwrite', async () => {
    const at = fresh();
    const there = { ...at, repository: dest };
    const theirs = unique('destination bytes');
    const ours = unique('source bytes');
    await publish(ctx.ca, there, '2.0', 'a.txt', theirs);
    await publish(ctx.ca, at, '2.0', 'a.txt', ours);
    await publish(ctx.ca, at, '3.0', 'a.txt', unique('three'));
    const out = await copy(at, { versions: ['2.0', '3.0'] });
    expect(out.successfulVersions ?? {}).toEqual({});
    expect(out.failedVersions).toEqual({
      '2.0': { errorCode: 'ALREADY_EXISTS', errorMessage: 'Version 2.0 already exists' },
      '3.0': { errorCode: 'SKIPPED', errorMessage: 'Version 3.0 was skipped' },
    });
    expect((await bytesOf(there, '2.0', 'a.txt')).equals(theirs)).toBe(true);
    await expectError(ctx.ca.describePackageVersion(ver(there, '3.0')), 'ResourceNotFoundException');

    const forced = await copy(at, { versions: ['2.0', '3.0'], allowOverwrite: true });
    expect(Object.keys(forced.successfulVersions!).sort()).toEqual(['2.0', '3.0']);
    expect((await bytesOf(there, '2.0', 'a.txt')).equals(ours)).toBe(true);
    expect(await assetsOf(there, '2.0')).toEqual(await assetsOf(at, '2.0'));
    // The overwritten bytes were the destination's alone: they are gone.
    expect(filesNamed(ctx.server.dataDir, sha256(theirs))).toEqual([]);
  });

  it('a version the source does not have is NOT_FOUND and the others SKIPPED', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '0.2.0', 'a.txt', unique('x'));
    const out = await copy(at, { versions: ['0.2.0', '5.6.7'] });
    expect(out.successfulVersions ?? {}).toEqual({});
    expect(out.failedVersions).toEqual({
      '0.2.0': { errorCode: 'SKIPPED', errorMessage: 'Version 0.2.0 was skipped' },
      '5.6.7': { errorCode: 'NOT_FOUND', errorMessage: 'Could not find version 5.6.7' },
    });
    await expectError(ctx.ca.describePackageVersion(ver({ ...at, repository: dest }, '0.2.0')), 'ResourceNotFoundException');
  });

  it('versionRevisions: a matching revision copies, a stale one is MISMATCHED_REVISION', async () => {
    const at = fresh();
    const one = await publish(ctx.ca, at, '1.0', 'a.txt', unique('1'));
    const two = await publish(ctx.ca, at, '2.0', 'a.txt', unique('2'));
    const stale = await copy(at, { versionRevisions: { '1.0': one.versionRevision, '2.0': 'stale' } });
    expect(stale.successfulVersions ?? {}).toEqual({});
    expect(stale.failedVersions).toEqual({
      '2.0': { errorCode: 'MISMATCHED_REVISION', errorMessage: `current revision: ${two.versionRevision}, expected revision: stale` },
      '1.0': { errorCode: 'SKIPPED', errorMessage: 'Version 1.0 was skipped' },
    });
    const ok = await copy(at, { versionRevisions: { '1.0': one.versionRevision, '2.0': two.versionRevision } });
    expect(Object.keys(ok.successfulVersions!).sort()).toEqual(['1.0', '2.0']);
  });

  it('versions and versionRevisions together, or neither, are a ValidationException', async () => {
    const at = fresh();
    const one = await publish(ctx.ca, at, '1.0', 'a.txt', unique('1'));
    await expectDeclaredError(
      'CopyPackageVersions',
      copy(at, { versions: ['1.0'], versionRevisions: { '1.0': one.versionRevision } }),
      'ValidationException',
    );
    await expectError(copy(at, {}), 'ValidationException');
    await expectError(copy(at, { versions: [] }), 'ValidationException');
    await expectError(ctx.ca.describePackageVersion(ver({ ...at, repository: dest }, '1.0')), 'ResourceNotFoundException');
  });

  it('includeFromUpstream copies a version that only the source’s upstream has', async () => {
    const up = uniq('up');
    const src = uniq('src');
    await ctx.ca.createRepository({ domain, repository: up });
    await ctx.ca.createRepository({ domain, repository: src, upstreams: [{ repositoryName: up }] });
    const inSource = fresh(src);
    const upstreamBytes = unique('upstream only');
    await publish(ctx.ca, { ...inSource, repository: up }, '9.0', 'a.txt', upstreamBytes);
    const without = await copy(inSource, { versions: ['9.0'] });
    expect(without.failedVersions).toEqual({ '9.0': { errorCode: 'NOT_FOUND', errorMessage: 'Could not find version 9.0' } });
    const out = await copy(inSource, { versions: ['9.0'], includeFromUpstream: true });
    expect(out.failedVersions ?? {}).toEqual({});
    expect(Object.keys(out.successfulVersions!)).toEqual(['9.0']);
    expect((await bytesOf({ ...inSource, repository: dest }, '9.0', 'a.txt')).equals(upstreamBytes)).toBe(true);
    expect(filesNamed(ctx.server.dataDir, sha256(upstreamBytes))).toHaveLength(1);
  });

  it('includeFromUpstream searches the chain as the source sees it: its package upstream: BLOCK stops the search', async () => {
    const up = uniq('up');
    const src = uniq('src');
    await ctx.ca.createRepository({ domain, repository: up });
    await ctx.ca.createRepository({ domain, repository: src, upstreams: [{ repositoryName: up }] });
    const inSource = fresh(src);
    await publish(ctx.ca, { ...inSource, repository: up }, '9.0', 'a.txt', unique('upstream'));
    // Published directly in the source: publish ALLOW, upstream BLOCK (AWS's default).
    await publish(ctx.ca, inSource, '1.0', 'a.txt', unique('source'));
    const blocked = await copy(inSource, { versions: ['1.0', '9.0'], includeFromUpstream: true });
    expect(blocked.failedVersions).toEqual({
      '1.0': { errorCode: 'SKIPPED', errorMessage: 'Version 1.0 was skipped' },
      '9.0': { errorCode: 'NOT_FOUND', errorMessage: 'Could not find version 9.0' },
    });
    await ctx.ca.putPackageOriginConfiguration({ ...pkgOf(inSource), restrictions: { publish: 'ALLOW', upstream: 'ALLOW' } });
    const out = await copy(inSource, { versions: ['1.0', '9.0'], includeFromUpstream: true });
    expect(out.failedVersions ?? {}).toEqual({});
    expect(Object.keys(out.successfulVersions!).sort()).toEqual(['1.0', '9.0']);
  });

  it('the same repository as source and destination is a ValidationException', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', unique('1'));
    await expectDeclaredError(
      'CopyPackageVersions',
      ctx.ca.copyPackageVersions({
        domain,
        sourceRepository: repository,
        destinationRepository: repository,
        format: 'generic',
        namespace: 'ns',
        package: at.package,
        versions: ['1.0'],
      }),
      'ValidationException',
    );
  });

  it('unknown repositories, domain or package', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', unique('1'));
    const err = await expectDeclaredError(
      'CopyPackageVersions',
      copy({ ...at, repository: 'no-such-source' }, { versions: ['1.0'] }),
      'ResourceNotFoundException',
    );
    expect(err.resourceId).toBe('no-such-source');
    const e2 = await expectError(copy(at, { versions: ['1.0'], destinationRepository: 'no-such-dest' }), 'ResourceNotFoundException');
    expect(e2.resourceId).toBe('no-such-dest');
    await expectError(copy(at, { versions: ['1.0'], domain: uniq('nodom') }), 'ResourceNotFoundException');
    // A package the source does not hold: every version NOT_FOUND.
    const none = await copy({ ...at, package: 'no-such-package' }, { versions: ['1.0'] });
    expect(none.failedVersions!['1.0']!.errorCode).toBe('NOT_FOUND');
  });
});
