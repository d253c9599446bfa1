// Values of our own response headers that carry names a client chose (GetPackageVersionAsset's X-AssetName and
// X-PackageVersion). A header is a line of printable ASCII: Node refuses anything outside Latin-1, and clients
// read Latin-1 bytes their own way (Node and Python's http.client as ISO-8859-1), so a name is never sent raw
// unless it is plain printable ASCII. Otherwise the value is its UTF-8 bytes percent-encoded (RFC 3986), with
// `%` itself encoded too so that decoding is always right: `decodeURIComponent` (JS) or `urllib.parse.unquote`
// (Python) gives back the name. Neither @aws-sdk/client-codeartifact nor botocore decodes header members; they
// hand the value over as received.

/** Printable ASCII except `%`; a space only inside the value (clients trim leading and trailing ones). */
function sentAsIs(ch: string, i: number, value: string): boolean {
  const c = ch.charCodeAt(0);
  if (c === 0x20) return i > 0 && i < value.length - 1;
  return c > 0x20 && c < 0x7f && ch !== '%';
}

const utf8 = new TextEncoder();

/** The header value for `value`: unchanged when it is plain printable ASCII, else percent-encoded UTF-8. */
export function headerValue(value: string): string {
  let out = '';
  let i = 0;
  for (const ch of value) {
    if (sentAsIs(ch, i, value)) out += ch;
    else for (const byte of utf8.encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    i += ch.length;
  }
  return out;
}
