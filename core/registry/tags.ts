import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResult,
  Tag,
  TagResourceRequest,
  TagResourceResult,
  UntagResourceRequest,
  UntagResourceResult,
} from '@aws-sdk/client-codeartifact';
import { parseTaggableArn } from '../arn.js';
import type { RequestContext } from '../context.js';
import { ResourceNotFoundError, ServiceQuotaExceededError, ValidationError } from '../errors.js';
import { findDomain } from '../../storage/domains.js';
import { findRepository } from '../../storage/repositories.js';
import { countTags, listTags, putTags, removeTags, type TaggedResource } from '../../storage/tags.js';
import { transaction, type Store } from '../../storage/store.js';
import { required } from './lookup.js';

const MAX_TAGS = 50;

/** Keys must be unique within one request; `aws:` is reserved for AWS. */
export function checkTagList(tags: Tag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const key = required(t.key, 'tags.key');
    if (key.toLowerCase().startsWith('aws:')) throw new ValidationError(`Tag keys may not start with 'aws:': ${key}`);
    if (seen.has(key)) throw new ValidationError(`Duplicate tag key: ${key}`);
    seen.add(key);
  }
}

function resolve(store: Store, arn: string): TaggedResource & { arn: string } {
  const parsed = parseTaggableArn(arn);
  const notFound = () => new ResourceNotFoundError(`Resource not found: ${arn}`);
  const domain = findDomain(store.db, parsed.owner, parsed.domain);
  if (!domain) throw notFound();
  if (parsed.type === 'domain') return { type: 'domain', id: domain.id, arn };
  const repository = findRepository(store.db, domain.id, parsed.repository);
  if (!repository) throw notFound();
  return { type: 'repository', id: repository.id, arn };
}

export function tagResource(store: Store, _ctx: RequestContext, input: TagResourceRequest): TagResourceResult {
  const tags = required(input.tags, 'tags');
  checkTagList(tags);
  transaction(store, () => {
    const resource = resolve(store, required(input.resourceArn, 'resourceArn'));
    putTags(store.db, resource, tags as { key: string; value: string }[]);
    if (countTags(store.db, resource) > MAX_TAGS)
      throw new ServiceQuotaExceededError(`A resource can have at most ${MAX_TAGS} tags`);
  });
  return {};
}

export function untagResource(store: Store, _ctx: RequestContext, input: UntagResourceRequest): UntagResourceResult {
  const keys = required(input.tagKeys, 'tagKeys');
  transaction(store, () => removeTags(store.db, resolve(store, required(input.resourceArn, 'resourceArn')), keys));
  return {};
}

export function listTagsForResource(
  store: Store,
  _ctx: RequestContext,
  input: ListTagsForResourceRequest,
): ListTagsForResourceResult {
  return { tags: listTags(store.db, resolve(store, required(input.resourceArn, 'resourceArn'))) };
}
