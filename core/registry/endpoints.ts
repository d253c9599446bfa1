import type { GetRepositoryEndpointRequest, GetRepositoryEndpointResult } from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import type { Store } from '../../storage/store.js';
import { getRepository, required } from './lookup.js';

/**
 * The path-style form AWS uses behind VPC endpoints without private DNS:
 * {PUBLIC_URL}/{format}/d/{domain}-{owner}/{repo}/ — reachable without wildcard DNS. Both endpoint types
 * answer the same URL here.
 */
export function repositoryEndpointUrl(publicUrl: string, format: string, domain: string, owner: string, repository: string): string {
  return `${publicUrl}/${format}/d/${domain}-${owner}/${encodeURIComponent(repository)}/`;
}

export function getRepositoryEndpoint(
  store: Store,
  ctx: RequestContext,
  input: GetRepositoryEndpointRequest,
): GetRepositoryEndpointResult {
  const { domain, repository } = getRepository(store, ctx, input);
  const format = required(input.format, 'format');
  return { repositoryEndpoint: repositoryEndpointUrl(ctx.publicUrl, format, domain.name, domain.owner, repository.name) };
}

