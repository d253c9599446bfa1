// ARNs as CodeArtifact writes them. Region comes from the request context; the account is the owner.
import { ValidationError } from './errors.js';

const PREFIX = 'arn:aws:codeartifact';

export const domainArn = (region: string, owner: string, domain: string) =>
  `${PREFIX}:${region}:${owner}:domain/${domain}`;

export const repositoryArn = (region: string, owner: string, domain: string, repository: string) =>
  `${PREFIX}:${region}:${owner}:repository/${domain}/${repository}`;

export const packageArn = (
  region: string,
  owner: string,
  domain: string,
  repository: string,
  format: string,
  namespace: string | undefined,
  name: string,
) => `${PREFIX}:${region}:${owner}:package/${domain}/${repository}/${format}/${namespace ?? ''}/${name}`;

/** The pattern is URL-encoded after the domain, as AWS writes these ARNs. */
export const packageGroupArn = (region: string, owner: string, domain: string, pattern: string) =>
  `${PREFIX}:${region}:${owner}:package-group/${domain}/${encodeURIComponent(pattern)}`;

export type ParsedArn =
  | { type: 'domain'; region: string; owner: string; domain: string }
  | { type: 'repository'; region: string; owner: string; domain: string; repository: string }
  | { type: 'package-group'; region: string; owner: string; domain: string; pattern: string };

/** The resources that can carry tags. Any other ARN is a ValidationException. */
export function parseTaggableArn(arn: string): ParsedArn {
  const m = /^arn:aws[a-z-]*:codeartifact:([a-z0-9-]+):([0-9]{12}):(domain|repository|package-group)\/(.+)$/.exec(arn);
  if (!m) throw new ValidationError(`Invalid ARN for a taggable CodeArtifact resource: ${arn}`);
  const [, region, owner, type, rest] = m as unknown as [string, string, string, string, string];
  const parts = rest.split('/');
  if (type === 'domain' && parts.length === 1) return { type, region, owner, domain: parts[0]! };
  if (type === 'repository' && parts.length === 2)
    return { type, region, owner, domain: parts[0]!, repository: parts[1]! };
  if (type === 'package-group' && parts.length === 2) {
    try {
      return { type, region, owner, domain: parts[0]!, pattern: decodeURIComponent(parts[1]!) };
    } catch {
      // falls through to the error below
    }
  }
  throw new ValidationError(`Invalid ARN for a taggable CodeArtifact resource: ${arn}`);
}
