import type {
  CreateRepositoryRequest,
  CreateRepositoryResult,
  DeleteRepositoryRequest,
  DeleteRepositoryResult,
  DescribeRepositoryRequest,
  DescribeRepositoryResult,
  ListRepositoriesInDomainRequest,
  ListRepositoriesInDomainResult,
  ListRepositoriesRequest,
  ListRepositoriesResult,
  UpdateRepositoryRequest,
  UpdateRepositoryResult,
  UpstreamRepository,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError, ServiceQuotaExceededError, ValidationError } from '../errors.js';
import { paginate } from '../pagination.js';
import {
  AlreadyExistsError,
  type DomainRecord,
  type RepositoryFilter,
  type Store,
  type StoreReads,
} from '../../storage/ports.js';
import { reclaimUnreferenced } from '../blobLifecycle.js';
import { repositoryDescription, repositorySummary } from './describe.js';
import { getDomain, getRepository, required } from './lookup.js';
import { checkTagList, tagsOf } from './tags.js';

const MAX_UPSTREAMS = 10;

/** Resolves upstream names to ids, refusing duplicates, self-references, unknown names and cycles. */
async function resolveUpstreams(
  store: StoreReads,
  domain: DomainRecord,
  repositoryName: string,
  upstreams: UpstreamRepository[],
): Promise<number[]> {
  if (upstreams.length > MAX_UPSTREAMS)
    throw new ServiceQuotaExceededError(
      `A repository can have at most ${MAX_UPSTREAMS} upstream repositories`,
      'repository',
      repositoryName,
    );
  const ids: number[] = [];
  const seen = new Set<string>();
  for (const u of upstreams) {
    const name = required(u.repositoryName, 'upstreams.repositoryName');
    if (name === repositoryName) throw new ValidationError(`A repository cannot be its own upstream: ${name}`);
    if (seen.has(name)) throw new ValidationError(`Upstream repository listed twice: ${name}`);
    seen.add(name);
    const upstream = await store.repositories.find(domain.id, name);
    if (!upstream)
      throw new ResourceNotFoundError(`Upstream repository not found: ${name} in domain ${domain.name}`, 'repository', name);
    if (await reaches(store, upstream.id, repositoryName))
      throw new ValidationError(`Adding upstream ${name} to ${repositoryName} would create a cycle`);
    ids.push(upstream.id);
  }
  return ids;
}

/** Whether the repository named `target` is reachable from `fromId` by following upstream links. */
async function reaches(store: StoreReads, fromId: number, target: string): Promise<boolean> {
  const stack = [fromId];
  const visited = new Set<number>();
  while (stack.length) {
    const id = stack.pop()!;
    if (visited.has(id)) continue;
    visited.add(id);
    for (const u of await store.repositories.upstreams(id)) {
      if (u.name === target) return true;
      stack.push(u.id);
    }
  }
  return false;
}

export async function createRepository(
  store: Store,
  ctx: RequestContext,
  input: CreateRepositoryRequest,
): Promise<CreateRepositoryResult> {
  const name = required(input.repository, 'repository');
  const tags = tagsOf(input.tags);
  checkTagList(tags);
  const exists = (domain: string) => new ConflictError(`Repository already exists: ${name} in domain ${domain}`, 'repository', name);
  const created = await store
    .transaction(async (tx) => {
      const domain = await getDomain(tx, ctx, input);
      if (await tx.repositories.find(domain.id, name)) throw exists(domain.name);
      const upstreamIds = await resolveUpstreams(tx, domain, name, input.upstreams ?? []);
      const repository = await tx.repositories.create({
        domainId: domain.id,
        name,
        description: input.description ?? null,
        administratorAccount: ctx.accountId,
        createdAt: ctx.now.getTime(),
      });
      await tx.repositories.setUpstreams(repository.id, upstreamIds);
      await tx.tags.put({ type: 'repository', id: repository.id }, tags);
      return repository;
    })
    .catch((err: unknown) => {
      throw err instanceof AlreadyExistsError ? exists(required(input.domain, 'domain')) : err;
    });
  return { repository: await repositoryDescription(store, ctx, created) };
}

