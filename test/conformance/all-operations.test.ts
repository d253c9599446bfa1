// No operation answers 501 NotImplemented any more: every operation of the table (server/controlPlane/
// operations.ts) is one of the SDK's commands and has a handler, and a call of each through
// @aws-sdk/client-codeartifact, with its required members set to real resources, either succeeds or fails
// with an error the operation declares — never 501. Each call gets a domain of its own, so that the
// destructive ones (DeleteRepository, DeletePackage...) cannot change what another one sees.
import * as Sdk from '@aws-sdk/client-codeartifact';
import { describe, expect, it } from 'vitest';
import { handlerFor } from '../../server/controlPlane/handlers.js';
import { operations } from '../../server/controlPlane/operations.js';
import { ACCOUNT, REGION, declaredErrors, publish, sha256, uniq, useConformanceServer, type SdkError } from './helpers.js';

const ctx = useConformanceServer();

const sdkOperations = Object.keys(Sdk)
  .filter((k) => /^[A-Z]\w+Command$/.test(k) && typeof (Sdk as Record<string, unknown>)[k] === 'function')
  .map((k) => k.slice(0, -'Command'.length))
  .sort();

const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'codeartifact:*', Resource: '*' }],
});

const asset = Buffer.from('all operations asset\n');

/** A value for each member an operation may require, in a domain set up by `prepare`. */
function requiredValue(op: string, member: string, domain: string): unknown {
  switch (member) {
    case 'domain':
      return domain;
    case 'repository':
    case 'sourceRepository':
      return 'main';
    case 'destinationRepository':
      return 'dest';
    case 'externalConnection':
      return 'public:pypi';
    case 'format':
      return 'generic';
    case 'package':
      return 'pkg';
    case 'packageVersion':
      return op === 'PublishPackageVersion' ? '2.0' : '1.0';
    case 'versions':
      return ['1.0'];
    case 'asset':
      return 'a.txt';
    case 'assetName':
      return 'b.txt';
    case 'assetContent':
      return asset;
    case 'assetSHA256':
      return sha256(asset);
    case 'packageGroup':
      return op === 'CreatePackageGroup' ? '/generic/other/*' : '/generic/ns/*';
    case 'originRestrictionType':
      return 'PUBLISH';
    case 'policyDocument':
      return policy;
    case 'restrictions':
      return { publish: 'ALLOW', upstream: 'BLOCK' };
    case 'resourceArn':
      return `arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/${domain}/main`;
    case 'tags':
      return [{ key: 'k', value: 'v' }];
    case 'tagKeys':
      return ['k'];
    case 'targetStatus':
      return 'Unlisted';
    default:
      throw new Error(`no value for the required member ${member} of ${op}`);
  }
}

/** A domain with repositories main and dest, a generic version ns/pkg 1.0 in main, a group /generic/ns/*. */
async function prepare(): Promise<string> {
  const domain = uniq('allop');
  await ctx.ca.createDomain({ domain });
  await ctx.ca.createRepository({ domain, repository: 'main' });
  await ctx.ca.createRepository({ domain, repository: 'dest' });
  await publish(ctx.ca, { domain, repository: 'main', namespace: 'ns', package: 'pkg' }, '1.0', 'a.txt', 'one');
  await ctx.ca.createPackageGroup({ domain, packageGroup: '/generic/ns/*' });
  return domain;
}

/** The domain-less operations take the call's domain where they have one; CreateDomain a new name. */
function inputFor(op: string, domain: string): Record<string, unknown> {
  const spec = operations.find((o) => o.name === op)!;
  const input: Record<string, unknown> = {};
  for (const [member, binding] of Object.entries(spec.input))
    if (binding.required) input[member] = requiredValue(op, member, domain);
  // Generic packages need their namespace wherever a package is named.
  if ('namespace' in spec.input) input.namespace = 'ns';
  // CopyPackageVersions takes versions or versionRevisions; neither is required by the model alone.
  if ('versions' in spec.input) input.versions = ['1.0'];
  if (op === 'CreateDomain') input.domain = uniq('allopnew');
  if (op === 'CreateRepository') input.repository = 'created';
  return input;
}

describe('every operation is implemented', () => {
  it('the operation table is exactly the SDK’s 48 commands', () => {
    expect(operations.map((o) => o.name).sort()).toEqual(sdkOperations);
    expect(sdkOperations).toHaveLength(48);
  });

  it.each(operations.map((o) => o.name))('%s has a handler', (name) => {
    expect(typeof handlerFor(name)).toBe('function');
  });

  it.each(operations.map((o) => o.name))('%s through the SDK never answers 501: success or a declared error', async (name) => {
    const domain = await prepare();
    const Command = (Sdk as unknown as Record<string, new (input: unknown) => Parameters<Sdk.CodeartifactClient['send']>[0]>)[
      `${name}Command`
    ]!;
    let outcome: string;
    try {
      const out = (await ctx.ca.send(new Command(inputFor(name, domain)))) as {
        $metadata: { httpStatusCode?: number };
        asset?: { transformToByteArray(): Promise<Uint8Array> };
      };
      if (name === 'GetPackageVersionAsset') expect(Buffer.from(await out.asset!.transformToByteArray()).toString()).toBe('one');
      expect(out.$metadata.httpStatusCode).toBe(200);
      outcome = 'ok';
    } catch (e) {
      const err = e as SdkError;
      expect(err.$metadata?.httpStatusCode, `${name}: ${err.name}: ${err.message}`).not.toBe(501);
      expect(err.name).not.toBe('NotImplemented');
      expect(declaredErrors(name), `${name} failed with ${err.name}: ${err.message}`).toContain(err.name);
      outcome = err.name;
    }
    // With real resources, only these answer an error: nothing to find, or a rule that holds.
    const expectedErrors: Record<string, string> = {
      DeleteDomain: 'ConflictException', // the domain still has repositories
      GetDomainPermissionsPolicy: 'ResourceNotFoundException',
      DeleteDomainPermissionsPolicy: 'ResourceNotFoundException',
      GetRepositoryPermissionsPolicy: 'ResourceNotFoundException',
      DeleteRepositoryPermissionsPolicy: 'ResourceNotFoundException',
      DisassociateExternalConnection: 'ResourceNotFoundException',
    };
    expect(outcome, name).toBe(expectedErrors[name] ?? 'ok');
  });
});
