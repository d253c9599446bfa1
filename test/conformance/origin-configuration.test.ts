// PutPackageOriginConfiguration through the SDK: a package's own origin restrictions in one repository, on a
// package that exists and on one that does not yet (AWS creates an empty package record, which ListPackages
// and DescribePackage then show), the namespace rules of each format, validation of the restrictions, and
// the restrictions' effect on PublishPackageVersion ("Editing package origin controls" in AWS's user guide).
import { describe, expect, it } from 'vitest';
import {
  expectDeclaredError,
  expectError,
  expectFieldValidation,
  pkgOf,
  publish,
  uniq,
  useConformanceServer,
  type GenericCoordinates,
} from './helpers.js';

const ctx = useConformanceServer('orig');
const { domain, repository } = ctx;

function fresh(): GenericCoordinates {
  return { domain, repository, namespace: 'ns', package: uniq('p') };
}

const put = (at: Record<string, unknown>, publish: string, upstream: string) =>
  ctx.ca.putPackageOriginConfiguration({
    ...(at as ReturnType<typeof pkgOf>),
    restrictions: { publish: publish as 'ALLOW', upstream: upstream as 'ALLOW' },
  });


/** DescribePackage and ListPackages both show the package with publish BLOCK, upstream ALLOW. */
async function expectShownBlockAllow(at: GenericCoordinates) {
  const described = await ctx.ca.describePackage(pkgOf(at));
  expect(described.package).toEqual({
    format: 'generic',
    namespace: 'ns',
    name: at.package,
    originConfiguration: { restrictions: { publish: 'BLOCK', upstream: 'ALLOW' } },
  });
  const listed = await ctx.ca.listPackages({ domain, repository, packagePrefix: at.package });
  expect(listed.packages).toEqual([
    {
      format: 'generic',
      namespace: 'ns',
      package: at.package,
      originConfiguration: { restrictions: { publish: 'BLOCK', upstream: 'ALLOW' } },
    },
  ]);
}
describe('PutPackageOriginConfiguration on an existing package', () => {
  it('returns the new configuration, which DescribePackage and ListPackages then show', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', 'a');
    expect((await ctx.ca.describePackage(pkgOf(at))).package!.originConfiguration).toEqual({
      restrictions: { publish: 'ALLOW', upstream: 'BLOCK' },
    });
    const out = await put(pkgOf(at), 'BLOCK', 'ALLOW');
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.originConfiguration).toEqual({ restrictions: { publish: 'BLOCK', upstream: 'ALLOW' } });
    await expectShownBlockAllow(at);
    // The versions are untouched.
    const versions = await ctx.ca.listPackageVersions(pkgOf(at));
    expect(versions.versions!.map((v) => `${v.version}:${v.status}`)).toEqual(['1.0:Published']);
  });

  it('every combination round-trips', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', 'a');
    for (const [p, u] of [
      ['ALLOW', 'ALLOW'],
      ['BLOCK', 'BLOCK'],
      ['ALLOW', 'BLOCK'],
      ['BLOCK', 'ALLOW'],
    ] as const) {
      expect((await put(pkgOf(at), p, u)).originConfiguration!.restrictions).toEqual({ publish: p, upstream: u });
      expect((await ctx.ca.describePackage(pkgOf(at))).package!.originConfiguration!.restrictions).toEqual({
        publish: p,
        upstream: u,
      });
    }
  });

  it('ListPackages filters on the restrictions it sets', async () => {
    const prefix = uniq('flt');
    const blocked = { ...fresh(), package: `${prefix}-blocked` };
    const open = { ...fresh(), package: `${prefix}-open` };
    await publish(ctx.ca, blocked, '1.0', 'a.txt', 'a');
    await publish(ctx.ca, open, '1.0', 'a.txt', 'a');
    await put(pkgOf(blocked), 'BLOCK', 'BLOCK');
    const names = async (filter: Record<string, string>) =>
      ((await ctx.ca.listPackages({ domain, repository, packagePrefix: prefix, ...filter })).packages ?? [])
        .map((p) => p.package)
        .sort();
    expect(await names({ publish: 'BLOCK' })).toEqual([blocked.package]);
    expect(await names({ publish: 'ALLOW' })).toEqual([open.package]);
    expect(await names({ upstream: 'BLOCK' })).toEqual([blocked.package, open.package]);
    expect(await names({ upstream: 'ALLOW' })).toEqual([]);
  });

  it('publish BLOCK makes PublishPackageVersion a ConflictException that stores nothing; ALLOW lets it through', async () => {
    const at = fresh();
    await publish(ctx.ca, at, '1.0', 'a.txt', 'a');
    await put(pkgOf(at), 'BLOCK', 'BLOCK');
    const err = await expectDeclaredError(
      'PublishPackageVersion',
      publish(ctx.ca, at, '2.0', 'a.txt', 'two'),
      'ConflictException',
    );
    expect(err.message).toMatch(/origin configuration/i);
    expect((await ctx.ca.listPackageVersions(pkgOf(at))).versions!.map((v) => v.version)).toEqual(['1.0']);
    await put(pkgOf(at), 'ALLOW', 'BLOCK');
    expect((await publish(ctx.ca, at, '2.0', 'a.txt', 'two')).status).toBe('Published');
    // Publishing does not reset a configuration that was set explicitly.
    await put(pkgOf(at), 'ALLOW', 'ALLOW');
    await publish(ctx.ca, at, '3.0', 'a.txt', 'three');
    expect((await ctx.ca.describePackage(pkgOf(at))).package!.originConfiguration!.restrictions).toEqual({
      publish: 'ALLOW',
      upstream: 'ALLOW',
    });
  });
});

