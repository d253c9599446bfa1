// The format registry and origins as the SDK sees them: namespace rules per format (none for PyPI, required
// for Maven, Swift and generic), every format's endpoint URL and what it answers, domainEntryPoint on versions,
// and the messages and modeled members of errors fixed on the way (identical bytes, tags of unknown ARNs).
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, expectError, pkgOf, publish, uniq, useConformanceServer } from './helpers.js';

const ctx = useConformanceServer('fmt');
const { domain, repository } = ctx;

describe('namespace rules', () => {
  it.each(['maven', 'swift', 'generic'] as const)(
    'a %s package named without its required namespace is a ValidationException, not ResourceNotFound',
    async (format) => {
      const ref = { domain, repository, format, package: 'anything' };
      for (const call of [
        // Thunks: a call started before the previous one is awaited would reject unhandled meanwhile.
        () => ctx.ca.describePackage(ref),
        () => ctx.ca.deletePackage(ref),
        () => ctx.ca.listPackageVersions(ref),
        () => ctx.ca.describePackageVersion({ ...ref, packageVersion: '1.0' }),
        () => ctx.ca.listPackageVersionAssets({ ...ref, packageVersion: '1.0' }),
        () => ctx.ca.getPackageVersionReadme({ ...ref, packageVersion: '1.0' }),
        () => ctx.ca.deletePackageVersions({ ...ref, versions: ['1.0'] }),
      ]) {
        const err = await expectError(call(), 'ValidationException');
        expect(err.message).toContain(`namespace is required for ${format} packages`);
      }
    },
  );

  it.each(['pypi', 'nuget', 'ruby', 'cargo'] as const)('a namespace on a %s package is a ValidationException', async (format) => {
    const err = await expectError(
      ctx.ca.describePackage({ domain, repository, format, namespace: 'ns', package: 'p' }),
      'ValidationException',
    );
    expect(err.message).toContain('do not have a namespace');
  });

  it('npm takes a package with or without a namespace (scope): ResourceNotFound for an unknown one', async () => {
    await expectError(ctx.ca.describePackage({ domain, repository, format: 'npm', package: 'left-pad' }), 'ResourceNotFoundException');
    await expectError(
      ctx.ca.describePackage({ domain, repository, format: 'npm', namespace: 'types', package: 'node' }),
      'ResourceNotFoundException',
    );
  });
});

describe('endpoints of formats without package routes yet', () => {
  it.each(['npm', 'maven', 'nuget', 'ruby', 'swift', 'cargo'] as const)(
    'GetRepositoryEndpoint returns a %s URL, which answers 501 naming the format',
    async (format) => {
      const { repositoryEndpoint } = await ctx.ca.getRepositoryEndpoint({ domain, repository, format });
      expect(repositoryEndpoint).toBe(`${ctx.server.url}/${format}/d/${domain}-${ACCOUNT}/${repository}/`);
      const r = await fetch(`${repositoryEndpoint}some/path`);
      expect(r.status).toBe(501);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await r.text();
      expect(text).toMatch(/repository endpoints are not supported by this emulator yet/);
      expect(text.toLowerCase()).toContain(format === 'ruby' ? 'rubygems' : format);
    },
  );

  it('generic has an endpoint URL too, whose answer says to use the API (AWS serves generic packages only there)', async () => {
    const { repositoryEndpoint } = await ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'generic' });
    const r = await fetch(`${repositoryEndpoint}x`);
    expect(r.status).toBe(501);
    expect(await r.text()).toMatch(/use PublishPackageVersion and GetPackageVersionAsset/);
  });

  it('the PyPI endpoint is served (a 401 asking for a token, not a 501)', async () => {
    const { repositoryEndpoint } = await ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'pypi' });
    expect((await fetch(`${repositoryEndpoint}simple/`)).status).toBe(401);
  });
});

describe('origin of versions', () => {
  let at: { domain: string; repository: string; namespace: string; package: string };
  beforeAll(async () => {
    at = { domain, repository, namespace: 'origins', package: uniq('o') };
    await publish(ctx.ca, at, '1.0', 'a.txt', 'a');
  });

  it('a version published to a repository names it as its domainEntryPoint, in lists and describes', async () => {
    const listed = await ctx.ca.listPackageVersions(pkgOf(at));
    expect(listed.versions?.[0]?.origin).toEqual({ originType: 'INTERNAL', domainEntryPoint: { repositoryName: repository } });
    const described = await ctx.ca.describePackageVersion({ ...pkgOf(at), packageVersion: '1.0' });
    expect(described.packageVersion?.origin).toEqual({ originType: 'INTERNAL', domainEntryPoint: { repositoryName: repository } });
  });

  it('publishing identical bytes again to a closed version says the asset exists, not that it differs', async () => {
    const err = await expectError(publish(ctx.ca, at, '1.0', 'a.txt', 'a'), 'ConflictException');
    expect(err.message).toMatch(/already exists/);
    expect(err.message).not.toMatch(/different content/);
    const other = await expectError(publish(ctx.ca, at, '1.0', 'a.txt', 'b'), 'ConflictException');
    expect(other.message).toMatch(/different content/);
  });
});

describe('tag errors carry the modeled members', () => {
  it('an unknown domain or repository ARN: ResourceNotFound with resourceId = the ARN and its resourceType', async () => {
    const ghostDomain = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:domain/${uniq('ghost')}`;
    const ghostRepository = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:repository/${domain}/no-such-repo`;
    for (const [arn, type] of [
      [ghostDomain, 'domain'],
      [ghostRepository, 'repository'],
    ] as const) {
      for (const call of [
        // Thunks: a call started before the previous one is awaited would reject unhandled meanwhile.
        () => ctx.ca.listTagsForResource({ resourceArn: arn }),
        () => ctx.ca.tagResource({ resourceArn: arn, tags: [{ key: 'k', value: 'v' }] }),
        () => ctx.ca.untagResource({ resourceArn: arn, tagKeys: ['k'] }),
      ]) {
        const err = (await expectError(call(), 'ResourceNotFoundException')) as unknown as {
          resourceId?: string;
          resourceType?: string;
        };
        expect({ resourceId: err.resourceId, resourceType: err.resourceType }).toEqual({ resourceId: arn, resourceType: type });
      }
    }
  });
});
