// AWS CodeArtifact's own host names, in both directions: the ones GetRepositoryEndpoint hands out in the
// `aws` endpoint style, and recognising them in a CONNECT target, a TLS server name or a Host header.
//   control plane:  codeartifact.{region}.amazonaws.com
//   repositories:   {domain}-{owner}.d.codeartifact.{region}.amazonaws.com

/** A region as AWS spells them: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The DNS suffix every CodeArtifact host ends in; the local CA is name-constrained to it. */
export const AWS_DNS_SUFFIX = 'amazonaws.com';

export type AwsHost =
  | { kind: 'control-plane'; region: string }
  | { kind: 'repository'; region: string; domain: string; owner: string };

const CONTROL_PLANE = /^codeartifact\.([a-z0-9-]+)\.amazonaws\.com$/;
// Domain names are 2-50 characters, lower case, starting with a letter (the model's pattern); the owner is
// an account id, 12 digits.
const REPOSITORY = /^([a-z][a-z0-9-]{0,48}[a-z0-9])-(\d{12})\.d\.codeartifact\.([a-z0-9-]+)\.amazonaws\.com$/;

/** Which CodeArtifact endpoint a host name (no port; any case; a trailing dot allowed) is, if any. */
export function parseAwsHost(hostname: string): AwsHost | undefined {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  const control = CONTROL_PLANE.exec(name);
  if (control) return REGION_PATTERN.test(control[1]!) ? { kind: 'control-plane', region: control[1]! } : undefined;
  const repo = REPOSITORY.exec(name);
  if (repo && REGION_PATTERN.test(repo[3]!)) return { kind: 'repository', domain: repo[1]!, owner: repo[2]!, region: repo[3]! };
  return undefined;
}

export const controlPlaneHost = (region: string): string => `codeartifact.${region}.${AWS_DNS_SUFFIX}`;

export const repositoryHost = (domain: string, owner: string, region: string): string =>
  `${domain}-${owner}.d.codeartifact.${region}.${AWS_DNS_SUFFIX}`;

/** The names one region's certificate must cover: the control plane and every repository host. */
export const regionHostNames = (region: string): string[] => [
  controlPlaneHost(region),
  `*.d.codeartifact.${region}.${AWS_DNS_SUFFIX}`,
];
