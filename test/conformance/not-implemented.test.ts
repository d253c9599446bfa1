// The operations outside this issue answer 501 with error code NotImplemented and a message naming the
// operation; the SDK surfaces that as an error named NotImplemented. Inputs are valid and point at real
// resources, so a 501 is not a validation or not-found answer in disguise.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectWireError, publish, rawRequest, useConformanceServer } from './helpers.js';

const ctx = useConformanceServer('ni');
/** This file's domain and its one repository, created before the first test. */
const { domain, repository } = ctx;

beforeAll(async () => {
  await ctx.ca.createRepository({ domain, repository: 'dest' });
  await publish(ctx.ca, { domain, repository, namespace: 'ns', package: 'pkg' }, '1.0', 'a.txt', 'x');
});

const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'codeartifact:*', Resource: '*' }],
});

const calls: Array<[string, () => Promise<unknown>]> = [
  ['AssociateExternalConnection', () => ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' })],
  [
    'CopyPackageVersions',
    () =>
      ctx.ca.copyPackageVersions({
        domain,
        sourceRepository: repository,
        destinationRepository: 'dest',
        format: 'generic',
        namespace: 'ns',
        package: 'pkg',
        versions: ['1.0'],
      }),
  ],
  ['CreatePackageGroup', () => ctx.ca.createPackageGroup({ domain, packageGroup: '/generic/ns/*' })],
  ['DeleteDomainPermissionsPolicy', () => ctx.ca.deleteDomainPermissionsPolicy({ domain })],
  ['DeletePackageGroup', () => ctx.ca.deletePackageGroup({ domain, packageGroup: '/generic/ns/*' })],
  ['DeleteRepositoryPermissionsPolicy', () => ctx.ca.deleteRepositoryPermissionsPolicy({ domain, repository })],
  ['DescribePackageGroup', () => ctx.ca.describePackageGroup({ domain, packageGroup: '/*' })],
  [
    'DisassociateExternalConnection',
    () => ctx.ca.disassociateExternalConnection({ domain, repository, externalConnection: 'public:pypi' }),
  ],
  [
    'DisposePackageVersions',
    () =>
      ctx.ca.disposePackageVersions({
        domain,
        repository,
        format: 'generic',
        namespace: 'ns',
        package: 'pkg',
        versions: ['1.0'],
      }),
  ],
  [
    'GetAssociatedPackageGroup',
    () => ctx.ca.getAssociatedPackageGroup({ domain, format: 'generic', namespace: 'ns', package: 'pkg' }),
  ],
  ['GetDomainPermissionsPolicy', () => ctx.ca.getDomainPermissionsPolicy({ domain })],
  ['GetRepositoryPermissionsPolicy', () => ctx.ca.getRepositoryPermissionsPolicy({ domain, repository })],
  [
    'ListAllowedRepositoriesForGroup',
    () => ctx.ca.listAllowedRepositoriesForGroup({ domain, packageGroup: '/*', originRestrictionType: 'PUBLISH' }),
  ],
  ['ListAssociatedPackages', () => ctx.ca.listAssociatedPackages({ domain, packageGroup: '/*' })],
  ['ListPackageGroups', () => ctx.ca.listPackageGroups({ domain })],
  ['ListSubPackageGroups', () => ctx.ca.listSubPackageGroups({ domain, packageGroup: '/*' })],
  ['PutDomainPermissionsPolicy', () => ctx.ca.putDomainPermissionsPolicy({ domain, policyDocument: policy })],
  [
    'PutPackageOriginConfiguration',
    () =>
      ctx.ca.putPackageOriginConfiguration({
        domain,
        repository,
        format: 'generic',
        namespace: 'ns',
        package: 'pkg',
        restrictions: { publish: 'BLOCK', upstream: 'ALLOW' },
      }),
  ],
  ['PutRepositoryPermissionsPolicy', () => ctx.ca.putRepositoryPermissionsPolicy({ domain, repository, policyDocument: policy })],
  ['UpdatePackageGroup', () => ctx.ca.updatePackageGroup({ domain, packageGroup: '/*', description: 'x' })],
  [
    'UpdatePackageGroupOriginConfiguration',
    () =>
      ctx.ca.updatePackageGroupOriginConfiguration({
        domain,
        packageGroup: '/*',
        restrictions: { PUBLISH: 'BLOCK' },
      }),
  ],
];

describe('not implemented operations', () => {
  it('covers every operation outside the implemented 27 of the 48', () => {
    expect(calls).toHaveLength(48 - 27);
    expect(new Set(calls.map(([name]) => name)).size).toBe(calls.length);
  });

  it.each(calls)('%s answers 501 NotImplemented naming the operation', async (name, call) => {
    const err = await expectError(call(), 'NotImplemented');
    expect(err.message).toContain(name);
    expect(err.$fault).toBe('server');
  });

  it('the 501 is the documented wire encoding', async () => {
    const res = await rawRequest(ctx.server, 'POST', '/v1/package-groups', { query: { domain } });
    expectWireError(res, 'NotImplemented');
    expect(res.json.message).toContain('ListPackageGroups');
  });

  it('the not implemented calls changed nothing', async () => {
    const v = await ctx.ca.describePackageVersion({
      domain,
      repository,
      format: 'generic',
      namespace: 'ns',
      package: 'pkg',
      packageVersion: '1.0',
    });
    expect(v.packageVersion!.status).toBe('Published');
    const p = await ctx.ca.describePackage({ domain, repository, format: 'generic', namespace: 'ns', package: 'pkg' });
    expect(p.package!.originConfiguration!.restrictions).toEqual({ publish: 'ALLOW', upstream: 'BLOCK' });
    const r = await ctx.ca.describeRepository({ domain, repository });
    expect(r.repository!.externalConnections ?? []).toEqual([]);
    const dest = await ctx.ca.listPackages({ domain, repository: 'dest' });
    expect(dest.packages ?? []).toEqual([]);
  });
});
