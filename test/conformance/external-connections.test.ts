// External connections through the SDK: AssociateExternalConnection / DisassociateExternalConnection with the
// names the model documents, one per repository, shown by DescribeRepository (and the other operations that
// return a RepositoryDescription) with status Available and the connection's package format. The server runs
// without any --external source: a connection exists but finds nothing, and nothing leaves the machine.
import { describe, expect, it } from 'vitest';
import {
  expectDeclaredError,
  expectError,
  expectFieldValidation,
  uniq,
  useConformanceServer,
} from './helpers.js';

const ctx = useConformanceServer('ext');
const { domain } = ctx;

/** A fresh repository in the file's domain. */
async function freshRepository(): Promise<string> {
  const repository = uniq('r');
  await ctx.ca.createRepository({ domain, repository });
  return repository;
}

/** The model's documented list, with the package format of each (RepositoryExternalConnectionInfo). */
const KNOWN: Array<[string, string]> = [
  ['public:npmjs', 'npm'],
  ['public:pypi', 'pypi'],
  ['public:maven-central', 'maven'],
  ['public:maven-googleandroid', 'maven'],
  ['public:maven-gradleplugins', 'maven'],
  ['public:maven-commonsware', 'maven'],
  ['public:maven-clojars', 'maven'],
  ['public:nuget-org', 'nuget'],
  ['public:ruby-gems-org', 'ruby'],
  ['public:crates-io', 'cargo'],
];

describe('AssociateExternalConnection', () => {
  it('returns the RepositoryDescription with the connection Available and its package format', async () => {
    const repository = await freshRepository();
    const out = await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.repository).toMatchObject({ name: repository, domainName: domain, upstreams: [] });
    expect(out.repository!.externalConnections).toEqual([
      { externalConnectionName: 'public:pypi', packageFormat: 'pypi', status: 'Available' },
    ]);
    const described = await ctx.ca.describeRepository({ domain, repository });
    expect(described.repository).toEqual(out.repository);
  });

  it.each(KNOWN)('%s is known, with package format %s', async (name, format) => {
    const repository = await freshRepository();
    const out = await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: name });
    expect(out.repository!.externalConnections).toEqual([
      { externalConnectionName: name, packageFormat: format, status: 'Available' },
    ]);
  });

  it('a second, different connection is the declared ServiceQuotaExceededException and changes nothing', async () => {
    const repository = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    const err = await expectDeclaredError(
      'AssociateExternalConnection',
      ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:npmjs' }),
      'ServiceQuotaExceededException',
    );
    expect(err.resourceType).toBe('repository');
    expect(err.resourceId).toBe(repository);
    const described = await ctx.ca.describeRepository({ domain, repository });
    expect(described.repository!.externalConnections!.map((c) => c.externalConnectionName)).toEqual(['public:pypi']);
  });

  it('the same connection again is the declared ConflictException', async () => {
    const repository = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    const err = await expectDeclaredError(
      'AssociateExternalConnection',
      ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' }),
      'ConflictException',
    );
    expect(err.resourceId).toBe(repository);
    const described = await ctx.ca.describeRepository({ domain, repository });
    expect(described.repository!.externalConnections).toHaveLength(1);
  });

  it.each(['public:unknown', 'public:PyPI', 'pypi', 'public:pypi:extra'])(
    'an unknown name (%s) is a ValidationException',
    async (externalConnection) => {
      const repository = await freshRepository();
      const err = await expectError(
        ctx.ca.associateExternalConnection({ domain, repository, externalConnection }),
        'ValidationException',
      );
      expect(err.message).toContain('public:pypi');
      expect((await ctx.ca.describeRepository({ domain, repository })).repository!.externalConnections).toEqual([]);
    },
  );

  it('a name the model pattern refuses is a field validation error', async () => {
    const repository = await freshRepository();
    await expectFieldValidation(
      ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public pypi' }),
    );
    await expectFieldValidation(
      ctx.ca.associateExternalConnection({ domain, repository, externalConnection: `public:${'x'.repeat(100)}` }),
    );
  });

  it('an unknown repository or domain is a ResourceNotFoundException', async () => {
    const err = await expectDeclaredError(
      'AssociateExternalConnection',
      ctx.ca.associateExternalConnection({ domain, repository: 'no-such-repo', externalConnection: 'public:pypi' }),
      'ResourceNotFoundException',
    );
    expect(err.resourceType).toBe('repository');
    expect(err.resourceId).toBe('no-such-repo');
    const other = await expectError(
      ctx.ca.associateExternalConnection({ domain: uniq('nodom'), repository: 'r1', externalConnection: 'public:pypi' }),
      'ResourceNotFoundException',
    );
    expect(other.resourceType).toBe('domain');
  });

  it('the connection shows in the other operations that describe the repository', async () => {
    const repository = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:npmjs' });
    const expected = [{ externalConnectionName: 'public:npmjs', packageFormat: 'npm', status: 'Available' }];
    const updated = await ctx.ca.updateRepository({ domain, repository, description: 'with a connection' });
    expect(updated.repository!.externalConnections).toEqual(expected);
    const deleted = await ctx.ca.deleteRepository({ domain, repository });
    expect(deleted.repository!.externalConnections).toEqual(expected);
  });

  it('two repositories may use the same connection', async () => {
    const a = await freshRepository();
    const b = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository: a, externalConnection: 'public:pypi' });
    const out = await ctx.ca.associateExternalConnection({ domain, repository: b, externalConnection: 'public:pypi' });
    expect(out.repository!.externalConnections).toHaveLength(1);
  });

  it('a repository with a connection can be an upstream of another', async () => {
    const store = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository: store, externalConnection: 'public:pypi' });
    const team = uniq('team');
    const created = await ctx.ca.createRepository({ domain, repository: team, upstreams: [{ repositoryName: store }] });
    expect(created.repository!.upstreams).toEqual([{ repositoryName: store }]);
    expect(created.repository!.externalConnections).toEqual([]);
  });
});

