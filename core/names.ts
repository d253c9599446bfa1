// How a package name is matched within its format: PyPI compares PEP 503-normalized names, npm names are
// lowercase already, the others compare as given.
import { normalizeProjectName } from './pypi/names.js';

export function normalizePackageName(format: string, name: string): string {
  return format === 'pypi' ? normalizeProjectName(name) : name;
}
