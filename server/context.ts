// The per-request context handed to core: who, where, when, which request.
import type { Request, Response } from 'express';
import type { RequestContext } from '../core/context.js';
import { newRequestId } from '../core/ids.js';
import type { ServerConfig } from './config.js';

export type { ServerConfig };

/** `Credential=AKID/20261123/us-west-2/codeartifact/aws4_request` -> us-west-2. Signatures are not checked. */
export function regionFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/,\s]+\/aws4_request/.exec(header);
  return m?.[1];
}

export function requestContext(req: Request, res: Response, config: ServerConfig): RequestContext {
  const requestId = (res.getHeader('x-amzn-RequestId') as string | undefined) ?? newRequestId();
  return {
    accountId: config.accountId,
    region: regionFromAuthorization(req.get('authorization')) ?? config.region,
    requestId,
    now: new Date(),
    publicUrl: config.publicUrl,
    endpointStyle: config.endpointStyle,
  };
}
