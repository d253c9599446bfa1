// Restart persistence of what the formerly unimplemented operations write: external connections, package
// origin configurations (including an empty package record), package groups (tree, descriptions, modes,
// allowed repositories, tags), permission policies with their revisions, disposed and copied versions. Every
// read answers exactly as before the restart, pagination tokens issued before it still work, and the rules
// the state implies still hold.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Codeartifact } from '@aws-sdk/client-codeartifact';
import { clientFor, expectError, publish, useConformanceServer } from './helpers.js';

const ctx = useConformanceServer();

const domain = 'persist-new';
const lib = { domain, repository: 'main', namespace: 'team', package: 'lib' };
const libOf = (repository = 'main') => ({ domain, repository, format: 'generic' as const, namespace: 'team', package: 'lib' });
const empty = { domain, repository: 'main', format: 'generic' as const, namespace: 'team', package: 'reserved' };
const policy = (sid: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: '*', Action: 'codeartifact:*', Resource: '*' }] });

let before: Record<string, unknown>;
let groupsToken: string;
let allowedToken: string;
let domainPolicyRevision: string;

async function snapshot(client: Codeartifact) {
  const strip = <T extends { $metadata?: unknown }>(o: T) => {
    const { $metadata: _m, ...rest } = o;
    return rest;
  };
  const groups = strip(await client.listPackageGroups({ domain }));
  const described = await Promise.all(
    groups.packageGroups!.map((g) => client.describePackageGroup({ domain, packageGroup: g.pattern! }).then(strip)),
  );
  const tags = await Promise.all(groups.packageGroups!.map((g) => client.listTagsForResource({ resourceArn: g.arn! }).then(strip)));
  return {
    main: strip(await client.describeRepository({ domain, repository: 'main' })),
    store: strip(await client.describeRepository({ domain, repository: 'store' })),
    packages: strip(await client.listPackages({ domain, repository: 'main' })),
    lib: strip(await client.describePackage(libOf())),
    empty: strip(await client.describePackage(empty)),
    versions: strip(await client.listPackageVersions(libOf())),
    disposed: strip(await client.describePackageVersion({ ...libOf(), packageVersion: '1.0' })),
    disposedAssets: strip(await client.listPackageVersionAssets({ ...libOf(), packageVersion: '1.0' })),
    copied: strip(await client.listPackageVersions(libOf('dest'))),
    copiedAssets: strip(await client.listPackageVersionAssets({ ...libOf('dest'), packageVersion: '2.0' })),
    groups,
    described,
    tags,
    subGroups: strip(await client.listSubPackageGroups({ domain, packageGroup: '/generic/*' })),
    allowed: strip(
      await client.listAllowedRepositoriesForGroup({ domain, packageGroup: '/generic/team/*', originRestrictionType: 'PUBLISH' }),
    ),
    associated: strip(await client.getAssociatedPackageGroup({ domain, format: 'generic', namespace: 'team', package: 'lib' })),
    associatedPackages: strip(await client.listAssociatedPackages({ domain, packageGroup: '/generic/team/*' })),
    domainPolicy: strip(await client.getDomainPermissionsPolicy({ domain })),
    repositoryPolicy: strip(await client.getRepositoryPermissionsPolicy({ domain, repository: 'main' })),
  };
}

beforeAll(async () => {
  await ctx.ca.createDomain({ domain });
  for (const repository of ['store', 'main', 'dest', 'ci']) await ctx.ca.createRepository({ domain, repository });
  await ctx.ca.associateExternalConnection({ domain, repository: 'store', externalConnection: 'public:pypi' });
  await publish(ctx.ca, lib, '1.0', 'a.txt', 'one');
  await publish(ctx.ca, lib, '2.0', 'a.txt', 'two');
  await ctx.ca.disposePackageVersions({ ...libOf(), versions: ['1.0'] });
  await ctx.ca.copyPackageVersions({
    domain,
    sourceRepository: 'main',
    destinationRepository: 'dest',
    format: 'generic',
    namespace: 'team',
    package: 'lib',
    versions: ['2.0'],
  });
  await ctx.ca.putPackageOriginConfiguration({ ...libOf(), restrictions: { publish: 'ALLOW', upstream: 'ALLOW' } });
  await ctx.ca.putPackageOriginConfiguration({ ...empty, restrictions: { publish: 'BLOCK', upstream: 'ALLOW' } });
  await ctx.ca.createPackageGroup({ domain, packageGroup: '/generic/*', description: 'all generic', contactInfo: 'ops' });
  await ctx.ca.createPackageGroup({ domain, packageGroup: '/generic/team/*', tags: [{ key: 'owner', value: 'team' }] });
  await ctx.ca.createPackageGroup({ domain, packageGroup: '/generic/team/lib$' });
  await ctx.ca.createPackageGroup({ domain, packageGroup: '/pypi//internal-~' });
  await ctx.ca.updatePackageGroupOriginConfiguration({
    domain,
    packageGroup: '/generic/*',
    restrictions: { PUBLISH: 'BLOCK', EXTERNAL_UPSTREAM: 'BLOCK' },
  });
  await ctx.ca.updatePackageGroupOriginConfiguration({
    domain,
    packageGroup: '/generic/team/*',
    restrictions: { PUBLISH: 'ALLOW_SPECIFIC_REPOSITORIES' },
    addAllowedRepositories: ['ci', 'dest', 'main'].map((repositoryName) => ({ repositoryName, originRestrictionType: 'PUBLISH' as const })),
  });
  domainPolicyRevision = (await ctx.ca.putDomainPermissionsPolicy({ domain, policyDocument: policy('domain') })).policy!.revision!;
  await ctx.ca.putRepositoryPermissionsPolicy({ domain, repository: 'main', policyDocument: policy('repo') });
  groupsToken = (await ctx.ca.listPackageGroups({ domain, maxResults: 2 })).nextToken!;
  allowedToken = (
    await ctx.ca.listAllowedRepositoriesForGroup({
      domain,
      packageGroup: '/generic/team/*',
      originRestrictionType: 'PUBLISH',
      maxResults: 1,
    })
  ).nextToken!;
  before = await snapshot(ctx.ca);
  await ctx.server.restart();
  ctx.ca = clientFor(ctx.server);
});

