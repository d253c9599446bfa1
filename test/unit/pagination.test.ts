import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { decodeToken, encodeToken, pageInMemory } from '../../core/pagination.js';

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

  it('pages an ordered list and ends without a token', () => {
    const all = ['a', 'b', 'c', 'd', 'e'];
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = pageInMemory(all, { maxResults: 2, nextToken }, secret, 's', (x) => x);
      seen.push(...page.items);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(seen).toEqual(all);
    expect(pages).toBe(3);
  });
});
