// The two small pattern languages of fault rules.
//
// Paths (route=METHOD PATH), matched against the path exactly as the client sent it (not percent-decoded,
// without the query string), virtual-host (/pypi/{repo}/...) or path-style (/pypi/d/{domain}-{owner}/{repo}/...):
//   *     any characters inside one path segment (none included), never a /
//   ?     exactly one character, not a /
//   **    a whole segment only (/**/ or a trailing /**): zero or more segments
//   anything else matches itself, case-sensitively
// e.g. /pypi/**/*.whl (wheel downloads, either URL form), /pypi/**/simple/*/ (project pages).
//
// Operation names (op=NAME): * any characters, ? one character; e.g. ListDomains, List*, *.
//
// Matching is the classic wildcard algorithm that backtracks only to the last star, at both levels
// (segments, then characters), so no pattern anyone sends to /_local/faults can make a match slow.

export class PatternError extends Error {}

export interface Pattern {
  /** The pattern as written. */
  readonly source: string;
  test(text: string): boolean;
}

/** Whether `items` match `pattern`, where star tokens match any run of items (none included). */
function wildcard<I, P>(items: readonly I[], pattern: readonly P[], isStar: (p: P) => boolean, one: (p: P, item: I) => boolean): boolean {
  let i = 0;
  let p = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (i < items.length) {
    if (p < pattern.length && isStar(pattern[p]!)) {
      starAt = p++;
      resumeAt = i;
    } else if (p < pattern.length && one(pattern[p]!, items[i]!)) {
      i++;
      p++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      i = ++resumeAt;
    } else return false;
  }
  while (p < pattern.length && isStar(pattern[p]!)) p++;
  return p === pattern.length;
}

const charsMatch = (pattern: readonly string[], text: string) =>
  wildcard([...text], pattern, (c) => c === '*', (c, ch) => c === '?' || c === ch);

function segmentPattern(segment: string): string[] {
  if (segment.includes('**')) throw new PatternError(`'**' must be a whole path segment (as in /pypi/**/*.whl), not part of '${segment}'`);
  return [...segment];
}

export function compilePathGlob(glob: string): Pattern {
  if (!glob.startsWith('/')) throw new PatternError(`a path pattern starts with '/', not '${glob}'`);
  if (/[\s#]/.test(glob)) throw new PatternError(`a path pattern has no spaces or '#': '${glob}'`);
  const segments = glob
    .split('/')
    .slice(1)
    .map((s) => (s === '**' ? null : segmentPattern(s)));
  return {
    source: glob,
    test: (path) =>
      path.startsWith('/') &&
      wildcard(path.split('/').slice(1), segments, (s) => s === null, (s, segment) => charsMatch(s!, segment)),
  };
}

export function compileNameGlob(glob: string): Pattern {
  if (!/^[A-Za-z*?]+$/.test(glob))
    throw new PatternError(`an operation name has letters only, with * or ? as wildcards, not '${glob}'`);
  const chars = [...glob];
  return { source: glob, test: (name) => charsMatch(chars, name) };
}
