// Permission policies through the SDK: Get/Put/DeleteDomainPermissionsPolicy and
// Get/Put/DeleteRepositoryPermissionsPolicy. Stored and returned with a revision that changes on every put;
// policyRevision guards Put and Delete (a stale one is a ConflictException); a malformed or oversized
// document is a ValidationException; a policy goes with its resource. Not enforced here (every caller is the
// account owner), as the issue says.
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  REGION,
  expectDeclaredError,
  expectError,
  expectFieldValidation,
  rawRequest,
  uniq,
  useConformanceServer,
} from './helpers.js';

const ctx = useConformanceServer('pol');
const { domain } = ctx;

/** A policy document as AWS's user guide writes them ("Repository policies", "Domain policies"). */
function policy(action = 'codeartifact:ReadFromRepository', sid = 'read'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Action: [action],
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Resource: '*',
      },
    ],
  });
}

const domainArn = (d: string) => `arn:aws:codeartifact:${REGION}:${ACCOUNT}:domain/${d}`;
const repositoryArn = (d: string, r: string) => `arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/${d}/${r}`;

async function freshRepository(): Promise<string> {
  const repository = uniq('r');
  await ctx.ca.createRepository({ domain, repository });
  return repository;
}

const freshDomain = async () => {
  const d = uniq('pold');
  await ctx.ca.createDomain({ domain: d });
  return d;
};

/** The two kinds of policy behind one interface, so each rule is checked on both. */
interface Kind {
  name: string;
  target(): Promise<{ arn: string; ref: Record<string, string> }>;
  put(ref: Record<string, string>, policyDocument: string, policyRevision?: string): Promise<any>;
  get(ref: Record<string, string>): Promise<any>;
  delete(ref: Record<string, string>, policyRevision?: string): Promise<any>;
  ops: { put: string; get: string; delete: string };
}

const kinds: Kind[] = [
  {
    name: 'domain',
    async target() {
      const d = await freshDomain();
      return { arn: domainArn(d), ref: { domain: d } };
    },
    put: (ref, policyDocument, policyRevision) =>
      ctx.ca.putDomainPermissionsPolicy({ domain: ref.domain!, policyDocument, policyRevision }),
    get: (ref) => ctx.ca.getDomainPermissionsPolicy({ domain: ref.domain! }),
    delete: (ref, policyRevision) => ctx.ca.deleteDomainPermissionsPolicy({ domain: ref.domain!, policyRevision }),
    ops: { put: 'PutDomainPermissionsPolicy', get: 'GetDomainPermissionsPolicy', delete: 'DeleteDomainPermissionsPolicy' },
  },
  {
    name: 'repository',
    async target() {
      const r = await freshRepository();
      return { arn: repositoryArn(domain, r), ref: { domain, repository: r } };
    },
    put: (ref, policyDocument, policyRevision) =>
      ctx.ca.putRepositoryPermissionsPolicy({ domain: ref.domain!, repository: ref.repository!, policyDocument, policyRevision }),
    get: (ref) => ctx.ca.getRepositoryPermissionsPolicy({ domain: ref.domain!, repository: ref.repository! }),
    delete: (ref, policyRevision) =>
      ctx.ca.deleteRepositoryPermissionsPolicy({ domain: ref.domain!, repository: ref.repository!, policyRevision }),
    ops: {
      put: 'PutRepositoryPermissionsPolicy',
      get: 'GetRepositoryPermissionsPolicy',
      delete: 'DeleteRepositoryPermissionsPolicy',
    },
  },
];