describe('PutPackageOriginConfiguration on a package that does not exist yet', () => {
  it('creates an empty package record with those restrictions', async () => {
    const at = fresh();
    const out = await put(pkgOf(at), 'BLOCK', 'ALLOW');
    expect(out.originConfiguration).toEqual({ restrictions: { publish: 'BLOCK', upstream: 'ALLOW' } });
    await expectShownBlockAllow(at);
    const versions = await ctx.ca.listPackageVersions(pkgOf(at));
    expect(versions.versions ?? []).toEqual([]);
    expect(versions.package).toBe(at.package);
  });

  it('blocks the first publish before anything arrives', async () => {
    const at = fresh();
    await put(pkgOf(at), 'BLOCK', 'ALLOW');
    await expectError(publish(ctx.ca, at, '1.0', 'a.txt', 'a'), 'ConflictException');
    expect((await ctx.ca.listPackageVersions(pkgOf(at))).versions ?? []).toEqual([]);
  });

  it('with publish ALLOW, the first publish keeps the configured upstream setting instead of the default', async () => {
    const at = fresh();
    await put(pkgOf(at), 'ALLOW', 'ALLOW');
    expect((await publish(ctx.ca, at, '1.0', 'a.txt', 'a')).status).toBe('Published');
    expect((await ctx.ca.describePackage(pkgOf(at))).package!.originConfiguration!.restrictions).toEqual({
      publish: 'ALLOW',
      upstream: 'ALLOW',
    });
  });

  it('the empty record can be deleted with DeletePackage', async () => {
    const at = fresh();
    await put(pkgOf(at), 'BLOCK', 'BLOCK');
    const deleted = await ctx.ca.deletePackage(pkgOf(at));
    expect(deleted.deletedPackage).toMatchObject({ package: at.package, namespace: 'ns', format: 'generic' });
    await expectError(ctx.ca.describePackage(pkgOf(at)), 'ResourceNotFoundException');
  });

  it('a package of another format: PyPI (no namespace) and npm (namespace optional)', async () => {
    const name = uniq('py');
    const pypi = { domain, repository, format: 'pypi' as const, package: name };
    expect((await put(pypi, 'BLOCK', 'ALLOW')).originConfiguration!.restrictions).toEqual({
      publish: 'BLOCK',
      upstream: 'ALLOW',
    });
    const described = await ctx.ca.describePackage(pypi);
    expect(described.package).toMatchObject({ format: 'pypi', name });
    expect(described.package!.namespace).toBeUndefined();
    const npm = uniq('js');
    await put({ domain, repository, format: 'npm', package: npm }, 'ALLOW', 'ALLOW');
    await put({ domain, repository, format: 'npm', namespace: 'scope', package: npm }, 'BLOCK', 'BLOCK');
    const listed = await ctx.ca.listPackages({ domain, repository, format: 'npm', packagePrefix: npm });
    expect(listed.packages!.map((p) => `${p.namespace ?? ''}/${p.package}:${p.originConfiguration!.restrictions!.publish}`).sort()).toEqual([
      `/${npm}:ALLOW`,
      `scope/${npm}:BLOCK`,
    ]);
  });

  it('PyPI names are matched normalized: one record for My_Lib and my-lib', async () => {
    const base = uniq('mylib');
    await put({ domain, repository, format: 'pypi', package: `${base}_Extra` }, 'BLOCK', 'ALLOW');
    await put({ domain, repository, format: 'pypi', package: `${base}-extra` }, 'ALLOW', 'BLOCK');
    const listed = await ctx.ca.listPackages({ domain, repository, format: 'pypi', packagePrefix: base });
    expect(listed.packages).toHaveLength(1);
    expect(listed.packages![0]!.originConfiguration!.restrictions).toEqual({ publish: 'ALLOW', upstream: 'BLOCK' });
  });
});

