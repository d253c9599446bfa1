// The package formats, one entry each. A format with a module of its own (names, versions, an endpoint)
// is imported from its folder; the others are stored and listed with the basic rules until they get one.
// Adding a format is a folder here, one in server/formats, and one line in each index.
import type { PackageFormat } from '@aws-sdk/client-codeartifact';
// The two functions only: semver's index loads all of its ~50 modules at start-up.
import semverCompare from 'semver/functions/compare.js';
import semverValid from 'semver/functions/valid.js';
import { ValidationError } from '../errors.js';
import { basicFormat, compareNatural, type PackageFormatModule } from './format.js';
import { genericFormat } from './generic.js';
import { pypiFormat } from './pypi/format.js';

function compareSemver(a: string, b: string): number {
  const va = semverValid(a);
  const vb = semverValid(b);
  if (va && vb) return semverCompare(va, vb);
  if (va) return 1;
  if (vb) return -1;
  return compareNatural(a, b);
}

export const FORMATS: Record<PackageFormat, PackageFormatModule> = {
  pypi: pypiFormat,
  generic: genericFormat,
  npm: basicFormat('npm', 'npm', 'optional', {
    compareVersions: compareSemver,
    defaultVersion: 'highest',
    displayPackageName: (namespace, name) => (namespace ? `@${namespace}/${name}` : name),
  }),
  maven: basicFormat('maven', 'Maven', 'required', {
    displayPackageName: (namespace, name) => (namespace ? `${namespace}:${name}` : name),
  }),
  nuget: basicFormat('nuget', 'NuGet', 'none'),
  swift: basicFormat('swift', 'Swift', 'required'),
  ruby: basicFormat('ruby', 'RubyGems', 'none'),
  cargo: basicFormat('cargo', 'Cargo', 'none'),
};

export const FORMAT_NAMES = Object.keys(FORMATS) as PackageFormat[];

/** The module of a format name the model allows (the validator has checked the enum). */
export function formatOf(name: string): PackageFormatModule {
  const format = FORMATS[name as PackageFormat];
  if (!format) throw new ValidationError(`Unknown package format: ${name}`);
  return format;
}

/**
 * The stored namespace of a package reference: '' for none. A namespace given where the format has none,
 * or missing where it requires one, is a ValidationException, as AWS documents it.
 */
export function namespaceOf(format: PackageFormatModule, namespace: string | undefined): string {
  if (namespace !== undefined && format.namespace === 'none')
    throw new ValidationError(`Packages of format ${format.name} do not have a namespace`);
  if ((namespace === undefined || namespace === '') && format.namespace === 'required')
    throw new ValidationError(`namespace is required for ${format.name} packages`);
  return namespace ?? '';
}

export type { PackageFormatModule } from './format.js';
