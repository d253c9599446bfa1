import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { decodeToken, encodeToken, inOrder, paginate } from '../../core/pagination.js';

const secret = 'a'.repeat(64);

describe('pagination tokens', () => {
  it('round-trip a cursor within the same scope', () => {
    const token = encodeToken(secret, 'ListDomains', ['b', '000000000000']);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeToken(secret, 'ListDomains', token)).toEqual(['b', '000000000000']);
  });

  it('reject forged, altered, foreign-scope and foreign-secret tokens with a ValidationException', () => {
    const token = encodeToken(secret, 'ListDomains', 'x');
    const [payload, mac] = token.split('.') as [string, string];
    const altered = `${Buffer.from(JSON.stringify({ s: 'ListDomains', c: 'y' })).toString('base64url')}.${mac}`;
    for (const bad of ['garbage', `${payload}.`, altered, `${token}.extra`, `${payload}.${mac.slice(1)}A`])
      expect(() => decodeToken(secret, 'ListDomains', bad)).toThrow(ValidationError);
    expect(() => decodeToken(secret, 'ListPackages:{}', token)).toThrow(/does not belong/);
    expect(() => decodeToken('b'.repeat(64), 'ListDomains', token)).toThrow(ValidationError);
  });

  const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const pageOf = (all: string[], nextToken: string | undefined) =>
    paginate({ secret, scope: 's', query: { maxResults: 2, nextToken }, ...inOrder(all, (x) => x, byString) });

  it('pages an ordered list and ends without a token', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'];
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await pageOf(all, nextToken);
      seen.push(...page.items);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(seen).toEqual(all);
    expect(pages).toBe(3);
  });

  it('continues after the last item seen even when it was deleted (keyset, not offsets)', async () => {
    const first = await pageOf(['a', 'b', 'c', 'd', 'e'], undefined);
    expect(first.items).toEqual(['a', 'b']);
    // 'b', the cursor, is gone; so is 'a'; a new 'ab' sorts after the cursor.
    expect((await pageOf(['ab', 'c', 'd', 'e'], first.nextToken)).items).toEqual(['c', 'd']);
    expect((await pageOf(['a', 'b'], first.nextToken)).items).toEqual([]);
  });
});
