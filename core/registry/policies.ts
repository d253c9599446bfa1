// Permission policies of domains and repositories: stored and returned with a revision that guards against
// lost updates (a Put or Delete naming an older revision is a ConflictException). Not enforced: every
// caller is the account owner here.
import type {
  DeleteDomainPermissionsPolicyRequest,
  DeleteDomainPermissionsPolicyResult,
  DeleteRepositoryPermissionsPolicyRequest,
  DeleteRepositoryPermissionsPolicyResult,
  GetDomainPermissionsPolicyRequest,
  GetDomainPermissionsPolicyResult,
  GetRepositoryPermissionsPolicyRequest,
  GetRepositoryPermissionsPolicyResult,
  PutDomainPermissionsPolicyRequest,
  PutDomainPermissionsPolicyResult,
  PutRepositoryPermissionsPolicyRequest,
  PutRepositoryPermissionsPolicyResult,
  ResourcePolicy,
} from '@aws-sdk/client-codeartifact';
import { domainArn, repositoryArn } from '../arn.js';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError, ValidationError } from '../errors.js';
import { newRevision } from '../ids.js';
import type { PolicyRecord, PolicyResource, Store, StoreReads } from '../../storage/ports.js';
import { getDomain, getRepository, required } from './lookup.js';

interface Target {
  resource: PolicyResource;
  arn: string;
  /** For messages and modeled error members. */
  kind: 'domain' | 'repository';
  name: string;
}

async function domainTarget(store: StoreReads, ctx: RequestContext, input: { domain?: string; domainOwner?: string }): Promise<Target> {
  const d = await getDomain(store, ctx, input);
  return { resource: { type: 'domain', id: d.id }, arn: domainArn(ctx.region, d.owner, d.name), kind: 'domain', name: d.name };
}

async function repositoryTarget(
  store: StoreReads,
  ctx: RequestContext,
  input: { domain?: string; domainOwner?: string; repository?: string },
): Promise<Target> {
  const { domain, repository } = await getRepository(store, ctx, input);
  return {
    resource: { type: 'repository', id: repository.id },
    arn: repositoryArn(ctx.region, domain.owner, domain.name, repository.name),
    kind: 'repository',
    name: repository.name,
  };
}

const output = (target: Target, p: PolicyRecord): ResourcePolicy => ({ resourceArn: target.arn, revision: p.revision, document: p.document });

/** A policy document must be a JSON object with statements that say Allow or Deny to some actions. */
export function checkPolicyDocument(document: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch (err) {
    throw new ValidationError(`policyDocument is not valid JSON: ${(err as Error).message}`, 'CANNOT_PARSE');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ValidationError('policyDocument must be a JSON object with a Statement');
  const statement = (parsed as { Statement?: unknown }).Statement;
  const statements = Array.isArray(statement) ? statement : statement !== undefined ? [statement] : [];
  if (statements.length === 0) throw new ValidationError('policyDocument has no Statement');
  for (const [i, s] of statements.entries()) {
    const st = s as { Effect?: unknown; Action?: unknown; NotAction?: unknown };
    if (typeof s !== 'object' || s === null) throw new ValidationError(`policyDocument Statement ${i} is not an object`);
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny')
      throw new ValidationError(`policyDocument Statement ${i}: Effect must be Allow or Deny`);
    if (st.Action === undefined && st.NotAction === undefined)
      throw new ValidationError(`policyDocument Statement ${i} names no Action`);
  }
}

async function put(store: Store, target: (s: StoreReads) => Promise<Target>, document: string, expected: string | undefined) {
  checkPolicyDocument(document);
  return store.transaction(async (tx) => {
    const t = await target(tx);
    const current = await tx.policies.get(t.resource);
    if (expected !== undefined && current?.revision !== expected)
      throw new ConflictError(
        current
          ? `The policy revision ${expected} does not match the current revision ${current.revision} of ${t.kind} ${t.name}`
          : `${t.kind} ${t.name} has no policy to replace at revision ${expected}`,
        t.kind,
        t.name,
      );
    const policy = { document, revision: newRevision() };
    await tx.policies.put(t.resource, policy);
    return output(t, policy);
  });
}

async function get(store: StoreReads, t: Target): Promise<ResourcePolicy> {
  const policy = await store.policies.get(t.resource);
  if (!policy) throw new ResourceNotFoundError(`No permissions policy is set on ${t.kind} ${t.name}`, t.kind, t.name);
  return output(t, policy);
}

async function remove(store: Store, target: (s: StoreReads) => Promise<Target>, expected: string | undefined) {
  return store.transaction(async (tx) => {
    const t = await target(tx);
    const current = await get(tx, t);
    if (expected !== undefined && current.revision !== expected)
      throw new ConflictError(
        `The policy revision ${expected} does not match the current revision ${current.revision} of ${t.kind} ${t.name}`,
        t.kind,
        t.name,
      );
    await tx.policies.delete(t.resource);
    return current;
  });
}

export async function putDomainPermissionsPolicy(
  store: Store,
  ctx: RequestContext,
  input: PutDomainPermissionsPolicyRequest,
): Promise<PutDomainPermissionsPolicyResult> {
  return { policy: await put(store, (s) => domainTarget(s, ctx, input), required(input.policyDocument, 'policyDocument'), input.policyRevision) };
}

export async function getDomainPermissionsPolicy(
  store: Store,
  ctx: RequestContext,
  input: GetDomainPermissionsPolicyRequest,
): Promise<GetDomainPermissionsPolicyResult> {
  return { policy: await get(store, await domainTarget(store, ctx, input)) };
}

export async function deleteDomainPermissionsPolicy(
  store: Store,
  ctx: RequestContext,
  input: DeleteDomainPermissionsPolicyRequest,
): Promise<DeleteDomainPermissionsPolicyResult> {
  return { policy: await remove(store, (s) => domainTarget(s, ctx, input), input.policyRevision) };
}

export async function putRepositoryPermissionsPolicy(
  store: Store,
  ctx: RequestContext,
  input: PutRepositoryPermissionsPolicyRequest,
): Promise<PutRepositoryPermissionsPolicyResult> {
  return {
    policy: await put(store, (s) => repositoryTarget(s, ctx, input), required(input.policyDocument, 'policyDocument'), input.policyRevision),
  };
}

export async function getRepositoryPermissionsPolicy(
  store: Store,
  ctx: RequestContext,
  input: GetRepositoryPermissionsPolicyRequest,
): Promise<GetRepositoryPermissionsPolicyResult> {
  return { policy: await get(store, await repositoryTarget(store, ctx, input)) };
}

export async function deleteRepositoryPermissionsPolicy(
  store: Store,
  ctx: RequestContext,
  input: DeleteRepositoryPermissionsPolicyRequest,
): Promise<DeleteRepositoryPermissionsPolicyResult> {
  return { policy: await remove(store, (s) => repositoryTarget(s, ctx, input), input.policyRevision) };
}
