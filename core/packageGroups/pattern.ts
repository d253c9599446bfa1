// Package group definitions, as AWS's user guide defines them ("Package group definition syntax and matching
// behavior"): a package path /{format}/{namespace}/{name} with the components left out omitted and a suffix
// saying how the last one matches:
//   /*                                   every package
//   /npm/*                               one format
//   /maven/com.anycompany~               a format and a namespace prefix
//   /npm/space/*                         a format and a namespace
//   /npm/space/anycompany-ui~            a format, a namespace and a name prefix
//   /maven/org.apache.logging.log4j/log4j-core$   one package
// Formats without namespaces (PyPI, NuGet, RubyGems, Cargo) have an empty namespace: /pypi//requests$,
// /pypi//internal-~. Names and namespaces are matched as the format normalizes them, so a definition must use
// the normalized form. A package belongs to the most specific group that matches it.
import { ValidationError } from '../errors.js';
import { FORMATS, type PackageFormatModule } from '../formats/index.js';

export type PatternKind =
  | { level: 'all' }
  | { level: 'format'; format: string }
  | { level: 'namespace-prefix'; format: string; prefix: string }
  | { level: 'namespace'; format: string; namespace: string }
  | { level: 'name-prefix'; format: string; namespace: string; prefix: string }
  | { level: 'name'; format: string; namespace: string; name: string };

export interface PackageCoordinates {
  format: string;
  /** '' for none. */
  namespace: string;
  /** As the format normalizes it. */
  normalizedName: string;
}

const invalid = (pattern: string, why: string) =>
  new ValidationError(`Invalid package group pattern '${pattern}': ${why}`, 'FIELD_VALIDATION_FAILED');

function formatNamed(pattern: string, name: string): PackageFormatModule {
  const format = FORMATS[name as keyof typeof FORMATS];
  if (!format) throw invalid(pattern, `'${name}' is not a package format (${Object.keys(FORMATS).join(', ')})`);
  return format;
}

function checkNormalized(pattern: string, format: PackageFormatModule, name: string) {
  if (format.normalizeName(name) !== name)
    throw invalid(pattern, `${format.displayName} names are matched normalized: write '${format.normalizeName(name)}'`);
}

/** Parses and checks a definition; throws a ValidationException saying what is wrong. */
export function parsePattern(pattern: string): PatternKind {
  if (pattern === '/*') return { level: 'all' };
  if (!pattern.startsWith('/')) throw invalid(pattern, 'it must start with /');
  const suffix = pattern.at(-1);
  if (suffix !== '*' && suffix !== '~' && suffix !== '$') throw invalid(pattern, 'it must end with *, ~ or $');
  const parts = pattern.slice(1).split('/');
  const format = formatNamed(pattern, parts[0]!.replace(/[*~$]$/, ''));
  const noNamespace = format.namespace === 'none';
  const last = parts.at(-1)!.slice(0, -1);
  // A common slip (the glob habit): '/pypi/internal-*' for a name prefix. Say what AWS accepts instead.
  if (suffix === '*' && last && parts.length <= 3) {
    const prefixForm =
      noNamespace && parts.length === 2 ? `/${format.name}//${last}~` : `/${parts.slice(0, -1).join('/')}/${last}~`;
    throw invalid(pattern, `* matches every value of a whole component; a prefix ends with ~: write ${prefixForm}`);
  }
  switch (parts.length) {
    case 2:
      if (suffix === '*' && parts[1] === '*') return { level: 'format', format: format.name };
      if (suffix === '~' && last) {
        if (noNamespace) throw invalid(pattern, `${format.displayName} packages have no namespace: write /${format.name}//${last}~`);
        return { level: 'namespace-prefix', format: format.name, prefix: last };
      }
      break;
    case 3: {
      const namespace = parts[1]!;
      if (noNamespace && namespace !== '') throw invalid(pattern, `${format.displayName} packages have no namespace: leave it empty (/${format.name}//...)`);
      if (!noNamespace && namespace === '' && format.namespace === 'required')
        throw invalid(pattern, `${format.displayName} packages always have a namespace`);
      if (suffix === '*' && parts[2] === '*')
        return noNamespace ? { level: 'format', format: format.name } : { level: 'namespace', format: format.name, namespace };
      if (!last) break;
      checkNormalized(pattern, format, last);
      if (suffix === '~') return { level: 'name-prefix', format: format.name, namespace, prefix: last };
      if (suffix === '$') return { level: 'name', format: format.name, namespace, name: last };
      break;
    }
  }
  throw invalid(pattern, 'use /*, /FORMAT/*, /FORMAT/NAMESPACE-PREFIX~, /FORMAT/NAMESPACE/*, /FORMAT/NAMESPACE/NAME-PREFIX~ or /FORMAT/NAMESPACE/NAME$');
}

export function matches(kind: PatternKind, p: PackageCoordinates): boolean {
  switch (kind.level) {
    case 'all':
      return true;
    case 'format':
      return p.format === kind.format;
    case 'namespace-prefix':
      return p.format === kind.format && p.namespace.startsWith(kind.prefix);
    case 'namespace':
      return p.format === kind.format && p.namespace === kind.namespace;
    case 'name-prefix':
      return p.format === kind.format && p.namespace === kind.namespace && p.normalizedName.startsWith(kind.prefix);
    case 'name':
      return p.format === kind.format && p.namespace === kind.namespace && p.normalizedName === kind.name;
  }
}

/**
 * How specific a definition is, as a sortable tuple: the deeper the component it fixes, the more specific;
 * among prefixes of the same component, the longer.
 */
export function specificity(kind: PatternKind): [number, number] {
  switch (kind.level) {
    case 'all':
      return [0, 0];
    case 'format':
      return [1, 0];
    case 'namespace-prefix':
      return [2, kind.prefix.length];
    case 'namespace':
      return [3, 0];
    case 'name-prefix':
      return [4, kind.prefix.length];
    case 'name':
      return [5, 0];
  }
}

export const compareSpecificity = (a: PatternKind, b: PatternKind) => {
  const [x, y] = [specificity(a), specificity(b)];
  return x[0] - y[0] || x[1] - y[1];
};

/** Whether every package `inner` matches, `outer` matches too (what makes outer an ancestor of inner). */
export function contains(outer: PatternKind, inner: PatternKind): boolean {
  if (outer.level === 'all') return true;
  if (inner.level === 'all') return false;
  if (outer.format !== inner.format) return false;
  switch (outer.level) {
    case 'format':
      return true;
    case 'namespace-prefix':
      return inner.level === 'namespace-prefix'
        ? inner.prefix.startsWith(outer.prefix)
        : inner.level !== 'format' && inner.namespace.startsWith(outer.prefix);
    case 'namespace':
      return (inner.level === 'namespace' || inner.level === 'name-prefix' || inner.level === 'name') && inner.namespace === outer.namespace;
    case 'name-prefix':
      return (
        (inner.level === 'name-prefix' && inner.namespace === outer.namespace && inner.prefix.startsWith(outer.prefix)) ||
        (inner.level === 'name' && inner.namespace === outer.namespace && inner.name.startsWith(outer.prefix))
      );
    case 'name':
      return inner.level === 'name' && inner.namespace === outer.namespace && inner.name === outer.name;
  }
}
