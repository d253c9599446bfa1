// Random identifiers the service hands out.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const newRequestId = (): string => randomUUID();

/** Package version revisions look like AWS's: base64 of 32 random bytes. */
export const newRevision = (): string => randomBytes(32).toString('base64');

/**
 * Authorization tokens: URL-safe (they travel in pip's index URL as the password), long and random.
 * The readable head mirrors the shape of real tokens (base64 JSON) and says who issued it when.
 */
export function newAuthorizationToken(now: Date): string {
  const head = Buffer.from(JSON.stringify({ ver: 1, isu: Math.floor(now.getTime() / 1000) })).toString('base64url');
  return `${head}.${randomBytes(48).toString('base64url')}`;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
