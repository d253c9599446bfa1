// Pagination tokens: opaque to clients, tamper-evident, and bound to the query that produced them.
// A token is base64url(JSON {s: scope, c: cursor}) + "." + base64url(HMAC-SHA256 truncated to 16 bytes),
// keyed by a secret kept in the database so tokens survive a restart. A forged, altered or reused-elsewhere
// token is a ValidationException, never a crash.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 100;

export interface PageQuery {
  maxResults?: number;
  nextToken?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, 16).toString('base64url');
}

/** `scope` names the operation and the filters; a token only works with the same scope. */
export function encodeToken(secret: string, scope: string, cursor: unknown): string {
  const payload = Buffer.from(JSON.stringify({ s: scope, c: cursor })).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export function decodeToken<C>(secret: string, scope: string, token: string | undefined): C | undefined {
  if (token === undefined) return undefined;
  const invalid = () => new ValidationError('Invalid pagination token', 'FIELD_VALIDATION_FAILED');
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) throw invalid();
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  let parsed: { s?: unknown; c?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (parsed.s !== scope) throw new ValidationError('Pagination token does not belong to this request');
  return parsed.c as C;
}

/**
 * Cuts one page out of rows fetched with `limit + 1` (the extra row tells whether more exist).
 * `cursorOf` gives the cursor the next page starts after.
 */
export function pageOf<T, C>(
  rows: T[],
  limit: number,
  secret: string,
  scope: string,
  cursorOf: (row: T) => C,
): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeToken(secret, scope, cursorOf(items[items.length - 1]!)) };
}

/** Pages an in-memory, already-ordered list by position-independent keys. */
export function pageInMemory<T>(
  all: T[],
  query: PageQuery,
  secret: string,
  scope: string,
  keyOf: (row: T) => string,
): Page<T> {
  const limit = query.maxResults ?? DEFAULT_PAGE_SIZE;
  const after = decodeToken<string>(secret, scope, query.nextToken);
  let start = 0;
  if (after !== undefined) {
    const index = all.findIndex((row) => keyOf(row) === after);
    // The row the token points at may have been deleted since; then restart from where it would be.
    start = index >= 0 ? index + 1 : 0;
  }
  return pageOf(all.slice(start, start + limit + 1), limit, secret, scope, keyOf);
}
