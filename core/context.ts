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
}
