// PEP 440 versions: validity and ordering come from @renovatebot/pep440; the canonical string is
// built here because the library's `clean` mangles local segments ("1.0+abc.1" -> "1.0+abc,1") and
// goes through Number (digits past 2^53 would change).
import { compare, valid } from '@renovatebot/pep440';

// The PEP 440 "permissive" pattern (same as packaging's VERSION_PATTERN), anchored, no surrounding
// whitespace.
const VERSION_RE = new RegExp(
  '^v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
  'i',
);

const PRE_LETTERS: Record<string, string> = {
  a: 'a', alpha: 'a', b: 'b', beta: 'b', c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc',
};

/** Decimal digits without leading zeros, exact for any length. */
function num(digits: string | undefined): string {
  if (!digits) return '0';
  const s = digits.replace(/^0+/, '');
  return s === '' ? '0' : s;
}

/** True for a PEP 440 version (the permissive spellings too: `v1.0`, `1.0-RC1`, `1.0-1`). */
export function isValidVersion(v: string): boolean {
  return typeof v === 'string' && valid(v) !== null && VERSION_RE.test(v);
}

/** The canonical PEP 440 form (`str(packaging.version.Version(v))`), or undefined when invalid. */
export function normalizeVersion(v: string): string | undefined {
  if (!isValidVersion(v)) return undefined;
  const g = VERSION_RE.exec(v)?.groups;
  if (!g || g.release === undefined) return undefined;
  let out = '';
  if (g.epoch !== undefined && num(g.epoch) !== '0') out += `${num(g.epoch)}!`;
  out += g.release.split('.').map(num).join('.');
  if (g.pre_l !== undefined) out += `${PRE_LETTERS[g.pre_l.toLowerCase()] ?? g.pre_l.toLowerCase()}${num(g.pre_n)}`;
  if (g.post !== undefined) out += `.post${num(g.post_n1 ?? g.post_n2)}`;
  if (g.dev_l !== undefined) out += `.dev${num(g.dev_n)}`;
  if (g.local !== undefined) {
    const parts = g.local.split(/[-_.]/).map((p) => (/^[0-9]+$/.test(p) ? num(p) : p.toLowerCase()));
    out += `+${parts.join('.')}`;
  }
  return out;
}

/** True when both are valid and denote the same PEP 440 version (`1.0` == `1.0.0`). */
export function sameVersion(a: string, b: string): boolean {
  return isValidVersion(a) && isValidVersion(b) && comparePypiVersions(a, b) === 0;
}

/**
 * PEP 440 order (so `1.0` and `1.0.0` compare equal: 0). Invalid versions sort before every valid
 * one, and among themselves by plain string order, so a listing never throws.
 */
export function comparePypiVersions(a: string, b: string): number {
  const va = isValidVersion(a);
  const vb = isValidVersion(b);
  if (va && vb) return Math.sign(compare(a, b)) || 0;
  if (va !== vb) return va ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
