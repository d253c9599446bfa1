// Text as the control plane receives it: the query string and JSON bodies. The AWS SDKs send UTF-8, and query
// values percent-encoded (RFC 3986), so a malformed escape or bytes that are not UTF-8 are a client's bug: they
// are refused with a ValidationException that says what is wrong and where, never turned into U+FFFD.
import { ValidationError } from '../../core/errors.js';

/** The index of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    // Sequence length, and the range of the second byte (shortest forms only, no surrogates, <= U+10FFFF).
    const [n, lo, hi] =
      b >= 0xc2 && b <= 0xdf ? [1, 0x80, 0xbf]
      : b === 0xe0 ? [2, 0xa0, 0xbf]
      : b === 0xed ? [2, 0x80, 0x9f]
      : b >= 0xe1 && b <= 0xef ? [2, 0x80, 0xbf]
      : b === 0xf0 ? [3, 0x90, 0xbf]
      : b === 0xf4 ? [3, 0x80, 0x8f]
      : b >= 0xf1 && b <= 0xf3 ? [3, 0x80, 0xbf]
      : [0, 0, 0];
    if (n === 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

const utf8 = new TextEncoder();
const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');

/** A value as an error message quotes it: at most 100 characters. */
const quoted = (raw: string) => `'${raw.length > 100 ? `${raw.slice(0, 100)}...` : raw}'`;

/**
 * One query-string component (`what` names it in messages), decoded strictly: `+` is a space, `%XX` a byte,
 * and the bytes must be UTF-8.
 */
export function decodeQueryComponent(raw: string, what: string): string {
  if (!/[%+\x80-\uffff]/.test(raw)) return raw;
  const bytes: number[] = [];
  /** For each byte, the offset in `raw` it came from (to say where a bad one is). */
  const from: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '%') {
      const digits = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(digits))
        throw new ValidationError(
          `${what} (${quoted(raw)}) has a malformed percent-escape '${raw.slice(i, i + 3)}' at character ${i + 1}: ` +
            `'%' must start an escape of two hex digits (send a literal '%' as %25)`,
          'CANNOT_PARSE',
        );
      bytes.push(parseInt(digits, 16));
      from.push(i);
      i += 2;
    } else {
      // Node refuses raw bytes above 0x7F in a request line; a character that is one anyway counts as its UTF-8.
      for (const b of ch === '+' ? [0x20] : utf8.encode(ch)) {
        bytes.push(b);
        from.push(i);
      }
    }
  }
  const buffer = Uint8Array.from(bytes);
  const bad = firstInvalidUtf8(buffer);
  if (bad >= 0) {
    const at = from[bad]!;
    const shown = raw[at] === '%' ? `%${hex(buffer[bad]!)}` : `0x${hex(buffer[bad]!)}`;
    throw new ValidationError(
      `${what} (${quoted(raw)}) is not valid UTF-8: the byte ${shown} at character ${at + 1} does not begin or continue ` +
        `a UTF-8 sequence (percent-encode the UTF-8 bytes of the value)`,
      'CANNOT_PARSE',
    );
  }
  return new TextDecoder().decode(buffer);
}

/** Every parameter of a request's query string (`?` included or not), each name with all its values. */
export function parseQuery(search: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  const text = search.startsWith('?') ? search.slice(1) : search;
  if (text === '') return params;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = decodeQueryComponent(rawName, 'A query parameter name');
    const value = decodeQueryComponent(eq < 0 ? '' : pair.slice(eq + 1), `Query parameter '${name}'`);
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}
