// Tags: TagResource, UntagResource, ListTagsForResource on domain and repository ARNs, and the tags
// CreateDomain / CreateRepository accept.
import { describe, expect, it } from 'vitest';
import type { Tag } from '@aws-sdk/client-codeartifact';
import { ACCOUNT, clientFor, expectError, expectFieldValidation, uniq, useConformanceServer } from './helpers.js';

const ctx = useConformanceServer();

const byKey = (tags: Tag[] | undefined) => [...(tags ?? [])].sort((a, b) => (a.key! < b.key! ? -1 : 1));

async function tagsOf(resourceArn: string) {
  return byKey((await ctx.ca.listTagsForResource({ resourceArn })).tags);
}

describe('tags on domains', () => {
  it('CreateDomain stores its tags', async () => {
    const domain = uniq('tg');
    const out = await ctx.ca.createDomain({
      domain,
      tags: [
        { key: 'team', value: 'platform' },
        { key: 'env', value: '' },
      ],
    });
    expect(await tagsOf(out.domain!.arn!)).toEqual([
      { key: 'env', value: '' },
      { key: 'team', value: 'platform' },
    ]);
  });

  it('TagResource adds and overwrites; UntagResource removes; ListTagsForResource reads back', async () => {
    const domain = uniq('tg');
    const arn = (await ctx.ca.createDomain({ domain, tags: [{ key: 'a', value: '1' }] })).domain!.arn!;
    const tagged = await ctx.ca.tagResource({
      resourceArn: arn,
      tags: [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
        { key: 'c', value: 'three' },
      ],
    });
    expect(tagged.$metadata.httpStatusCode).toBe(200);
    expect(await tagsOf(arn)).toEqual([
      { key: 'a', value: 'one' },
      { key: 'b', value: 'two' },
      { key: 'c', value: 'three' },
    ]);
    const untagged = await ctx.ca.untagResource({ resourceArn: arn, tagKeys: ['b', 'not-there'] });
    expect(untagged.$metadata.httpStatusCode).toBe(200);
    expect(await tagsOf(arn)).toEqual([
      { key: 'a', value: 'one' },
      { key: 'c', value: 'three' },
    ]);
    await ctx.ca.untagResource({ resourceArn: arn, tagKeys: ['a', 'c'] });
    expect(await tagsOf(arn)).toEqual([]);
  });

  it('a domain without tags lists an empty tag list', async () => {
    const domain = uniq('tg');
    const arn = (await ctx.ca.createDomain({ domain })).domain!.arn!;
    const out = await ctx.ca.listTagsForResource({ resourceArn: arn });
    expect(out.tags ?? []).toEqual([]);
  });

  it('the ARN of any region reaches the same domain', async () => {
    const domain = uniq('tg');
    await ctx.ca.createDomain({ domain, tags: [{ key: 'k', value: 'v' }] });
    const euArn = (await clientFor(ctx.server, 'eu-central-1').describeDomain({ domain })).domain!.arn!;
    expect(euArn).toBe(`arn:aws:codeartifact:eu-central-1:${ACCOUNT}:domain/${domain}`);
    expect(await tagsOf(euArn)).toEqual([{ key: 'k', value: 'v' }]);
  });

  it('tags go with the deleted domain', async () => {
    const domain = uniq('tg');
    const arn = (await ctx.ca.createDomain({ domain, tags: [{ key: 'old', value: 'x' }] })).domain!.arn!;
    await ctx.ca.deleteDomain({ domain });
    await expectError(ctx.ca.listTagsForResource({ resourceArn: arn }), 'ResourceNotFoundException');
    await ctx.ca.createDomain({ domain });
    expect(await tagsOf(arn)).toEqual([]);
  });
});

