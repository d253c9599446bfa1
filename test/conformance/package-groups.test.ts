// Package groups through the SDK: CreatePackageGroup (AWS's definition syntax, "Package group definition
// syntax and matching behavior"), DescribePackageGroup, UpdatePackageGroup, DeletePackageGroup,
// ListPackageGroups, ListSubPackageGroups, UpdatePackageGroupOriginConfiguration,
// ListAllowedRepositoriesForGroup, GetAssociatedPackageGroup, ListAssociatedPackages; the root group /* of
// every domain; the tree (parent = the most specific group containing another) and INHERIT resolved along it;
// tags on package-group ARNs. Each test that depends on the shape of the tree has a domain of its own.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  paginateListAllowedRepositoriesForGroup,
  paginateListAssociatedPackages,
  paginateListPackageGroups,
  paginateListSubPackageGroups,
  type PackageGroupDescription,
} from '@aws-sdk/client-codeartifact';
import {
  ACCOUNT,
  REGION,
  collect,
  expectDeclaredError,
  expectError,
  expectFieldValidation,
  publish,
  uniq,
  useConformanceServer,
} from './helpers.js';

const ctx = useConformanceServer();

const arnOf = (domain: string, pattern: string) =>
  `arn:aws:codeartifact:${REGION}:${ACCOUNT}:package-group/${domain}/${encodeURIComponent(pattern)}`;
const ref = (domain: string, pattern: string) => ({ arn: arnOf(domain, pattern), pattern });

/** A fresh domain (with its root group) and the given repositories. */
async function freshDomain(...repositories: string[]): Promise<string> {
  const domain = uniq('pgd');
  await ctx.ca.createDomain({ domain });
  for (const repository of repositories) await ctx.ca.createRepository({ domain, repository });
  return domain;
}

async function create(domain: string, packageGroup: string, extra: Record<string, unknown> = {}) {
  return (await ctx.ca.createPackageGroup({ domain, packageGroup, ...extra })).packageGroup!;
}

async function describeGroup(domain: string, packageGroup: string) {
  return (await ctx.ca.describePackageGroup({ domain, packageGroup })).packageGroup!;
}

const restrictionOf = (g: PackageGroupDescription, type: 'PUBLISH' | 'EXTERNAL_UPSTREAM' | 'INTERNAL_UPSTREAM') =>
  g.originConfiguration!.restrictions![type]!;

describe('the root group /*', () => {
  it('exists in every new domain, allows everything and has no parent', async () => {
    const domain = await freshDomain();
    const listed = await ctx.ca.listPackageGroups({ domain });
    expect(listed.packageGroups!.map((g) => g.pattern)).toEqual(['/*']);
    const root = await describeGroup(domain, '/*');
    expect(root).toMatchObject({ ...ref(domain, '/*'), domainName: domain, domainOwner: ACCOUNT });
    expect(root.createdTime).toBeInstanceOf(Date);
    expect(root.parent).toBeUndefined();
    for (const type of ['PUBLISH', 'EXTERNAL_UPSTREAM', 'INTERNAL_UPSTREAM'] as const)
      expect(restrictionOf(root, type)).toEqual({ mode: 'ALLOW', effectiveMode: 'ALLOW', repositoriesCount: 0 });
    expect(listed.packageGroups![0]).toEqual(root);
  });

  it('cannot be created again (ConflictException) nor deleted (ValidationException)', async () => {
    const domain = await freshDomain();
    await expectDeclaredError('CreatePackageGroup', ctx.ca.createPackageGroup({ domain, packageGroup: '/*' }), 'ConflictException');
    const err = await expectDeclaredError(
      'DeletePackageGroup',
      ctx.ca.deletePackageGroup({ domain, packageGroup: '/*' }),
      'ValidationException',
    );
    expect(err.message).toContain('/*');
    expect((await describeGroup(domain, '/*')).pattern).toBe('/*');
  });

  it('can be described and its origin configuration set, but not to INHERIT', async () => {
    const domain = await freshDomain();
    const updated = await ctx.ca.updatePackageGroup({ domain, packageGroup: '/*', description: 'everything' });
    expect(updated.packageGroup!.description).toBe('everything');
    const out = await ctx.ca.updatePackageGroupOriginConfiguration({
      domain,
      packageGroup: '/*',
      restrictions: { EXTERNAL_UPSTREAM: 'BLOCK' },
    });
    expect(restrictionOf(out.packageGroup!, 'EXTERNAL_UPSTREAM')).toMatchObject({ mode: 'BLOCK', effectiveMode: 'BLOCK' });
    await expectDeclaredError(
      'UpdatePackageGroupOriginConfiguration',
      ctx.ca.updatePackageGroupOriginConfiguration({ domain, packageGroup: '/*', restrictions: { PUBLISH: 'INHERIT' } }),
      'ValidationException',
    );
    const root = await describeGroup(domain, '/*');
    expect(restrictionOf(root, 'PUBLISH').mode).toBe('ALLOW');
    expect(restrictionOf(root, 'EXTERNAL_UPSTREAM').mode).toBe('BLOCK');
  });

  it('every domain has its own', async () => {
    const a = await freshDomain();
    const b = await freshDomain();
    await ctx.ca.updatePackageGroup({ domain: a, packageGroup: '/*', description: 'in a' });
    expect((await describeGroup(b, '/*')).description).toBeUndefined();
    expect((await describeGroup(a, '/*')).arn).not.toBe((await describeGroup(b, '/*')).arn);
  });
});