describe('DisassociateExternalConnection', () => {
  it('removes the connection and returns the repository without it', async () => {
    const repository = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    const out = await ctx.ca.disassociateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.repository).toMatchObject({ name: repository, domainName: domain });
    expect(out.repository!.externalConnections).toEqual([]);
    expect((await ctx.ca.describeRepository({ domain, repository })).repository!.externalConnections).toEqual([]);
  });

  it('after it, another connection can be associated', async () => {
    const repository = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    await ctx.ca.disassociateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    const out = await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:npmjs' });
    expect(out.repository!.externalConnections!.map((c) => c.externalConnectionName)).toEqual(['public:npmjs']);
  });

  it('a connection the repository does not have is a ResourceNotFoundException', async () => {
    const repository = await freshRepository();
    await expectDeclaredError(
      'DisassociateExternalConnection',
      ctx.ca.disassociateExternalConnection({ domain, repository, externalConnection: 'public:pypi' }),
      'ResourceNotFoundException',
    );
    await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    await expectError(
      ctx.ca.disassociateExternalConnection({ domain, repository, externalConnection: 'public:npmjs' }),
      'ResourceNotFoundException',
    );
    // The one it has is untouched.
    expect((await ctx.ca.describeRepository({ domain, repository })).repository!.externalConnections).toHaveLength(1);
  });

  it('an unknown repository or domain is a ResourceNotFoundException', async () => {
    const err = await expectError(
      ctx.ca.disassociateExternalConnection({ domain, repository: 'no-such-repo', externalConnection: 'public:pypi' }),
      'ResourceNotFoundException',
    );
    expect(err.resourceType).toBe('repository');
    const other = await expectError(
      ctx.ca.disassociateExternalConnection({ domain: uniq('nodom'), repository: 'r1', externalConnection: 'public:pypi' }),
      'ResourceNotFoundException',
    );
    expect(other.resourceType).toBe('domain');
  });
});

describe('with no external source configured', () => {
  it('the connection exists but finds nothing: a package index page of the repository is a 404', async () => {
    const repository = await freshRepository();
    await ctx.ca.associateExternalConnection({ domain, repository, externalConnection: 'public:pypi' });
    const endpoint = (await ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'pypi' })).repositoryEndpoint!;
    const token = (await ctx.ca.getAuthorizationToken({ domain })).authorizationToken!;
    const response = await fetch(`${endpoint}simple/requests/`, {
      headers: { authorization: `Basic ${Buffer.from(`aws:${token}`).toString('base64')}` },
    });
    expect(response.status).toBe(404);
    expect((await ctx.ca.listPackages({ domain, repository })).packages ?? []).toEqual([]);
  });
});
