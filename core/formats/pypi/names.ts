// PyPI project names (PEP 503 / the "Names and normalization" spec).

// The spec regex ends in `\Z`; a JS `$` without the `m` flag already refuses a trailing newline.
const PROJECT_NAME_RE = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

/** PEP 503 normalization: runs of `-`, `_`, `.` become one `-`, then lowercase. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** True for a name the core metadata spec allows (ASCII letters/digits, inner `.`, `_`, `-`). */
export function isValidProjectName(name: string): boolean {
  return PROJECT_NAME_RE.test(name);
}

/**
 * The normalized name with `_` instead of `-`: the form wheel and modern sdist file names and
 * `.dist-info` directories use ("demo-pkg" -> "demo_pkg").
 */
export function escapedProjectName(name: string): string {
  return normalizeProjectName(name).replace(/-/g, '_');
}

/** True when both names normalize to the same project. */
export function sameProject(a: string, b: string): boolean {
  return normalizeProjectName(a) === normalizeProjectName(b);
}