describe('tags on repositories', () => {
  it('CreateRepository stores its tags and the tag operations work on its ARN', async () => {
    const domain = uniq('tr');
    const domainArn = (await ctx.ca.createDomain({ domain, tags: [{ key: 'level', value: 'domain' }] })).domain!.arn!;
    const repo = await ctx.ca.createRepository({
      domain,
      repository: 'tagged',
      tags: [{ key: 'level', value: 'repository' }],
    });
    const arn = repo.repository!.arn!;
    expect(arn).toBe(`arn:aws:codeartifact:us-east-1:${ACCOUNT}:repository/${domain}/tagged`);
    expect(await tagsOf(arn)).toEqual([{ key: 'level', value: 'repository' }]);
    await ctx.ca.tagResource({ resourceArn: arn, tags: [{ key: 'owner', value: 'me' }] });
    expect(await tagsOf(arn)).toEqual([
      { key: 'level', value: 'repository' },
      { key: 'owner', value: 'me' },
    ]);
    // Repository and domain tags are separate.
    expect(await tagsOf(domainArn)).toEqual([{ key: 'level', value: 'domain' }]);
    await ctx.ca.untagResource({ resourceArn: arn, tagKeys: ['level'] });
    expect(await tagsOf(arn)).toEqual([{ key: 'owner', value: 'me' }]);
    expect(await tagsOf(domainArn)).toEqual([{ key: 'level', value: 'domain' }]);
  });
});

describe('tag errors', () => {
  it('an ARN of an unknown domain or repository is a ResourceNotFoundException', async () => {
    const ghost = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:domain/${uniq('ghost')}`;
    await expectError(ctx.ca.listTagsForResource({ resourceArn: ghost }), 'ResourceNotFoundException');
    await expectError(ctx.ca.tagResource({ resourceArn: ghost, tags: [{ key: 'k', value: 'v' }] }), 'ResourceNotFoundException');
    await expectError(ctx.ca.untagResource({ resourceArn: ghost, tagKeys: ['k'] }), 'ResourceNotFoundException');
    const domain = uniq('te');
    await ctx.ca.createDomain({ domain });
    const ghostRepo = `arn:aws:codeartifact:us-east-1:${ACCOUNT}:repository/${domain}/nope`;
    await expectError(ctx.ca.listTagsForResource({ resourceArn: ghostRepo }), 'ResourceNotFoundException');
    await expectError(
      ctx.ca.tagResource({ resourceArn: ghostRepo, tags: [{ key: 'k', value: 'v' }] }),
      'ResourceNotFoundException',
    );
  });

  it('an ARN that is not a CodeArtifact domain or repository is a ValidationException', async () => {
    await expectError(ctx.ca.listTagsForResource({ resourceArn: 'not-an-arn' }), 'ValidationException');
    await expectError(
      ctx.ca.tagResource({ resourceArn: 'arn:aws:s3:::bucket', tags: [{ key: 'k', value: 'v' }] }),
      'ValidationException',
    );
    await expectFieldValidation(ctx.ca.listTagsForResource({ resourceArn: 'arn with spaces' }));
  });

  it('invalid tags are a ValidationException and change nothing', async () => {
    const domain = uniq('tv');
    const arn = (await ctx.ca.createDomain({ domain, tags: [{ key: 'keep', value: 'me' }] })).domain!.arn!;
    await expectFieldValidation(ctx.ca.tagResource({ resourceArn: arn, tags: [{ key: 'k'.repeat(129), value: 'v' }] }));
    await expectFieldValidation(ctx.ca.tagResource({ resourceArn: arn, tags: [{ key: 'k', value: 'v'.repeat(257) }] }));
    await expectFieldValidation(ctx.ca.tagResource({ resourceArn: arn, tags: [{ key: 'bad\u0007key', value: 'v' }] }));
    await expectFieldValidation(
      ctx.ca.tagResource({
        resourceArn: arn,
        tags: Array.from({ length: 201 }, (_, i) => ({ key: `k${i}`, value: 'v' })),
      }),
    );
    await expectFieldValidation(ctx.ca.untagResource({ resourceArn: arn, tagKeys: ['x'.repeat(129)] }));
    expect(await tagsOf(arn)).toEqual([{ key: 'keep', value: 'me' }]);
  });

  it('invalid tags on CreateDomain / CreateRepository create nothing', async () => {
    const domain = uniq('tc');
    await expectFieldValidation(ctx.ca.createDomain({ domain, tags: [{ key: '', value: 'v' }] }));
    await expectError(ctx.ca.describeDomain({ domain }), 'ResourceNotFoundException');
    await ctx.ca.createDomain({ domain });
    await expectFieldValidation(
      ctx.ca.createRepository({ domain, repository: 'repo', tags: [{ key: 'k'.repeat(200), value: 'v' }] }),
    );
    await expectError(ctx.ca.describeRepository({ domain, repository: 'repo' }), 'ResourceNotFoundException');
  });
});