describe('validation and errors', () => {
  it.each([
    ['an unknown publish value', { publish: 'MAYBE', upstream: 'ALLOW' }],
    ['an unknown upstream value', { publish: 'ALLOW', upstream: 'allow' }],
    ['a missing upstream', { publish: 'ALLOW' }],
    ['a missing publish', { upstream: 'BLOCK' }],
  ])('%s is a ValidationException and creates nothing', async (_label, restrictions) => {
    const at = fresh();
    await expectFieldValidation(
      ctx.ca.putPackageOriginConfiguration({ ...pkgOf(at), restrictions: restrictions as never }),
    );
    await expectError(ctx.ca.describePackage(pkgOf(at)), 'ResourceNotFoundException');
  });

  it('missing restrictions are a ValidationException', async () => {
    const at = fresh();
    await expectError(
      ctx.ca.putPackageOriginConfiguration({ ...pkgOf(at), restrictions: undefined as never }),
      'ValidationException',
    );
    await expectError(ctx.ca.describePackage(pkgOf(at)), 'ResourceNotFoundException');
  });

  it.each([
    ['generic without a namespace', { format: 'generic' }],
    ['maven without a namespace', { format: 'maven' }],
    ['swift without a namespace', { format: 'swift' }],
    ['pypi with a namespace', { format: 'pypi', namespace: 'ns' }],
    ['nuget with a namespace', { format: 'nuget', namespace: 'ns' }],
  ])('%s is a ValidationException and creates nothing', async (_label, coordinates) => {
    const name = uniq('nsr');
    await expectDeclaredError(
      'PutPackageOriginConfiguration',
      put({ domain, repository, package: name, ...coordinates }, 'BLOCK', 'BLOCK'),
      'ValidationException',
    );
    const listed = await ctx.ca.listPackages({ domain, repository, packagePrefix: name });
    expect(listed.packages ?? []).toEqual([]);
  });

  it('maven with a namespace is accepted', async () => {
    const name = uniq('mvn');
    const at = { domain, repository, format: 'maven', namespace: 'com.example', package: name };
    await put(at, 'BLOCK', 'ALLOW');
    expect((await ctx.ca.describePackage(at as never)).package).toMatchObject({
      format: 'maven',
      namespace: 'com.example',
      name,
    });
  });

  it('an unknown format or a package name the model refuses is a field validation error', async () => {
    await expectFieldValidation(put({ domain, repository, format: 'rpm', namespace: 'n', package: 'p' }, 'ALLOW', 'ALLOW'));
    await expectFieldValidation(put({ domain, repository, format: 'generic', namespace: 'n', package: 'a/b' }, 'ALLOW', 'ALLOW'));
    await expectFieldValidation(
      put({ domain, repository, format: 'generic', namespace: 'n', package: 'x'.repeat(256) }, 'ALLOW', 'ALLOW'),
    );
  });

  it('an unknown repository or domain is a ResourceNotFoundException', async () => {
    const err = await expectDeclaredError(
      'PutPackageOriginConfiguration',
      put({ ...pkgOf(fresh()), repository: 'no-such-repo' }, 'BLOCK', 'BLOCK'),
      'ResourceNotFoundException',
    );
    expect(err.resourceType).toBe('repository');
    const other = await expectError(
      put({ ...pkgOf(fresh()), domain: uniq('nodom') }, 'BLOCK', 'BLOCK'),
      'ResourceNotFoundException',
    );
    expect(other.resourceType).toBe('domain');
  });
});
