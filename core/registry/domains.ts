import type {
  CreateDomainRequest,
  CreateDomainResult,
  DeleteDomainRequest,
  DeleteDomainResult,
  DescribeDomainRequest,
  DescribeDomainResult,
  ListDomainsRequest,
  ListDomainsResult,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError, ValidationError } from '../errors.js';
import { DEFAULT_PAGE_SIZE, decodeToken, pageOf } from '../pagination.js';
import {
  deleteDomainRow,
  domainCounts,
  findDomain,
  findDomainById,
  insertDomain,
  listDomainRows,
} from '../../storage/domains.js';
import { putTags, removeAllTags } from '../../storage/tags.js';
import { transaction, type Store } from '../../storage/store.js';
import { domainDescription, domainSummary } from './describe.js';
import { getDomain, required } from './lookup.js';
import { checkTagList } from './tags.js';

export function createDomain(store: Store, ctx: RequestContext, input: CreateDomainRequest): CreateDomainResult {
  const name = required(input.domain, 'domain');
  const tags = input.tags ?? [];
  checkTagList(tags);
  if (input.encryptionKey !== undefined && !/^arn:aws[a-z-]*:kms:/.test(input.encryptionKey))
    throw new ValidationError(`Invalid encryption key ARN: ${input.encryptionKey}`, 'ENCRYPTION_KEY_ERROR');
  const id = transaction(store, () => {
    if (findDomain(store.db, ctx.accountId, name))
      throw new ConflictError(`Domain already exists: ${name}`, 'domain', name);
    const id = insertDomain(store.db, {
      owner: ctx.accountId,
      name,
      encryptionKey: input.encryptionKey ?? null,
      createdAt: ctx.now.getTime(),
    });
    putTags(store.db, { type: 'domain', id }, tags as { key: string; value: string }[]);
    return id;
  });
  return { domain: domainDescription(store, ctx, findDomainById(store.db, id)!) };
}

export function describeDomain(store: Store, ctx: RequestContext, input: DescribeDomainRequest): DescribeDomainResult {
  return { domain: domainDescription(store, ctx, getDomain(store, ctx, input)) };
}

export function listDomains(store: Store, ctx: RequestContext, input: ListDomainsRequest): ListDomainsResult {
  const limit = input.maxResults ?? DEFAULT_PAGE_SIZE;
  const scope = 'ListDomains';
  const after = decodeToken<[string, string]>(store.secret, scope, input.nextToken);
  const rows = listDomainRows(store.db, after, limit + 1);
  const page = pageOf(rows, limit, store.secret, scope, (d) => [d.name, d.owner]);
  return { domains: page.items.map((d) => domainSummary(ctx, d)), nextToken: page.nextToken };
}

/** A domain with repositories cannot be deleted (as in AWS); ConflictException is the declared fit. */
export function deleteDomain(store: Store, ctx: RequestContext, input: DeleteDomainRequest): DeleteDomainResult {
  return transaction(store, () => {
    let domain;
    try {
      domain = getDomain(store, ctx, input);
    } catch (err) {
      // DeleteDomain declares no ResourceNotFoundException; the service answers a missing domain as a
      // bad request naming it.
      if (err instanceof ResourceNotFoundError) throw new ValidationError(err.message, 'OTHER');
      throw err;
    }
    const { repositoryCount } = domainCounts(store.db, domain.id);
    if (repositoryCount > 0)
      throw new ConflictError(
        `Domain ${domain.name} still contains ${repositoryCount} repositories; delete them first`,
        'domain',
        domain.name,
      );
    const description = domainDescription(store, ctx, domain);
    removeAllTags(store.db, { type: 'domain', id: domain.id });
    deleteDomainRow(store.db, domain.id);
    return { domain: { ...description, status: 'Deleted' } };
  });
}
