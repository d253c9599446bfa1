// headerValue: names clients chose go into response headers as printable ASCII that decodes back exactly.
import { describe, expect, it } from 'vitest';
import { headerValue } from '../../server/headerValues.js';

describe('headerValue', () => {
  it.each([
    ['plain ASCII, unchanged', 'demo_pkg-1.0-py3-none-any.whl', 'demo_pkg-1.0-py3-none-any.whl'],
    ['inner spaces kept', 'a b c', 'a b c'],
    ['leading and trailing spaces encoded (clients trim them)', ' a ', '%20a%20'],
    ['% encoded, so decoding is never ambiguous', '100%25', '100%2525'],
    ['Latin-1 as UTF-8', 'é', '%C3%A9'],
    ['outside Latin-1', '€日本', '%E2%82%AC%E6%97%A5%E6%9C%AC'],
    ['astral', '𝄞', '%F0%9D%84%9E'],
    ['CR, LF, NUL, DEL', 'a\r\nb\u0000\u007f', 'a%0D%0Ab%00%7F'],
  ])('%s', (_label, value, sent) => {
    expect(headerValue(value)).toBe(sent);
    expect(sent).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeURIComponent(sent)).toBe(value);
  });
});