describe('after a restart on the same DATA_DIR', () => {
  it('every read of the new operations answers exactly as before', async () => {
    expect(await snapshot(ctx.ca)).toEqual(before);
  });

  it('the state is what was written', async () => {
    const s = before as Awaited<ReturnType<typeof snapshot>>;
    expect(s.store.repository!.externalConnections).toEqual([
      { externalConnectionName: 'public:pypi', packageFormat: 'pypi', status: 'Available' },
    ]);
    expect(s.empty.package!.originConfiguration!.restrictions).toEqual({ publish: 'BLOCK', upstream: 'ALLOW' });
    expect(s.disposed.packageVersion!.status).toBe('Disposed');
    expect(s.disposedAssets.assets ?? []).toEqual([]);
    expect(s.copied.versions!.map((v) => v.version)).toEqual(['2.0']);
    expect(s.groups.packageGroups!.map((g) => g.pattern)).toHaveLength(5);
    expect(s.allowed.allowedRepositories).toEqual(['ci', 'dest', 'main']);
    expect(s.associated.packageGroup!.pattern).toBe('/generic/team/lib$');
    expect(s.tags.some((t) => t.tags!.some((x) => x.key === 'owner'))).toBe(true);
  });

  it('pagination tokens issued before the restart still work', async () => {
    const groups = await ctx.ca.listPackageGroups({ domain, maxResults: 2, nextToken: groupsToken });
    expect(groups.packageGroups).toHaveLength(2);
    const allowed = await ctx.ca.listAllowedRepositoriesForGroup({
      domain,
      packageGroup: '/generic/team/*',
      originRestrictionType: 'PUBLISH',
      nextToken: allowedToken,
    });
    expect(allowed.allowedRepositories).toEqual(['dest', 'main']);
  });

  it('the rules still hold: policy revisions, group restrictions, origin configurations, one connection', async () => {
    await ctx.ca.putDomainPermissionsPolicy({ domain, policyDocument: policy('newer'), policyRevision: domainPolicyRevision });
    await expectError(
      ctx.ca.putDomainPermissionsPolicy({ domain, policyDocument: policy('stale'), policyRevision: domainPolicyRevision }),
      'ConflictException',
    );
    // /generic/team/* allows publishing to main, ci and dest only; /generic/* blocks the rest.
    expect((await publish(ctx.ca, lib, '3.0', 'a.txt', 'three')).status).toBe('Published');
    await expectError(publish(ctx.ca, { ...lib, repository: 'store' }, '3.0', 'a.txt', 'three'), 'ConflictException');
    await expectError(publish(ctx.ca, { ...lib, namespace: 'other' }, '1.0', 'a.txt', 'x'), 'ConflictException');
    // The empty record still blocks publishing.
    await expectError(publish(ctx.ca, { ...lib, package: 'reserved' }, '1.0', 'a.txt', 'x'), 'ConflictException');
    await expectError(
      ctx.ca.associateExternalConnection({ domain, repository: 'store', externalConnection: 'public:npmjs' }),
      'ServiceQuotaExceededException',
    );
    await expectError(ctx.ca.getPackageVersionAsset({ ...libOf(), packageVersion: '1.0', asset: 'a.txt' }), 'ConflictException');
  });

  it('writes after the restart persist through another restart', async () => {
    await ctx.ca.deletePackageGroup({ domain, packageGroup: '/generic/team/*' });
    await ctx.ca.disassociateExternalConnection({ domain, repository: 'store', externalConnection: 'public:pypi' });
    await ctx.ca.deleteRepositoryPermissionsPolicy({ domain, repository: 'main' });
    await ctx.server.restart();
    ctx.ca = clientFor(ctx.server);
    expect((await ctx.ca.describePackageGroup({ domain, packageGroup: '/generic/team/lib$' })).packageGroup!.parent!.pattern).toBe(
      '/generic/*',
    );
    expect((await ctx.ca.describeRepository({ domain, repository: 'store' })).repository!.externalConnections).toEqual([]);
    await expectError(ctx.ca.getRepositoryPermissionsPolicy({ domain, repository: 'main' }), 'ResourceNotFoundException');
    expect((await ctx.ca.getDomainPermissionsPolicy({ domain })).policy!.document).toBe(policy('newer'));
  });
});
