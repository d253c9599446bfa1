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
import type { Store, StoreReads, TagRecord, TaggedResource } from '../../storage/ports.js';
import { required } from './lookup.js';

const MAX_TAGS = 50;

/** The model's tags (members optional in the SDK types, required by the model) as records. */
export function tagsOf(tags: Tag[] | undefined): TagRecord[] {
  return (tags ?? []).map((t) => ({ key: required(t.key, 'tags.key'), value: required(t.value, 'tags.value') }));
}

/** Keys must be unique within one request; `aws:` is reserved for AWS. */
export function checkTagList(tags: TagRecord[]): void {
  const seen = new Set<string>();
  for (const { key } of tags) {
    if (key.toLowerCase().startsWith('aws:')) throw new ValidationError(`Tag keys may not start with 'aws:': ${key}`);
    if (seen.has(key)) throw new ValidationError(`Duplicate tag key: ${key}`);
    seen.add(key);
  }
}

/** The resource an ARN names; an unknown one is ResourceNotFound naming it (resourceId = the ARN). */
async function resolve(store: StoreReads, arn: string): Promise<TaggedResource> {
  const parsed = parseTaggableArn(arn);
  // The model's ResourceType has no package-group: that one names only its ARN.
  const notFound = () =>
    new ResourceNotFoundError(`Resource not found: ${arn}`, parsed.type === 'package-group' ? undefined : parsed.type, arn);
  const domain = await store.domains.find(parsed.owner, parsed.domain);
  if (!domain) throw notFound();
  if (parsed.type === 'domain') return { type: 'domain', id: domain.id };
  if (parsed.type === 'package-group') {
    const group = await store.packageGroups.find(domain.id, parsed.pattern);
    if (!group) throw notFound();
    return { type: 'package-group', id: group.id };
  }
  const repository = await store.repositories.find(domain.id, parsed.repository);
  if (!repository) throw notFound();
  return { type: 'repository', id: repository.id };
}

export async function tagResource(store: Store, _ctx: RequestContext, input: TagResourceRequest): Promise<TagResourceResult> {
  const tags = tagsOf(required(input.tags, 'tags'));
  checkTagList(tags);
  await store.transaction(async (tx) => {
    const resource = await resolve(tx, required(input.resourceArn, 'resourceArn'));
    await tx.tags.put(resource, tags);
    if ((await tx.tags.count(resource)) > MAX_TAGS)
      throw new ServiceQuotaExceededError(`A resource can have at most ${MAX_TAGS} tags`);
  });
  return {};
}

export async function untagResource(store: Store, _ctx: RequestContext, input: UntagResourceRequest): Promise<UntagResourceResult> {
  const keys = required(input.tagKeys, 'tagKeys');
  await store.transaction(async (tx) => tx.tags.remove(await resolve(tx, required(input.resourceArn, 'resourceArn')), keys));
  return {};
}

export async function listTagsForResource(
  store: Store,
  _ctx: RequestContext,
  input: ListTagsForResourceRequest,
): Promise<ListTagsForResourceResult> {
  return { tags: await store.tags.list(await resolve(store, required(input.resourceArn, 'resourceArn'))) };
}