describe.each(kinds)('$name permissions policy', (kind) => {
  it('Put returns the ResourcePolicy (ARN, revision, document); Get returns the same', async () => {
    const { arn, ref } = await kind.target();
    const document = policy();
    const put = await kind.put(ref, document);
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(put.policy).toEqual({ resourceArn: arn, revision: expect.any(String), document });
    expect(put.policy.revision.length).toBeGreaterThan(0);
    expect(put.policy.revision.length).toBeLessThanOrEqual(100);
    const got = await kind.get(ref);
    expect(got.policy).toEqual(put.policy);
  });

  it('every put changes the revision, with or without policyRevision', async () => {
    const { ref } = await kind.target();
    const first = (await kind.put(ref, policy('codeartifact:ReadFromRepository', 'one'))).policy;
    const second = (await kind.put(ref, policy('codeartifact:ReadFromRepository', 'two'))).policy;
    expect(second.revision).not.toBe(first.revision);
    const third = (await kind.put(ref, policy('codeartifact:ReadFromRepository', 'three'), second.revision)).policy;
    expect(third.revision).not.toBe(second.revision);
    // The same document again is a new revision too.
    const fourth = (await kind.put(ref, third.document, third.revision)).policy;
    expect(fourth.revision).not.toBe(third.revision);
    expect((await kind.get(ref)).policy).toEqual(fourth);
  });

  it('Put with a stale policyRevision is a ConflictException and keeps the current policy', async () => {
    const { ref } = await kind.target();
    const first = (await kind.put(ref, policy('codeartifact:ReadFromRepository', 'one'))).policy;
    const second = (await kind.put(ref, policy('codeartifact:ReadFromRepository', 'two'), first.revision)).policy;
    await expectDeclaredError(kind.ops.put, kind.put(ref, policy('codeartifact:*', 'late'), first.revision), 'ConflictException');
    expect((await kind.get(ref)).policy).toEqual(second);
  });

  it('Put with a policyRevision where there is no policy is a ConflictException', async () => {
    const { ref } = await kind.target();
    await expectError(kind.put(ref, policy(), 'no-such-revision'), 'ConflictException');
    await expectError(kind.get(ref), 'ResourceNotFoundException');
  });

  it('Get when there is none is a ResourceNotFoundException', async () => {
    const { ref } = await kind.target();
    await expectDeclaredError(kind.ops.get, kind.get(ref), 'ResourceNotFoundException');
  });

  it('Delete returns the deleted policy; Get and Delete then find none', async () => {
    const { ref } = await kind.target();
    const put = (await kind.put(ref, policy())).policy;
    const deleted = await kind.delete(ref);
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    expect(deleted.policy).toEqual(put);
    await expectError(kind.get(ref), 'ResourceNotFoundException');
    await expectDeclaredError(kind.ops.delete, kind.delete(ref), 'ResourceNotFoundException');
    // A new policy can be put afterwards, without a revision.
    expect((await kind.put(ref, policy())).policy.revision).not.toBe(put.revision);
  });

  it('Delete with the current policyRevision deletes; with a stale one it is a ConflictException', async () => {
    const { ref } = await kind.target();
    const first = (await kind.put(ref, policy('codeartifact:ReadFromRepository', 'one'))).policy;
    const second = (await kind.put(ref, policy('codeartifact:ReadFromRepository', 'two'))).policy;
    await expectDeclaredError(kind.ops.delete, kind.delete(ref, first.revision), 'ConflictException');
    expect((await kind.get(ref)).policy).toEqual(second);
    expect((await kind.delete(ref, second.revision)).policy).toEqual(second);
    await expectError(kind.get(ref), 'ResourceNotFoundException');
  });

  it.each([
    ['malformed JSON', '{"Version": "2012-10-17", "Statement": ['],
    ['not JSON at all', 'allow everyone'],
    ['a JSON array', '[]'],
    ['a JSON string', '"policy"'],
    ['no Statement', '{"Version": "2012-10-17"}'],
    ['an empty Statement', '{"Version": "2012-10-17", "Statement": []}'],
    ['a Statement without Effect', '{"Statement": [{"Action": "codeartifact:*", "Resource": "*"}]}'],
    ['a Statement with another Effect', '{"Statement": [{"Effect": "Maybe", "Action": "codeartifact:*", "Resource": "*"}]}'],
    ['a Statement without Action', '{"Statement": [{"Effect": "Allow", "Resource": "*"}]}'],
  ])('%s is a ValidationException and stores nothing', async (_label, document) => {
    const { ref } = await kind.target();
    await expectDeclaredError(kind.ops.put, kind.put(ref, document), 'ValidationException');
    await expectError(kind.get(ref), 'ResourceNotFoundException');
  });

  it('a document over the model limit of 7168 characters is a field validation error; at the limit it is fine', async () => {
    const { ref } = await kind.target();
    const base = JSON.parse(policy());
    const sized = (n: number) => {
      const doc = { ...base, Statement: [{ ...base.Statement[0], Sid: '' }] };
      const overhead = JSON.stringify(doc).length;
      doc.Statement[0].Sid = 'x'.repeat(n - overhead);
      const s = JSON.stringify(doc);
      expect(s.length).toBe(n);
      return s;
    };
    await expectFieldValidation(kind.put(ref, sized(7169)));
    await expectError(kind.get(ref), 'ResourceNotFoundException');
    const ok = await kind.put(ref, sized(7168));
    expect(ok.policy.document.length).toBe(7168);
  });

  it('an empty document or an oversized revision is a field validation error', async () => {
    const { ref } = await kind.target();
    await expectError(kind.put(ref, ''), 'ValidationException');
    await expectFieldValidation(kind.put(ref, policy(), 'r'.repeat(101)));
    await expectFieldValidation(kind.delete(ref, 'r'.repeat(101)));
  });
});

