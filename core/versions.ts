// Version ordering per package format, used wherever "latest" or sorting appears.
import semver from 'semver';
import { comparePypiVersions } from './pypi/versions.js';

function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'case' }) || (a < b ? -1 : a > b ? 1 : 0);
}

function compareSemver(a: string, b: string): number {
  const va = semver.valid(a);
  const vb = semver.valid(b);
  if (va && vb) return semver.compare(va, vb);
  if (va) return 1;
  if (vb) return -1;
  return compareNatural(a, b);
}

export function compareVersions(format: string, a: string, b: string): number {
  switch (format) {
    case 'pypi':
      return comparePypiVersions(a, b);
    case 'npm':
      return compareSemver(a, b);
    default:
      return compareNatural(a, b);
  }
}
