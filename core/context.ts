// Everything a core operation may know about the request it serves. Built once per request by the
// server; core never reads the environment, the clock or headers itself.
export interface RequestContext {
  /** The caller's account: the default domain owner and the owner of what it creates. */
  readonly accountId: string;
  /** Region for ARNs: the SigV4 credential scope of the request when present, else the configured one. */
  readonly region: string;
  readonly requestId: string;
  readonly now: Date;
  /** Base of every URL handed out, without a trailing slash. */
  readonly publicUrl: string;
  /** The form of repository endpoint URLs handed out (GetRepositoryEndpoint). */
  readonly endpointStyle: EndpointStyle;
}

/**
 * `path`: {publicUrl}/{format}/d/{domain}-{owner}/{repo}/, reachable with no DNS or TLS set-up.
 * `aws`: https://{domain}-{owner}.d.codeartifact.{region}.amazonaws.com/{format}/{repo}/, AWS's own URL, reached
 * through this server's CONNECT proxy (or a hosts entry and the HTTPS port).
 */
export type EndpointStyle = 'path' | 'aws';
export const ENDPOINT_STYLES: readonly EndpointStyle[] = ['path', 'aws'];