describe('policies and their resources', () => {
  it('a domain policy and the policies of its repositories are independent', async () => {
    const a = await freshRepository();
    const b = await freshRepository();
    const d = (await ctx.ca.putDomainPermissionsPolicy({ domain, policyDocument: policy('codeartifact:*', 'domain') })).policy!;
    const ra = (await ctx.ca.putRepositoryPermissionsPolicy({ domain, repository: a, policyDocument: policy('codeartifact:ReadFromRepository', 'a') }))
      .policy!;
    expect(ra.resourceArn).toBe(repositoryArn(domain, a));
    await expectError(ctx.ca.getRepositoryPermissionsPolicy({ domain, repository: b }), 'ResourceNotFoundException');
    expect((await ctx.ca.getDomainPermissionsPolicy({ domain })).policy).toEqual(d);
    await ctx.ca.deleteRepositoryPermissionsPolicy({ domain, repository: a });
    expect((await ctx.ca.getDomainPermissionsPolicy({ domain })).policy).toEqual(d);
    await ctx.ca.deleteDomainPermissionsPolicy({ domain });
  });

  it('deleting the repository removes its policy: a repository created again under the name has none', async () => {
    const repository = await freshRepository();
    await ctx.ca.putRepositoryPermissionsPolicy({ domain, repository, policyDocument: policy() });
    await ctx.ca.deleteRepository({ domain, repository });
    await expectError(ctx.ca.getRepositoryPermissionsPolicy({ domain, repository }), 'ResourceNotFoundException');
    await ctx.ca.createRepository({ domain, repository });
    await expectError(ctx.ca.getRepositoryPermissionsPolicy({ domain, repository }), 'ResourceNotFoundException');
  });

  it('deleting the domain removes its policy: a domain created again under the name has none', async () => {
    const d = await freshDomain();
    await ctx.ca.putDomainPermissionsPolicy({ domain: d, policyDocument: policy() });
    await ctx.ca.deleteDomain({ domain: d });
    await ctx.ca.createDomain({ domain: d });
    await expectError(ctx.ca.getDomainPermissionsPolicy({ domain: d }), 'ResourceNotFoundException');
  });

  it('an unknown domain or repository is a ResourceNotFoundException for every operation', async () => {
    const nodom = uniq('nodom');
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['PutDomainPermissionsPolicy', () => ctx.ca.putDomainPermissionsPolicy({ domain: nodom, policyDocument: policy() })],
      ['GetDomainPermissionsPolicy', () => ctx.ca.getDomainPermissionsPolicy({ domain: nodom })],
      ['DeleteDomainPermissionsPolicy', () => ctx.ca.deleteDomainPermissionsPolicy({ domain: nodom })],
      ['PutRepositoryPermissionsPolicy', () => ctx.ca.putRepositoryPermissionsPolicy({ domain, repository: 'no-such-repo', policyDocument: policy() })],
      ['GetRepositoryPermissionsPolicy', () => ctx.ca.getRepositoryPermissionsPolicy({ domain, repository: 'no-such-repo' })],
      ['DeleteRepositoryPermissionsPolicy', () => ctx.ca.deleteRepositoryPermissionsPolicy({ domain, repository: 'no-such-repo' })],
      ['PutRepositoryPermissionsPolicy', () => ctx.ca.putRepositoryPermissionsPolicy({ domain: nodom, repository: 'r1', policyDocument: policy() })],
    ];
    for (const [op, call] of calls) await expectDeclaredError(op, call(), 'ResourceNotFoundException');
  });

  it('on the wire: PutDomainPermissionsPolicy takes everything in the JSON body; Delete of a repository policy is /policies', async () => {
    const d = await freshDomain();
    const put = await rawRequest(ctx.server, 'PUT', '/v1/domain/permissions/policy', {
      body: JSON.stringify({ domain: d, policyDocument: policy() }),
      headers: { 'content-type': 'application/json' },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json.policy.resourceArn).toBe(domainArn(d));
    const repository = await freshRepository();
    await ctx.ca.putRepositoryPermissionsPolicy({ domain, repository, policyDocument: policy() });
    const del = await rawRequest(ctx.server, 'DELETE', '/v1/repository/permissions/policies', { query: { domain, repository } });
    expect(del.status, del.text).toBe(200);
    expect(del.json.policy.resourceArn).toBe(repositoryArn(domain, repository));
  });
});