describe('CreatePackageGroup', () => {
  let domain: string;
  beforeAll(async () => {
    domain = await freshDomain();
  });

  it('returns the PackageGroupDescription: INHERIT everywhere, resolved from the root, which is its parent', async () => {
    const before = Date.now();
    const g = await create(domain, '/generic/created/*', { description: 'a group', contactInfo: 'team@example.com' });
    expect(g).toMatchObject({
      ...ref(domain, '/generic/created/*'),
      domainName: domain,
      domainOwner: ACCOUNT,
      description: 'a group',
      contactInfo: 'team@example.com',
      parent: ref(domain, '/*'),
    });
    expect(g.createdTime!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(g.createdTime!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    for (const type of ['PUBLISH', 'EXTERNAL_UPSTREAM', 'INTERNAL_UPSTREAM'] as const)
      expect(restrictionOf(g, type)).toEqual({
        mode: 'INHERIT',
        effectiveMode: 'ALLOW',
        inheritedFrom: ref(domain, '/*'),
        repositoriesCount: 0,
      });
    expect(await describeGroup(domain, '/generic/created/*')).toEqual(g);
  });

  it.each([
    ['every package', '/*', undefined],
    ['a format', '/npm/*', 'format'],
    ['a format and a namespace prefix', '/maven/com.anycompany~', 'format'],
    ['a format and a namespace', '/npm/space/*', 'format'],
    ['a format, a namespace and a name prefix', '/npm/space/anycompany-ui~', 'namespace'],
    ['one package', '/maven/org.apache.logging.log4j/log4j-core$', 'format'],
    ['one PyPI package (empty namespace)', '/pypi//requests$', 'format'],
    ['a PyPI name prefix', '/pypi//internal-~', 'format'],
    ['an npm package without a scope', '/npm//left-pad$', 'format'],
  ])('accepts AWS syntax for %s: %s', async (_label, pattern, _level) => {
    const d = await freshDomain();
    if (pattern === '/*') {
      // The root: it exists already.
      expect((await describeGroup(d, pattern)).pattern).toBe('/*');
      return;
    }
    const g = await create(d, pattern);
    expect(g.pattern).toBe(pattern);
    expect(g.arn).toBe(arnOf(d, pattern));
    expect((await describeGroup(d, pattern)).pattern).toBe(pattern);
  });

  it.each([
    ['no suffix', '/npm/space'],
    ['no suffix after a name', '/maven/org.example/lib'],
    ['a namespace on PyPI', '/pypi/ns/requests$'],
    ['a namespace prefix on PyPI', '/pypi/ns~'],
    ['an unnormalized PyPI name', '/pypi//My_Lib$'],
    ['an unnormalized PyPI prefix', '/pypi//Internal.~'],
    ['an unknown format', '/rpm/*'],
    ['an unknown format with a namespace', '/conda/ns/*'],
    ['no leading slash', 'npm/*'],
    ['no namespace where Maven needs one', '/maven//guava$'],
    ['too many components', '/npm/a/b/c$'],
    ['a suffix on the format', '/npm~'],
    ['an empty name', '/npm/space/$'],
  ])('refuses %s (%s) with a ValidationException naming the problem', async (_label, pattern) => {
    const err = await expectDeclaredError(
      'CreatePackageGroup',
      ctx.ca.createPackageGroup({ domain, packageGroup: pattern }),
      'ValidationException',
    );
    expect(err.reason).toBe('FIELD_VALIDATION_FAILED');
    expect(err.message).toContain(pattern);
    await expectError(ctx.ca.describePackageGroup({ domain, packageGroup: pattern }), 'ResourceNotFoundException');
  });

  it('the model constraints: whitespace, length, description and contact info', async () => {
    await expectFieldValidation(ctx.ca.createPackageGroup({ domain, packageGroup: '/npm/my space/*' }));
    await expectFieldValidation(ctx.ca.createPackageGroup({ domain, packageGroup: `/npm/${'x'.repeat(520)}/*` }));
    await expectFieldValidation(
      ctx.ca.createPackageGroup({ domain, packageGroup: '/npm/desc/*', description: 'x'.repeat(1001) }),
    );
    await expectFieldValidation(
      ctx.ca.createPackageGroup({ domain, packageGroup: '/npm/desc/*', contactInfo: 'x'.repeat(1001) }),
    );
    await expectError(ctx.ca.describePackageGroup({ domain, packageGroup: '/npm/desc/*' }), 'ResourceNotFoundException');
  });

  it('a duplicate is a ConflictException and leaves the first untouched', async () => {
    await create(domain, '/generic/dup/*', { description: 'first' });
    await expectDeclaredError(
      'CreatePackageGroup',
      ctx.ca.createPackageGroup({ domain, packageGroup: '/generic/dup/*', description: 'second' }),
      'ConflictException',
    );
    expect((await describeGroup(domain, '/generic/dup/*')).description).toBe('first');
  });

  it('an unknown domain is a ResourceNotFoundException', async () => {
    const err = await expectDeclaredError(
      'CreatePackageGroup',
      ctx.ca.createPackageGroup({ domain: uniq('nodom'), packageGroup: '/npm/*' }),
      'ResourceNotFoundException',
    );
    expect(err.resourceType).toBe('domain');
  });
});

describe('the tree: parent, ListSubPackageGroups, INHERIT chains', () => {
  let domain: string;
  const chain = ['/generic/*', '/generic/te~', '/generic/team/*', '/generic/team/lib~', '/generic/team/lib-core$'];

  beforeAll(async () => {
    domain = await freshDomain('main', 'allowed');
    // Created most specific first: each new one becomes the parent of those already there.
    for (const pattern of [...chain].reverse()) await create(domain, pattern);
    await create(domain, '/generic/other/*');
    await create(domain, '/pypi/*');
  });

  it('each group has the most specific group that contains it as its parent', async () => {
    expect((await describeGroup(domain, '/generic/*')).parent).toEqual(ref(domain, '/*'));
    for (let i = 1; i < chain.length; i++)
      expect((await describeGroup(domain, chain[i]!)).parent, chain[i]).toEqual(ref(domain, chain[i - 1]!));
    // /generic/other/* does not start with te: its parent is /generic/*.
    expect((await describeGroup(domain, '/generic/other/*')).parent).toEqual(ref(domain, '/generic/*'));
    expect((await describeGroup(domain, '/pypi/*')).parent).toEqual(ref(domain, '/*'));
  });

  it('ListSubPackageGroups lists the direct children only, as summaries', async () => {
    const sub = async (packageGroup: string) =>
      ((await ctx.ca.listSubPackageGroups({ domain, packageGroup })).packageGroups ?? []).map((g) => g.pattern).sort();
    expect(await sub('/*')).toEqual(['/generic/*', '/pypi/*']);
    expect(await sub('/generic/*')).toEqual(['/generic/other/*', '/generic/te~']);
    expect(await sub('/generic/team/lib~')).toEqual(['/generic/team/lib-core$']);
    expect(await sub('/generic/team/lib-core$')).toEqual([]);
    const out = await ctx.ca.listSubPackageGroups({ domain, packageGroup: '/generic/te~' });
    expect(out.packageGroups).toEqual([await describeGroup(domain, '/generic/team/*')]);
  });

  it('ListSubPackageGroups paginates', async () => {
    const pages = await collect(paginateListSubPackageGroups({ client: ctx.ca, pageSize: 1 }, { domain, packageGroup: '/generic/*' }));
    expect(pages).toHaveLength(2);
    expect(pages.flatMap((p) => p.packageGroups!.map((g) => g.pattern)).sort()).toEqual(['/generic/other/*', '/generic/te~']);
  });

  it('ListSubPackageGroups of an unknown group or domain is a ResourceNotFoundException', async () => {
    await expectDeclaredError(
      'ListSubPackageGroups',
      ctx.ca.listSubPackageGroups({ domain, packageGroup: '/npm/*' }),
      'ResourceNotFoundException',
    );
    await expectError(ctx.ca.listSubPackageGroups({ domain: uniq('nodom'), packageGroup: '/*' }), 'ResourceNotFoundException');
  });

  it('INHERIT resolves to the nearest ancestor that sets a mode; inheritedFrom names it', async () => {
    await ctx.ca.updatePackageGroupOriginConfiguration({ domain, packageGroup: '/generic/*', restrictions: { PUBLISH: 'BLOCK' } });
    const leaf = await describeGroup(domain, '/generic/team/lib-core$');
    expect(restrictionOf(leaf, 'PUBLISH')).toMatchObject({
      mode: 'INHERIT',
      effectiveMode: 'BLOCK',
      inheritedFrom: ref(domain, '/generic/*'),
    });
    expect(restrictionOf(leaf, 'EXTERNAL_UPSTREAM')).toMatchObject({
      mode: 'INHERIT',
      effectiveMode: 'ALLOW',
      inheritedFrom: ref(domain, '/*'),
    });
    // A group that sets its own mode has no inheritedFrom.
    const set = await describeGroup(domain, '/generic/*');
    expect(restrictionOf(set, 'PUBLISH')).toEqual({ mode: 'BLOCK', effectiveMode: 'BLOCK', repositoriesCount: 0 });

    // A nearer ancestor takes over.
    await ctx.ca.updatePackageGroupOriginConfiguration({
      domain,
      packageGroup: '/generic/team/*',
      restrictions: { PUBLISH: 'ALLOW_SPECIFIC_REPOSITORIES' },
      addAllowedRepositories: [{ repositoryName: 'allowed', originRestrictionType: 'PUBLISH' }],
    });
    const again = await describeGroup(domain, '/generic/team/lib-core$');
    expect(restrictionOf(again, 'PUBLISH')).toMatchObject({
      mode: 'INHERIT',
      effectiveMode: 'ALLOW_SPECIFIC_REPOSITORIES',
      inheritedFrom: ref(domain, '/generic/team/*'),
    });
    expect(restrictionOf(await describeGroup(domain, '/generic/team/*'), 'PUBLISH')).toEqual({
      mode: 'ALLOW_SPECIFIC_REPOSITORIES',
      effectiveMode: 'ALLOW_SPECIFIC_REPOSITORIES',
      repositoriesCount: 1,
    });
    // Groups outside that branch still inherit from /generic/*.
    expect(restrictionOf(await describeGroup(domain, '/generic/other/*'), 'PUBLISH')).toMatchObject({
      effectiveMode: 'BLOCK',
      inheritedFrom: ref(domain, '/generic/*'),
    });
  });

  it('the effective restriction is what PublishPackageVersion enforces', async () => {
    const lib = { domain, namespace: 'team', package: 'lib-core' };
    await expectError(publish(ctx.ca, { ...lib, repository: 'main' }, '1.0', 'a.txt', 'x'), 'ConflictException');
    expect((await publish(ctx.ca, { ...lib, repository: 'allowed' }, '1.0', 'a.txt', 'x')).status).toBe('Published');
    await expectError(
      publish(ctx.ca, { domain, repository: 'allowed', namespace: 'other', package: 'p' }, '1.0', 'a.txt', 'x'),
      'ConflictException',
    );
    // Any package under /generic/team/* may go to the allowed repository.
    expect((await publish(ctx.ca, { domain, repository: 'allowed', namespace: 'team', package: 'x' }, '1.0', 'a.txt', 'x')).status).toBe(
      'Published',
    );
  });

  it('a group created in between becomes the parent of the groups below it', async () => {
    const d = await freshDomain();
    await create(d, '/npm/space/anycompany-ui-components$');
    expect((await describeGroup(d, '/npm/space/anycompany-ui-components$')).parent).toEqual(ref(d, '/*'));
    await create(d, '/npm/space/anycompany-ui~');
    expect((await describeGroup(d, '/npm/space/anycompany-ui-components$')).parent).toEqual(ref(d, '/npm/space/anycompany-ui~'));
    await create(d, '/npm/space/*');
    expect((await describeGroup(d, '/npm/space/anycompany-ui~')).parent).toEqual(ref(d, '/npm/space/*'));
    await create(d, '/npm/*');
    expect((await describeGroup(d, '/npm/space/*')).parent).toEqual(ref(d, '/npm/*'));
    expect((await describeGroup(d, '/npm/*')).parent).toEqual(ref(d, '/*'));
  });
});

describe('DeletePackageGroup', () => {
  it('returns the deleted group; it is gone from every listing and its ARN has no tags', async () => {
    const domain = await freshDomain();
    await create(domain, '/npm/*', { description: 'doomed', tags: [{ key: 'k', value: 'v' }] });
    const out = await ctx.ca.deletePackageGroup({ domain, packageGroup: '/npm/*' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.packageGroup).toMatchObject({ ...ref(domain, '/npm/*'), description: 'doomed', parent: ref(domain, '/*') });
    await expectError(ctx.ca.describePackageGroup({ domain, packageGroup: '/npm/*' }), 'ResourceNotFoundException');
    expect((await ctx.ca.listPackageGroups({ domain })).packageGroups!.map((g) => g.pattern)).toEqual(['/*']);
    await expectError(ctx.ca.listTagsForResource({ resourceArn: arnOf(domain, '/npm/*') }), 'ResourceNotFoundException');
    // The pattern is free again, without the old tags.
    await create(domain, '/npm/*');
    expect((await ctx.ca.listTagsForResource({ resourceArn: arnOf(domain, '/npm/*') })).tags).toEqual([]);
  });

  it("a group with sub-groups can be deleted: its children become children of its parent (AWS's API reference)", async () => {
    const domain = await freshDomain();
    await create(domain, '/npm/*');
    await create(domain, '/npm/space/*');
    await create(domain, '/npm/space/a$');
    await create(domain, '/npm/space/b$');
    await ctx.ca.updatePackageGroupOriginConfiguration({ domain, packageGroup: '/npm/*', restrictions: { PUBLISH: 'BLOCK' } });
    await ctx.ca.updatePackageGroupOriginConfiguration({
      domain,
      packageGroup: '/npm/space/*',
      restrictions: { PUBLISH: 'ALLOW' },
    });
    expect(restrictionOf(await describeGroup(domain, '/npm/space/a$'), 'PUBLISH')).toMatchObject({
      effectiveMode: 'ALLOW',
      inheritedFrom: ref(domain, '/npm/space/*'),
    });
    const out = await ctx.ca.deletePackageGroup({ domain, packageGroup: '/npm/space/*' });
    expect(out.packageGroup!.pattern).toBe('/npm/space/*');
    const a = await describeGroup(domain, '/npm/space/a$');
    expect(a.parent).toEqual(ref(domain, '/npm/*'));
    // "if any of the child groups are inheriting any settings from the parent, those settings could change"
    expect(restrictionOf(a, 'PUBLISH')).toMatchObject({ effectiveMode: 'BLOCK', inheritedFrom: ref(domain, '/npm/*') });
    const sub = (await ctx.ca.listSubPackageGroups({ domain, packageGroup: '/npm/*' })).packageGroups!.map((g) => g.pattern);
    expect(sub.sort()).toEqual(['/npm/space/a$', '/npm/space/b$']);
  });

  it('an unknown group or domain is a ResourceNotFoundException', async () => {
    const domain = await freshDomain();
    await expectDeclaredError(
      'DeletePackageGroup',
      ctx.ca.deletePackageGroup({ domain, packageGroup: '/npm/*' }),
      'ResourceNotFoundException',
    );
    await expectError(ctx.ca.deletePackageGroup({ domain: uniq('nodom'), packageGroup: '/npm/*' }), 'ResourceNotFoundException');
  });

  it('DeleteDomain takes its groups along; a new domain of the same name has only the root', async () => {
    const domain = await freshDomain();
    await create(domain, '/npm/*', { tags: [{ key: 'k', value: 'v' }] });
    await ctx.ca.deleteDomain({ domain });
    await expectError(ctx.ca.describePackageGroup({ domain, packageGroup: '/npm/*' }), 'ResourceNotFoundException');
    await ctx.ca.createDomain({ domain });
    expect((await ctx.ca.listPackageGroups({ domain })).packageGroups!.map((g) => g.pattern)).toEqual(['/*']);
  });
});

describe('DescribePackageGroup and UpdatePackageGroup', () => {
  let domain: string;
  beforeAll(async () => {
    domain = await freshDomain();
    await create(domain, '/npm/*', { description: 'npm packages', contactInfo: 'npm-team' });
  });

  it('UpdatePackageGroup changes description and contact info and returns the description', async () => {
    const out = await ctx.ca.updatePackageGroup({ domain, packageGroup: '/npm/*', description: 'new', contactInfo: 'new-team' });
    expect(out.packageGroup).toMatchObject({ ...ref(domain, '/npm/*'), description: 'new', contactInfo: 'new-team' });
    expect(await describeGroup(domain, '/npm/*')).toEqual(out.packageGroup);
  });

  it('a member left out is left as it is', async () => {
    await ctx.ca.updatePackageGroup({ domain, packageGroup: '/npm/*', description: 'only the description' });
    expect(await describeGroup(domain, '/npm/*')).toMatchObject({ description: 'only the description', contactInfo: 'new-team' });
    await ctx.ca.updatePackageGroup({ domain, packageGroup: '/npm/*', contactInfo: 'only the contact' });
    expect(await describeGroup(domain, '/npm/*')).toMatchObject({ description: 'only the description', contactInfo: 'only the contact' });
  });

  it('keeps the creation time and the origin configuration', async () => {
    const before = await describeGroup(domain, '/npm/*');
    await ctx.ca.updatePackageGroupOriginConfiguration({ domain, packageGroup: '/npm/*', restrictions: { PUBLISH: 'BLOCK' } });
    const after = (await ctx.ca.updatePackageGroup({ domain, packageGroup: '/npm/*', description: 'x' })).packageGroup!;
    expect(after.createdTime).toEqual(before.createdTime);
    expect(restrictionOf(after, 'PUBLISH').mode).toBe('BLOCK');
  });

  it('validation: description and contact info over 1000 characters', async () => {
    await expectFieldValidation(ctx.ca.updatePackageGroup({ domain, packageGroup: '/npm/*', description: 'x'.repeat(1001) }));
    await expectFieldValidation(ctx.ca.updatePackageGroup({ domain, packageGroup: '/npm/*', contactInfo: 'x'.repeat(1001) }));
  });

  it('an unknown group or domain is a ResourceNotFoundException', async () => {
    await expectDeclaredError('DescribePackageGroup', ctx.ca.describePackageGroup({ domain, packageGroup: '/maven/*' }), 'ResourceNotFoundException');
    await expectDeclaredError(
      'UpdatePackageGroup',
      ctx.ca.updatePackageGroup({ domain, packageGroup: '/maven/*', description: 'x' }),
      'ResourceNotFoundException',
    );
    await expectError(ctx.ca.describePackageGroup({ domain: uniq('nodom'), packageGroup: '/*' }), 'ResourceNotFoundException');
  });
});

describe('UpdatePackageGroupOriginConfiguration and ListAllowedRepositoriesForGroup', () => {
  let domain: string;
  const repos = ['r-a', 'r-b', 'r-c', 'r-d', 'r-e'];
  beforeAll(async () => {
    domain = await freshDomain(...repos);
    await create(domain, '/generic/*');
  });

  const allowed = async (originRestrictionType: 'PUBLISH' | 'EXTERNAL_UPSTREAM' | 'INTERNAL_UPSTREAM') =>
    (await ctx.ca.listAllowedRepositoriesForGroup({ domain, packageGroup: '/generic/*', originRestrictionType })).allowedRepositories;

  it('sets restrictions and returns the group with an empty allowedRepositoryUpdates', async () => {
    const out = await ctx.ca.updatePackageGroupOriginConfiguration({
      domain,
      packageGroup: '/generic/*',
      restrictions: { PUBLISH: 'BLOCK', EXTERNAL_UPSTREAM: 'ALLOW', INTERNAL_UPSTREAM: 'ALLOW_SPECIFIC_REPOSITORIES' },
    });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.packageGroup!.pattern).toBe('/generic/*');
    expect(restrictionOf(out.packageGroup!, 'PUBLISH')).toEqual({ mode: 'BLOCK', effectiveMode: 'BLOCK', repositoriesCount: 0 });
    expect(restrictionOf(out.packageGroup!, 'EXTERNAL_UPSTREAM')).toEqual({ mode: 'ALLOW', effectiveMode: 'ALLOW', repositoriesCount: 0 });
    expect(restrictionOf(out.packageGroup!, 'INTERNAL_UPSTREAM')).toMatchObject({ mode: 'ALLOW_SPECIFIC_REPOSITORIES' });
    expect(out.allowedRepositoryUpdates ?? {}).toEqual({});
    // Setting only one leaves the others.
    await ctx.ca.updatePackageGroupOriginConfiguration({ domain, packageGroup: '/generic/*', restrictions: { PUBLISH: 'INHERIT' } });
    const g = await describeGroup(domain, '/generic/*');
    expect(restrictionOf(g, 'PUBLISH')).toMatchObject({ mode: 'INHERIT', effectiveMode: 'ALLOW', inheritedFrom: ref(domain, '/*') });
    expect(restrictionOf(g, 'EXTERNAL_UPSTREAM').mode).toBe('ALLOW');
    expect(restrictionOf(g, 'INTERNAL_UPSTREAM').mode).toBe('ALLOW_SPECIFIC_REPOSITORIES');
  });

  it('adds and removes allowed repositories; allowedRepositoryUpdates says what changed', async () => {
    const added = await ctx.ca.updatePackageGroupOriginConfiguration({
      domain,
      packageGroup: '/generic/*',
      restrictions: { PUBLISH: 'ALLOW_SPECIFIC_REPOSITORIES' },
      addAllowedRepositories: [
        { repositoryName: 'r-a', originRestrictionType: 'PUBLISH' },
        { repositoryName: 'r-b', originRestrictionType: 'PUBLISH' },
        { repositoryName: 'r-a', originRestrictionType: 'INTERNAL_UPSTREAM' },
      ],
    });
    expect(added.allowedRepositoryUpdates).toEqual({
      PUBLISH: { ADDED: ['r-a', 'r-b'] },
      INTERNAL_UPSTREAM: { ADDED: ['r-a'] },
    });
    expect(restrictionOf(added.packageGroup!, 'PUBLISH').repositoriesCount).toBe(2);
    expect(restrictionOf(added.packageGroup!, 'INTERNAL_UPSTREAM').repositoriesCount).toBe(1);
    expect(await allowed('PUBLISH')).toEqual(['r-a', 'r-b']);
    expect(await allowed('INTERNAL_UPSTREAM')).toEqual(['r-a']);
    expect(await allowed('EXTERNAL_UPSTREAM')).toEqual([]);

    // Adding one already there and removing one not there report nothing for them.
    const changed = await ctx.ca.updatePackageGroupOriginConfiguration({
      domain,
      packageGroup: '/generic/*',
      addAllowedRepositories: [
        { repositoryName: 'r-a', originRestrictionType: 'PUBLISH' },
        { repositoryName: 'r-c', originRestrictionType: 'PUBLISH' },
      ],
      removeAllowedRepositories: [
        { repositoryName: 'r-b', originRestrictionType: 'PUBLISH' },
        { repositoryName: 'r-e', originRestrictionType: 'PUBLISH' },
      ],
    });
    expect(changed.allowedRepositoryUpdates).toEqual({ PUBLISH: { ADDED: ['r-c'], REMOVED: ['r-b'] } });
    expect(await allowed('PUBLISH')).toEqual(['r-a', 'r-c']);
    expect(restrictionOf(await describeGroup(domain, '/generic/*'), 'PUBLISH').mode).toBe('ALLOW_SPECIFIC_REPOSITORIES');
  });

  it('an unknown repository is a ResourceNotFoundException and changes nothing', async () => {
    const before = await describeGroup(domain, '/generic/*');
    const beforeAllowed = await allowed('PUBLISH');
    const err = await expectDeclaredError(
      'UpdatePackageGroupOriginConfiguration',
      ctx.ca.updatePackageGroupOriginConfiguration({
        domain,
        packageGroup: '/generic/*',
        restrictions: { EXTERNAL_UPSTREAM: 'BLOCK' },
        addAllowedRepositories: [
          { repositoryName: 'r-d', originRestrictionType: 'PUBLISH' },
          { repositoryName: 'no-such-repo', originRestrictionType: 'PUBLISH' },
        ],
      }),
      'ResourceNotFoundException',
    );
    expect(err.resourceId).toBe('no-such-repo');
    expect(err.resourceType).toBe('repository');
    expect(await describeGroup(domain, '/generic/*')).toEqual(before);
    expect(await allowed('PUBLISH')).toEqual(beforeAllowed);
  });

  it('validation: unknown modes, restriction types and repository names', async () => {
    const call = (input: Record<string, unknown>) =>
      ctx.ca.updatePackageGroupOriginConfiguration({ domain, packageGroup: '/generic/*', ...(input as object) });
    await expectFieldValidation(call({ restrictions: { PUBLISH: 'MAYBE' } }));
    await expectFieldValidation(call({ restrictions: { DOWNLOAD: 'ALLOW' } }));
    await expectFieldValidation(call({ addAllowedRepositories: [{ repositoryName: 'r-a', originRestrictionType: 'DOWNLOAD' }] }));
    await expectFieldValidation(call({ addAllowedRepositories: [{ repositoryName: 'x', originRestrictionType: 'PUBLISH' }] }));
  });

  it('an unknown group or domain is a ResourceNotFoundException', async () => {
    await expectError(
      ctx.ca.updatePackageGroupOriginConfiguration({ domain, packageGroup: '/npm/*', restrictions: { PUBLISH: 'BLOCK' } }),
      'ResourceNotFoundException',
    );
    await expectError(
      ctx.ca.updatePackageGroupOriginConfiguration({ domain: uniq('nodom'), packageGroup: '/*', restrictions: { PUBLISH: 'BLOCK' } }),
      'ResourceNotFoundException',
    );
  });

  it('ListAllowedRepositoriesForGroup paginates in name order', async () => {
    await ctx.ca.updatePackageGroupOriginConfiguration({
      domain,
      packageGroup: '/generic/*',
      addAllowedRepositories: repos.map((repositoryName) => ({ repositoryName, originRestrictionType: 'EXTERNAL_UPSTREAM' as const })),
    });
    const first = await ctx.ca.listAllowedRepositoriesForGroup({
      domain,
      packageGroup: '/generic/*',
      originRestrictionType: 'EXTERNAL_UPSTREAM',
      maxResults: 2,
    });
    expect(first.allowedRepositories).toEqual(['r-a', 'r-b']);
    expect(first.nextToken).toBeTruthy();
    const pages = await collect(
      paginateListAllowedRepositoriesForGroup(
        { client: ctx.ca, pageSize: 2 },
        { domain, packageGroup: '/generic/*', originRestrictionType: 'EXTERNAL_UPSTREAM' },
      ),
    );
    expect(pages).toHaveLength(3);
    expect(pages.flatMap((p) => p.allowedRepositories)).toEqual(repos);
    expect(pages.at(-1)!.nextToken).toBeUndefined();
  });

  it('ListAllowedRepositoriesForGroup: a token of another query, maxResults out of range, unknown group', async () => {
    const first = await ctx.ca.listAllowedRepositoriesForGroup({
      domain,
      packageGroup: '/generic/*',
      originRestrictionType: 'EXTERNAL_UPSTREAM',
      maxResults: 1,
    });
    await expectError(
      ctx.ca.listAllowedRepositoriesForGroup({
        domain,
        packageGroup: '/generic/*',
        originRestrictionType: 'PUBLISH',
        nextToken: first.nextToken,
      }),
      'ValidationException',
    );
    await expectFieldValidation(
      ctx.ca.listAllowedRepositoriesForGroup({ domain, packageGroup: '/generic/*', originRestrictionType: 'PUBLISH', maxResults: 1001 }),
    );
    await expectFieldValidation(
      ctx.ca.listAllowedRepositoriesForGroup({ domain, packageGroup: '/generic/*', originRestrictionType: 'DOWNLOAD' as never }),
    );
    await expectDeclaredError(
      'ListAllowedRepositoriesForGroup',
      ctx.ca.listAllowedRepositoriesForGroup({ domain, packageGroup: '/npm/*', originRestrictionType: 'PUBLISH' }),
      'ResourceNotFoundException',
    );
  });
});

describe('GetAssociatedPackageGroup', () => {
  let domain: string;
  beforeAll(async () => {
    domain = await freshDomain();
    for (const p of ['/generic/*', '/generic/team/*', '/generic/team/lib~', '/generic/team/lib-core$', '/pypi//my-lib$', '/generic/te~'])
      await create(domain, p);
  });

  const associated = async (input: Record<string, string>) => {
    const out = await ctx.ca.getAssociatedPackageGroup({ domain, ...(input as { format: 'generic'; package: string }) });
    return [out.packageGroup!.pattern, out.associationType];
  };

  it('the most specific matching group wins', async () => {
    expect(await associated({ format: 'generic', namespace: 'team', package: 'lib-core' })).toEqual(['/generic/team/lib-core$', 'STRONG']);
    expect(await associated({ format: 'generic', namespace: 'team', package: 'lib-x' })).toEqual(['/generic/team/lib~', 'STRONG']);
    expect(await associated({ format: 'generic', namespace: 'team', package: 'other' })).toEqual(['/generic/team/*', 'STRONG']);
    expect(await associated({ format: 'generic', namespace: 'tea', package: 'x' })).toEqual(['/generic/te~', 'STRONG']);
    expect(await associated({ format: 'generic', namespace: 'else', package: 'x' })).toEqual(['/generic/*', 'STRONG']);
    expect(await associated({ format: 'npm', package: 'left-pad' })).toEqual(['/*', 'STRONG']);
  });

  it('returns the full PackageGroupDescription; the package need not exist', async () => {
    const out = await ctx.ca.getAssociatedPackageGroup({ domain, format: 'generic', namespace: 'team', package: 'never-published' });
    expect(out.packageGroup).toEqual(await describeGroup(domain, '/generic/team/*'));
  });

  it('WEAK: the name matches the group only as the format normalizes it (the code\'s definition)', async () => {
    expect(await associated({ format: 'pypi', package: 'my-lib' })).toEqual(['/pypi//my-lib$', 'STRONG']);
    expect(await associated({ format: 'pypi', package: 'My_Lib' })).toEqual(['/pypi//my-lib$', 'WEAK']);
    expect(await associated({ format: 'pypi', package: 'my.lib' })).toEqual(['/pypi//my-lib$', 'WEAK']);
    expect(await associated({ format: 'pypi', package: 'other' })).toEqual(['/*', 'STRONG']);
  });

  it('the format namespace rules apply; an unknown domain is a ResourceNotFoundException', async () => {
    await expectDeclaredError(
      'GetAssociatedPackageGroup',
      ctx.ca.getAssociatedPackageGroup({ domain, format: 'generic', package: 'p' }),
      'ValidationException',
    );
    await expectError(ctx.ca.getAssociatedPackageGroup({ domain, format: 'pypi', namespace: 'ns', package: 'p' }), 'ValidationException');
    await expectFieldValidation(ctx.ca.getAssociatedPackageGroup({ domain, format: 'rpm' as never, package: 'p' }));
    await expectDeclaredError(
      'GetAssociatedPackageGroup',
      ctx.ca.getAssociatedPackageGroup({ domain: uniq('nodom'), format: 'npm', package: 'p' }),
      'ResourceNotFoundException',
    );
  });
});

describe('ListAssociatedPackages', () => {
  let domain: string;
  const many = ['m1', 'm2', 'm3', 'm4', 'm5'];
  beforeAll(async () => {
    domain = await freshDomain('one', 'two');
    for (const p of ['/generic/team/*', '/generic/team/lib~', '/generic/many/*']) await create(domain, p);
    const put = (repository: string, namespace: string, name: string) =>
      publish(ctx.ca, { domain, repository, namespace, package: name }, '1.0', 'a.txt', `${namespace}/${name}`);
    await put('one', 'team', 'lib-core');
    await put('two', 'team', 'lib-core'); // the same package in a second repository
    await put('one', 'team', 'lib-x');
    await put('one', 'team', 'app');
    await put('two', 'team', 'tool');
    await put('one', 'other', 'x');
    for (const m of many) await put('two', 'many', m);
  });

  const listed = async (packageGroup: string, preview?: boolean) =>
    ((await ctx.ca.listAssociatedPackages({ domain, packageGroup, preview })).packages ?? []).map(
      (p) => `${p.format}:${p.namespace ?? ''}/${p.package}:${p.associationType}`,
    );

  it('lists the packages of every repository of the domain whose group it is, each once', async () => {
    expect(await listed('/generic/team/*')).toEqual(['generic:team/app:STRONG', 'generic:team/tool:STRONG']);
    expect(await listed('/generic/team/lib~')).toEqual(['generic:team/lib-core:STRONG', 'generic:team/lib-x:STRONG']);
    expect(await listed('/*')).toEqual(['generic:other/x:STRONG']);
    const out = await ctx.ca.listAssociatedPackages({ domain, packageGroup: '/generic/team/lib~' });
    expect(out.packages![0]).toEqual({ format: 'generic', namespace: 'team', package: 'lib-core', associationType: 'STRONG' });
  });

  it('preview: what a group would hold if it were created, without creating it', async () => {
    expect(await listed('/generic/team/lib-core$', true)).toEqual(['generic:team/lib-core:STRONG']);
    expect(await listed('/generic/other/*', true)).toEqual(['generic:other/x:STRONG']);
    await expectError(ctx.ca.describePackageGroup({ domain, packageGroup: '/generic/other/*' }), 'ResourceNotFoundException');
    // Without preview, a group that does not exist is not found.
    await expectDeclaredError(
      'ListAssociatedPackages',
      ctx.ca.listAssociatedPackages({ domain, packageGroup: '/generic/other/*' }),
      'ResourceNotFoundException',
    );
    // Preview of an existing group is its listing.
    expect(await listed('/generic/team/*', true)).toEqual(await listed('/generic/team/*'));
  });

  it('paginates', async () => {
    const first = await ctx.ca.listAssociatedPackages({ domain, packageGroup: '/generic/many/*', maxResults: 2 });
    expect(first.packages).toHaveLength(2);
    expect(first.nextToken).toBeTruthy();
    const pages = await collect(paginateListAssociatedPackages({ client: ctx.ca, pageSize: 2 }, { domain, packageGroup: '/generic/many/*' }));
    expect(pages).toHaveLength(3);
    expect(pages.flatMap((p) => p.packages!.map((x) => x.package))).toEqual(many);
    const previewPages = await collect(
      paginateListAssociatedPackages({ client: ctx.ca, pageSize: 4 }, { domain, packageGroup: '/generic/many/m~', preview: true }),
    );
    expect(previewPages.flatMap((p) => p.packages!.map((x) => x.package))).toEqual(many);
  });

  it('an invalid pattern is a ValidationException; an unknown domain a ResourceNotFoundException', async () => {
    await expectDeclaredError(
      'ListAssociatedPackages',
      ctx.ca.listAssociatedPackages({ domain, packageGroup: '/pypi/ns/x$', preview: true }),
      'ValidationException',
    );
    await expectFieldValidation(ctx.ca.listAssociatedPackages({ domain, packageGroup: '/generic/many/*', maxResults: 0 }));
    await expectError(ctx.ca.listAssociatedPackages({ domain: uniq('nodom'), packageGroup: '/*' }), 'ResourceNotFoundException');
  });
});

describe('ListPackageGroups', () => {
  let domain: string;
  const npm = ['/npm/*', '/npm/a/*', '/npm/b/*', '/npm/c/*'];
  beforeAll(async () => {
    domain = await freshDomain();
    for (const p of [...npm, '/maven/*', '/pypi/*']) await create(domain, p);
  });

  it('lists every group as a PackageGroupSummary, sorted by pattern', async () => {
    const out = await ctx.ca.listPackageGroups({ domain });
    const patterns = out.packageGroups!.map((g) => g.pattern!);
    expect(patterns).toEqual([...patterns].sort());
    expect([...patterns].sort()).toEqual(['/*', '/maven/*', ...npm, '/pypi/*'].sort());
    const a = out.packageGroups!.find((g) => g.pattern === '/npm/a/*')!;
    expect(a).toEqual(await describeGroup(domain, '/npm/a/*'));
    expect(a.parent).toEqual(ref(domain, '/npm/*'));
  });

  it('prefix filters on the pattern', async () => {
    const names = async (prefix: string) =>
      ((await ctx.ca.listPackageGroups({ domain, prefix })).packageGroups ?? []).map((g) => g.pattern);
    expect(await names('/npm')).toEqual(npm);
    expect(await names('/npm/a')).toEqual(['/npm/a/*']);
    expect(await names('/nothing')).toEqual([]);
    expect(await names('/')).toHaveLength(7);
  });

  it('paginates, with and without a prefix', async () => {
    const pages = await collect(paginateListPackageGroups({ client: ctx.ca, pageSize: 3 }, { domain }));
    expect(pages).toHaveLength(3);
    const all = pages.flatMap((p) => p.packageGroups!.map((g) => g.pattern));
    expect(all).toHaveLength(7);
    expect(new Set(all).size).toBe(7);
    const prefixed = await collect(paginateListPackageGroups({ client: ctx.ca, pageSize: 1 }, { domain, prefix: '/npm/' }));
    expect(prefixed.flatMap((p) => p.packageGroups!.map((g) => g.pattern))).toEqual(npm);
    const first = await ctx.ca.listPackageGroups({ domain, maxResults: 1 });
    await expectError(ctx.ca.listPackageGroups({ domain, prefix: '/npm', nextToken: first.nextToken }), 'ValidationException');
  });

  it('validation and an unknown domain', async () => {
    await expectFieldValidation(ctx.ca.listPackageGroups({ domain, maxResults: 1001 }));
    await expectDeclaredError('ListPackageGroups', ctx.ca.listPackageGroups({ domain: uniq('nodom') }), 'ResourceNotFoundException');
  });
});

describe('tags on package groups', () => {
  it('CreatePackageGroup stores tags; TagResource, UntagResource and ListTagsForResource work on the ARN', async () => {
    const domain = await freshDomain();
    const g = await create(domain, '/pypi//internal-~', { tags: [{ key: 'team', value: 'platform' }] });
    const resourceArn = g.arn!;
    expect(resourceArn).toBe(arnOf(domain, '/pypi//internal-~'));
    expect((await ctx.ca.listTagsForResource({ resourceArn })).tags).toEqual([{ key: 'team', value: 'platform' }]);
    await ctx.ca.tagResource({ resourceArn, tags: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'core' }] });
    const tags = (await ctx.ca.listTagsForResource({ resourceArn })).tags!;
    expect([...tags].sort((a, b) => (a.key! < b.key! ? -1 : 1))).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'core' },
    ]);
    await ctx.ca.untagResource({ resourceArn, tagKeys: ['team'] });
    expect((await ctx.ca.listTagsForResource({ resourceArn })).tags).toEqual([{ key: 'env', value: 'prod' }]);
    // The root group's ARN carries tags too.
    const root = arnOf(domain, '/*');
    await ctx.ca.tagResource({ resourceArn: root, tags: [{ key: 'root', value: 'yes' }] });
    expect((await ctx.ca.listTagsForResource({ resourceArn: root })).tags).toEqual([{ key: 'root', value: 'yes' }]);
  });

  it('a package-group ARN of no group is a ResourceNotFoundException; invalid tags a ValidationException', async () => {
    const domain = await freshDomain();
    await expectError(ctx.ca.listTagsForResource({ resourceArn: arnOf(domain, '/npm/*') }), 'ResourceNotFoundException');
    await expectError(ctx.ca.tagResource({ resourceArn: arnOf(domain, '/npm/*'), tags: [{ key: 'k', value: 'v' }] }), 'ResourceNotFoundException');
    await expectFieldValidation(ctx.ca.createPackageGroup({ domain, packageGroup: '/npm/*', tags: [{ key: '', value: 'v' }] }));
    await expectError(ctx.ca.describePackageGroup({ domain, packageGroup: '/npm/*' }), 'ResourceNotFoundException');
  });
});
