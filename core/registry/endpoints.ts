import type { GetRepositoryEndpointRequest, GetRepositoryEndpointResult } from '@aws-sdk/client-codeartifact';
import { repositoryHost } from '../awsHosts.js';
import type { RequestContext } from '../context.js';
import { formatOf } from '../formats/index.js';
import type { Store } from '../../storage/ports.js';
import { getRepository, required } from './lookup.js';

/**
 * A repository's endpoint for one format, in the context's endpoint style:
 *   path: {PUBLIC_URL}/{format}/d/{domain}-{owner}/{repo}/, the path-style form AWS uses behind VPC endpoints
 *         without private DNS, reachable without wildcard DNS;
 *   aws:  https://{domain}-{owner}.d.codeartifact.{region}.amazonaws.com/{format}/{repo}/, exactly AWS's URL.
 * Both forms are served by the same routes.
 */
export function repositoryEndpointUrl(
  ctx: Pick<RequestContext, 'publicUrl' | 'endpointStyle' | 'region'>,
  format: string,
  domain: string,
  owner: string,
  repository: string,
): string {
  const repo = encodeURIComponent(repository);
  if (ctx.endpointStyle === 'aws') return `https://${repositoryHost(domain, owner, ctx.region)}/${format}/${repo}/`;
  return `${ctx.publicUrl}/${format}/d/${domain}-${owner}/${repo}/`;
}

/** Every format has an endpoint URL, even one whose endpoint is not served yet (it answers 501 naming it). */
export async function getRepositoryEndpoint(
  store: Store,
  ctx: RequestContext,
  input: GetRepositoryEndpointRequest,
): Promise<GetRepositoryEndpointResult> {
  const format = formatOf(required(input.format, 'format'));
  const { domain, repository } = await getRepository(store, ctx, input);
  return { repositoryEndpoint: repositoryEndpointUrl(ctx, format.name, domain.name, domain.owner, repository.name) };
}
