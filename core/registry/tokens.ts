import type { GetAuthorizationTokenRequest, GetAuthorizationTokenResult } from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { newAuthorizationToken, sha256Hex } from '../ids.js';
import type { DomainRecord, Store, StoreReads } from '../../storage/ports.js';
import { getDomain } from './lookup.js';

/** 0 means "as long as the caller's session", which AWS caps at 12 hours; so do we. */
export const DEFAULT_TOKEN_SECONDS = 12 * 60 * 60;
const MIN_TOKEN_SECONDS = 15 * 60;

export async function getAuthorizationToken(
  store: Store,
  ctx: RequestContext,
  input: GetAuthorizationTokenRequest,
): Promise<GetAuthorizationTokenResult> {
  const requested = input.durationSeconds ?? 0;
  if (requested !== 0 && (requested < MIN_TOKEN_SECONDS || requested > DEFAULT_TOKEN_SECONDS))
    throw new ValidationError(
      `durationSeconds must be 0 or between ${MIN_TOKEN_SECONDS} and ${DEFAULT_TOKEN_SECONDS}, got ${requested}`,
    );
  const seconds = requested === 0 ? DEFAULT_TOKEN_SECONDS : requested;
  const token = newAuthorizationToken(ctx.now);
  const expiresAt = ctx.now.getTime() + seconds * 1000;
  await store.transaction(async (tx) => {
    const domain = await getDomain(tx, ctx, input);
    await tx.tokens.deleteExpired(ctx.now.getTime());
    await tx.tokens.add({ tokenSha256: sha256Hex(token), domainId: domain.id, createdAt: ctx.now.getTime(), expiresAt });
  });
  return { authorizationToken: token, expiration: new Date(expiresAt) };
}

export type TokenCheck =
  | { ok: true; domain: DomainRecord; expiresAt: number }
  | { ok: false; reason: 'unknown' | 'expired' };

/** What a package endpoint needs to know about a presented token. */
export async function checkAuthorizationToken(store: StoreReads, token: string, now: Date): Promise<TokenCheck> {
  const row = await store.tokens.find(sha256Hex(token));
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.expiresAt <= now.getTime()) return { ok: false, reason: 'expired' };
  const domain = await store.domains.findById(row.domainId);
  return domain ? { ok: true, domain, expiresAt: row.expiresAt } : { ok: false, reason: 'unknown' };
}
