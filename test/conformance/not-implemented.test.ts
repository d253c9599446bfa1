// The operations outside this issue answer 501 with error code NotImplemented and a message naming the
// operation; the SDK surfaces that as an error named NotImplemented. Inputs are valid and point at real
// resources, so a 501 is not a validation or not-found answer in disguise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Codeartifact } from '@aws-sdk/client-codeartifact';
import {
  clientFor,
  domainWithRepository,
  expectError,
  expectWireError,
  publish,
  rawRequest,
  startConformanceServer,
  type RunningServer,
} from './helpers.js';

let server: RunningServer;
let ca: Codeartifact;
let domain: string;
let repository: string;

beforeAll(async () => {
  server = await startConformanceServer();
  ca = clientFor(server);
  ({ domain, repository } = await domainWithRepository(ca, 'ni'));
  await ca.createRepository({ domain, repository: 'dest' });
  await publish(ca, { domain, repository, namespace: 'ns', package: 'pkg' }, '1.0', 'a.txt', 'x');
});

afterAll(async () => {
  await server?.destroy();
});

const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'codeartifact:*', Resource: '*' }],
});

const calls: Array<[string, () => Promise<unknown>]> = [
  ['AssociateExternalConnection', () => ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' })],
  [
    'CopyPackageVersions',
    () =>
      ca.copyPackageVersions({
        domain,
        sourceRepository: repository,
        destinationRepository: 'dest',
        format: 'generic',
        namespace: 'ns',
        package: 'pkg',
        versions: ['1.0'],
      }),
  ],
  ['CreatePackageGroup', () => ca.createPackageGroup({ domain, packageGroup: '/generic/ns/*' })],
  ['DeleteDomainPermissionsPolicy', () => ca.deleteDomainPermissionsPolicy({ domain })],
  ['DeletePackageGroup', () => ca.deletePackageGroup({ domain, packageGroup: '/generic/ns/*' })],
  ['DeleteRepositoryPermissionsPolicy', () => ca.deleteRepositoryPermissionsPolicy({ domain, repository })],
  ['DescribePackageGroup', () => ca.describePackageGroup({ domain, packageGroup: '/*' })],
  [
    'DisassociateExternalConnection',
    () => ca.disassociateExternalConnection({ domain, repository, externalConnection: 'public:pypi' }),
  ],
  [
    'DisposePackageVersions',
    () =>
      ca.disposePackageVersions({
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
    () => ca.getAssociatedPackageGroup({ domain, format: 'generic', namespace: 'ns', package: 'pkg' }),
  ],
  ['GetDomainPermissionsPolicy', () => ca.getDomainPermissionsPolicy({ domain })],
  ['GetRepositoryPermissionsPolicy', () => ca.getRepositoryPermissionsPolicy({ domain, repository })],
  [
    'ListAllowedRepositoriesForGroup',
    () => ca.listAllowedRepositoriesForGroup({ domain, packageGroup: '/*', originRestrictionType: 'PUBLISH' }),
  ],
  ['ListAssociatedPackages', () => ca.listAssociatedPackages({ domain, packageGroup: '/*' })],
  ['ListPackageGroups', () => ca.listPackageGroups({ domain })],
  ['ListSubPackageGroups', () => ca.listSubPackageGroups({ domain, packageGroup: '/*' })],
  ['PutDomainPermissionsPolicy', () => ca.putDomainPermissionsPolicy({ domain, policyDocument: policy })],
  [
    'PutPackageOriginConfiguration',
    () =>
      ca.putPackageOriginConfiguration({
        domain,
        repository,
        format: 'generic',
        namespace: 'ns',
        package: 'pkg',
        restrictions: { publish: 'BLOCK', upstream: 'ALLOW' },
      }),
  ],
  ['PutRepositoryPermissionsPolicy', () => ca.putRepositoryPermissionsPolicy({ domain, repository, policyDocument: policy })],
  ['UpdatePackageGroup', () => ca.updatePackageGroup({ domain, packageGroup: '/*', description: 'x' })],
  [
    'UpdatePackageGroupOriginConfiguration',
    () =>
      ca.updatePackageGroupOriginConfiguration({
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
    const res = await rawRequest(server, 'POST', '/v1/package-groups', { query: { domain } });
    expectWireError(res, 'NotImplemented');
    expect(res.json.message).toContain('ListPackageGroups');
  });

  it('the not implemented calls changed nothing', async () => {
    const v = await ca.describePackageVersion({
      domain,
      repository,
      format: 'generic',
      namespace: 'ns',
      package: 'pkg',
      packageVersion: '1.0',
    });
    expect(v.packageVersion!.status).toBe('Published');
    const p = await ca.describePackage({ domain, repository, format: 'generic', namespace: 'ns', package: 'pkg' });
    expect(p.package!.originConfiguration!.restrictions).toEqual({ publish: 'ALLOW', upstream: 'BLOCK' });
    const r = await ca.describeRepository({ domain, repository });
    expect(r.repository!.externalConnections ?? []).toEqual([]);
    const dest = await ca.listPackages({ domain, repository: 'dest' });
    expect(dest.packages ?? []).toEqual([]);
  });
});
