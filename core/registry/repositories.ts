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
import { DEFAULT_PAGE_SIZE, decodeToken, pageOf } from '../pagination.js';
import type { DomainRow } from '../../storage/domains.js';
import {
  deleteRepositoryRow,
  findRepository,
  insertRepository,
  listDownstreamNames,
  listRepositoryRows,
  listUpstreamNames,
  replaceUpstreams,
  updateRepositoryDescription,
  type RepositoryFilter,
} from '../../storage/repositories.js';
import { putTags, removeAllTags } from '../../storage/tags.js';
import { transaction, type Store } from '../../storage/store.js';
import { assetDigestsOfRepository } from '../../storage/assets.js';
import { removeUnreferencedBlobs } from './blobCleanup.js';
import { repositoryDescription, repositorySummary } from './describe.js';
import { getDomain, getRepository, required } from './lookup.js';
import { checkTagList } from './tags.js';

const MAX_UPSTREAMS = 10;

/** Resolves upstream names to ids, refusing duplicates, self-references, unknown names and cycles. */
function resolveUpstreams(store: Store, domain: DomainRow, repositoryName: string, upstreams: UpstreamRepository[]): number[] {
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
    const upstream = findRepository(store.db, domain.id, name);
    if (!upstream)
      throw new ResourceNotFoundError(`Upstream repository not found: ${name} in domain ${domain.name}`, 'repository', name);
    if (reaches(store, domain.id, name, repositoryName))
      throw new ValidationError(`Adding upstream ${name} to ${repositoryName} would create a cycle`);
    ids.push(upstream.id);
  }
  return ids;
}

/** Whether `target` is reachable from `from` by following upstream links. */
function reaches(store: Store, domainId: number, from: string, target: string): boolean {
  const stack = [from];
  const visited = new Set<string>();
  while (stack.length) {
    const name = stack.pop()!;
    if (name === target) return true;
    if (visited.has(name)) continue;
    visited.add(name);
    const row = findRepository(store.db, domainId, name);
    if (row) stack.push(...listUpstreamNames(store.db, row.id));
  }
  return false;
}

export function createRepository(
  store: Store,
  ctx: RequestContext,
  input: CreateRepositoryRequest,
): CreateRepositoryResult {
  const name = required(input.repository, 'repository');
  const tags = input.tags ?? [];
  checkTagList(tags);
  const id = transaction(store, () => {
    const domain = getDomain(store, ctx, input);
    if (findRepository(store.db, domain.id, name))
      throw new ConflictError(`Repository already exists: ${name} in domain ${domain.name}`, 'repository', name);
    const upstreamIds = resolveUpstreams(store, domain, name, input.upstreams ?? []);
    const id = insertRepository(store.db, {
      domainId: domain.id,
      name,
      description: input.description ?? null,
      administratorAccount: ctx.accountId,
      createdAt: ctx.now.getTime(),
    });
    replaceUpstreams(store.db, id, upstreamIds);
    putTags(store.db, { type: 'repository', id }, tags as { key: string; value: string }[]);
    return id;
  });
  const { repository } = getRepository(store, ctx, input);
  return { repository: repositoryDescription(store, ctx, { ...repository, id }) };
}

export function describeRepository(
  store: Store,
  ctx: RequestContext,
  input: DescribeRepositoryRequest,
): DescribeRepositoryResult {
  return { repository: repositoryDescription(store, ctx, getRepository(store, ctx, input).repository) };
}

/** Members left out keep their value; an empty `upstreams` list removes them all. */
export function updateRepository(
  store: Store,
  ctx: RequestContext,
  input: UpdateRepositoryRequest,
): UpdateRepositoryResult {
  transaction(store, () => {
    const { domain, repository } = getRepository(store, ctx, input);
    if (input.description !== undefined) updateRepositoryDescription(store.db, repository.id, input.description || null);
    if (input.upstreams !== undefined)
      replaceUpstreams(store.db, repository.id, resolveUpstreams(store, domain, repository.name, input.upstreams));
  });
  return { repository: repositoryDescription(store, ctx, getRepository(store, ctx, input).repository) };
}

export async function deleteRepository(
  store: Store,
  ctx: RequestContext,
  input: DeleteRepositoryRequest,
): Promise<DeleteRepositoryResult> {
  const { description, digests } = transaction(store, () => {
    const { repository } = getRepository(store, ctx, input);
    const downstream = listDownstreamNames(store.db, repository.id);
    if (downstream.length > 0)
      throw new ConflictError(
        `Repository ${repository.name} is an upstream of ${downstream.join(', ')}; remove it from their upstreams first`,
        'repository',
        repository.name,
      );
    const description = repositoryDescription(store, ctx, repository);
    const digests = assetDigestsOfRepository(store.db, repository.id);
    removeAllTags(store.db, { type: 'repository', id: repository.id });
    deleteRepositoryRow(store.db, repository.id);
    return { description, digests };
  });
  await removeUnreferencedBlobs(store, digests);
  return { repository: description };
}

function listRepositoryPage(
  store: Store,
  ctx: RequestContext,
  scope: string,
  filter: RepositoryFilter,
  page: { maxResults?: number; nextToken?: string },
) {
  const limit = page.maxResults ?? DEFAULT_PAGE_SIZE;
  const after = decodeToken<[string, number]>(store.secret, scope, page.nextToken);
  const rows = listRepositoryRows(store.db, filter, after, limit + 1);
  const result = pageOf(rows, limit, store.secret, scope, (r) => [r.name, r.id]);
  return { repositories: result.items.map((r) => repositorySummary(ctx, r)), nextToken: result.nextToken };
}

/** Every repository the caller administers, across its domains. */
export function listRepositories(
  store: Store,
  ctx: RequestContext,
  input: ListRepositoriesRequest,
): ListRepositoriesResult {
  const filter = { administratorAccount: ctx.accountId, prefix: input.repositoryPrefix };
  return listRepositoryPage(store, ctx, `ListRepositories:${JSON.stringify(filter)}`, filter, input);
}

export function listRepositoriesInDomain(
  store: Store,
  ctx: RequestContext,
  input: ListRepositoriesInDomainRequest,
): ListRepositoriesInDomainResult {
  const domain = getDomain(store, ctx, input);
  const filter = {
    domainId: domain.id,
    administratorAccount: input.administratorAccount,
    prefix: input.repositoryPrefix,
  };
  return listRepositoryPage(store, ctx, `ListRepositoriesInDomain:${JSON.stringify(filter)}`, filter, input);
}
