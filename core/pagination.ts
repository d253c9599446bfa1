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

export interface PageRequest<T, C> {
  secret: string;
  /** The operation and its filters: a token only works with the same scope. */
  scope: string;
  query: PageQuery;
  /** Up to `limit` items that come after `after` in the listing's order (from the start when undefined). */
  fetch(after: C | undefined, limit: number): Promise<T[]>;
  /** The position of an item in that order: the next page starts after the last item's. */
  cursorOf(item: T): C;
}

/**
 * One page of any listing, keyset-paged: a token names the position of the last item it returned, not an
 * offset, so the next page continues after it whatever was added or deleted in between.
 */
export async function paginate<T, C>(request: PageRequest<T, C>): Promise<Page<T>> {
  const limit = request.query.maxResults ?? DEFAULT_PAGE_SIZE;
  const after = decodeToken<C>(request.secret, request.scope, request.query.nextToken);
  // One more than asked tells whether another page exists.
  const rows = await request.fetch(after, limit + 1);
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeToken(request.secret, request.scope, request.cursorOf(items[items.length - 1]!)) };
}

/**
 * A listing held in memory, already sorted by `compare` over cursors, as `fetch` and `cursorOf`: a page
 * starts strictly after its cursor, wherever that would be (the item it names may have been deleted since).
 */
export function inOrder<T, C>(
  all: T[],
  cursorOf: (item: T) => C,
  compare: (a: C, b: C) => number,
): Pick<PageRequest<T, C>, 'fetch' | 'cursorOf'> {
  return {
    cursorOf,
    fetch: async (after, limit) => {
      const start = after === undefined ? 0 : all.findIndex((item) => compare(cursorOf(item), after) > 0);
      return start < 0 ? [] : all.slice(start, start + limit);
    },
  };
}
