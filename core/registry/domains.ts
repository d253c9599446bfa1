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
import { paginate } from '../pagination.js';
import { AlreadyExistsError, type Store } from '../../storage/ports.js';
import { domainDescription, domainSummary } from './describe.js';
import { getDomain, required } from './lookup.js';
import { checkTagList, tagsOf } from './tags.js';

export async function createDomain(store: Store, ctx: RequestContext, input: CreateDomainRequest): Promise<CreateDomainResult> {
  const name = required(input.domain, 'domain');
  const tags = tagsOf(input.tags);
  checkTagList(tags);
  if (input.encryptionKey !== undefined && !/^arn:aws[a-z-]*:kms:/.test(input.encryptionKey))
    throw new ValidationError(`Invalid encryption key ARN: ${input.encryptionKey}`, 'ENCRYPTION_KEY_ERROR');
  const exists = () => new ConflictError(`Domain already exists: ${name}`, 'domain', name);
  const domain = await store
    .transaction(async (tx) => {
      if (await tx.domains.find(ctx.accountId, name)) throw exists();
      const created = await tx.domains.create({
        owner: ctx.accountId,
        name,
        encryptionKey: input.encryptionKey ?? null,
        createdAt: ctx.now.getTime(),
      });
      await tx.tags.put({ type: 'domain', id: created.id }, tags);
      return created;
    })
    .catch((err: unknown) => {
      throw err instanceof AlreadyExistsError ? exists() : err;
    });
  return { domain: await domainDescription(store, ctx, domain) };
}

export async function describeDomain(store: Store, ctx: RequestContext, input: DescribeDomainRequest): Promise<DescribeDomainResult> {
  return { domain: await domainDescription(store, ctx, await getDomain(store, ctx, input)) };
}

export async function listDomains(store: Store, ctx: RequestContext, input: ListDomainsRequest): Promise<ListDomainsResult> {
  const page = await paginate({
    secret: store.secret,
    scope: 'ListDomains',
    query: input,
    fetch: (after: [string, string] | undefined, limit) => store.domains.list(after, limit),
    cursorOf: (d) => [d.name, d.owner] as [string, string],
  });
  return { domains: page.items.map((d) => domainSummary(ctx, d)), nextToken: page.nextToken };
}

/** A domain with repositories cannot be deleted (as in AWS); ConflictException is the declared fit. */
export async function deleteDomain(store: Store, ctx: RequestContext, input: DeleteDomainRequest): Promise<DeleteDomainResult> {
  return store.transaction(async (tx) => {
    const domain = await getDomain(tx, ctx, input).catch((err: unknown) => {
      // DeleteDomain declares no ResourceNotFoundException; the service answers a missing domain as a
      // bad request naming it.
      throw err instanceof ResourceNotFoundError ? new ValidationError(err.message, 'OTHER') : err;
    });
    const description = await domainDescription(tx, ctx, domain);
    if (description.repositoryCount! > 0)
      throw new ConflictError(
        `Domain ${domain.name} still contains ${description.repositoryCount} repositories; delete them first`,
        'domain',
        domain.name,
      );
    await tx.tags.removeAll({ type: 'domain', id: domain.id });
    await tx.policies.delete({ type: 'domain', id: domain.id });
    for (const group of await tx.packageGroups.list(domain.id)) await tx.tags.removeAll({ type: 'package-group', id: group.id });
    await tx.domains.delete(domain.id);
    return { domain: { ...description, status: 'Deleted' } };
  });
}