export async function describeRepository(
  store: Store,
  ctx: RequestContext,
  input: DescribeRepositoryRequest,
): Promise<DescribeRepositoryResult> {
  return { repository: await repositoryDescription(store, ctx, (await getRepository(store, ctx, input)).repository) };
}

/** Members left out keep their value; an empty `upstreams` list removes them all. */
export async function updateRepository(
  store: Store,
  ctx: RequestContext,
  input: UpdateRepositoryRequest,
): Promise<UpdateRepositoryResult> {
  const repository = await store.transaction(async (tx) => {
    const { domain, repository } = await getRepository(tx, ctx, input);
    if (input.description !== undefined) await tx.repositories.setDescription(repository.id, input.description || null);
    if (input.upstreams !== undefined)
      await tx.repositories.setUpstreams(repository.id, await resolveUpstreams(tx, domain, repository.name, input.upstreams));
    return (await tx.repositories.findById(repository.id))!;
  });
  return { repository: await repositoryDescription(store, ctx, repository) };
}

export async function deleteRepository(
  store: Store,
  ctx: RequestContext,
  input: DeleteRepositoryRequest,
): Promise<DeleteRepositoryResult> {
  const { description, digests } = await store.transaction(async (tx) => {
    const { repository } = await getRepository(tx, ctx, input);
    const downstream = await tx.repositories.downstreamNames(repository.id);
    if (downstream.length > 0)
      throw new ConflictError(
        `Repository ${repository.name} is an upstream of ${downstream.join(', ')}; remove it from their upstreams first`,
        'repository',
        repository.name,
      );
    const description = await repositoryDescription(tx, ctx, repository);
    const digests = await tx.repositories.blobDigests(repository.id);
    await tx.tags.removeAll({ type: 'repository', id: repository.id });
    await tx.policies.delete({ type: 'repository', id: repository.id });
    await tx.repositories.delete(repository.id);
    return { description, digests };
  });
  await reclaimUnreferenced(store, digests);
  return { repository: description };
}

async function listRepositoryPage(
  store: Store,
  ctx: RequestContext,
  scope: string,
  filter: RepositoryFilter,
  query: { maxResults?: number; nextToken?: string },
) {
  const page = await paginate({
    secret: store.secret,
    scope,
    query,
    fetch: (after: [string, number] | undefined, limit) => store.repositories.list(filter, after, limit),
    cursorOf: (r) => [r.name, r.id] as [string, number],
  });
  return { repositories: page.items.map((r) => repositorySummary(ctx, r)), nextToken: page.nextToken };
}

/** Every repository the caller administers, across its domains. */
export function listRepositories(
  store: Store,
  ctx: RequestContext,
  input: ListRepositoriesRequest,
): Promise<ListRepositoriesResult> {
  const filter = { administratorAccount: ctx.accountId, prefix: input.repositoryPrefix };
  return listRepositoryPage(store, ctx, `ListRepositories:${JSON.stringify(filter)}`, filter, input);
}

export async function listRepositoriesInDomain(
  store: Store,
  ctx: RequestContext,
  input: ListRepositoriesInDomainRequest,
): Promise<ListRepositoriesInDomainResult> {
  const domain = await getDomain(store, ctx, input);
  const filter = { administratorAccount: input.administratorAccount, prefix: input.repositoryPrefix };
  // The scope names the domain, not its row id: ids are reused after a delete.
  const scope = `ListRepositoriesInDomain:${JSON.stringify({ domain: domain.name, owner: domain.owner, ...filter })}`;
  return listRepositoryPage(store, ctx, scope, { domainId: domain.id, ...filter }, input);
}
