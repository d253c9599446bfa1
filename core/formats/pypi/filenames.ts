// Distribution file names (wheel: the binary distribution format spec; sdist: PEP 625) and the
// upload-time checks Warehouse makes on them.
//
// Decision: only `.whl`, `.tar.gz` and `.zip` are distributions. Warehouse refuses every other
// extension on upload (`.tar.bz2`, `.tgz`, `.egg`, `.exe` ...), PEP 625 keeps only `.tar.gz`, and
// accepting names here that no upload can create would only widen what the rest must handle.
// Extensions are matched case-sensitively, as Warehouse and pip do.
import { escapedProjectName, isValidProjectName, normalizeProjectName } from './names.js';
import { isValidVersion, normalizeVersion, sameVersion } from './versions.js';

export type DistributionType = 'bdist_wheel' | 'sdist';

export interface WheelTags {
  python: string;
  abi: string;
  platform: string;
}

export interface DistributionFilename {
  type: DistributionType;
  /** The name as written in the file name (not normalized). */
  name: string;
  /** The version as written in the file name (not normalized). */
  version: string;
  /** Wheels only: the optional build tag (starts with a digit). */
  build?: string;
  /** Wheels only. Each tag may be a `.`-joined compressed set (`py2.py3`). */
  tags?: WheelTags;
  /** `.whl`, `.tar.gz` or `.zip`. */
  extension: string;
}

const EXTENSIONS: ReadonlyArray<{ extension: string; type: DistributionType }> = [
  { extension: '.whl', type: 'bdist_wheel' },
  { extension: '.tar.gz', type: 'sdist' },
  { extension: '.zip', type: 'sdist' },
];

const MAX_FILENAME_BYTES = 255;

/**
 * A name that is safe to use as one path segment on any OS and in a URL path: no separators, no
 * control characters, no drive prefix, no leading dot (hidden files, `.`/`..`), at most 255 bytes.
 */
export function isSafeFilename(filename: string): boolean {
  if (typeof filename !== 'string' || filename.length === 0) return false;
  if (Buffer.byteLength(filename, 'utf8') > MAX_FILENAME_BYTES) return false;
  if (filename.startsWith('.')) return false; // also rejects '.' and '..'
  if (/[/\\]/.test(filename)) return false; // also rejects absolute POSIX and UNC paths
  // C0, DEL and C1 controls (NUL included), and format characters (U+202E RIGHT-TO-LEFT OVERRIDE, zero-width).
  if (/[\u0000-\u001f\u007f-\u009f\p{Cf}]/u.test(filename)) return false;
  if (/^[A-Za-z]:/.test(filename)) return false; // Windows drive (C:x.whl is drive-relative)
  // Lone surrogates cannot be encoded as UTF-8 for the file system.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(filename)) return false;
  return true;
}

function extensionOf(filename: string): { extension: string; type: DistributionType } | undefined {
  return EXTENSIONS.find((e) => filename.endsWith(e.extension) && filename.length > e.extension.length);
}

const BUILD_TAG_RE = /^[0-9][A-Za-z0-9_.]*$/;
/** A compatibility tag (`py3`, `cp312`, `manylinux_2_17_x86_64.manylinux2014_x86_64`): ASCII, no dashes. */
const TAG_RE = /^[A-Za-z0-9_.]+$/;

function parseWheel(stem: string): DistributionFilename | undefined {
  const parts = stem.split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  if (parts.some((p) => p === '')) return undefined;
  const [name, version] = parts as [string, string];
  const build = parts.length === 6 ? parts[2] : undefined;
  const [python, abi, platform] = parts.slice(-3) as [string, string, string];
  if (!isValidProjectName(name) || !isValidVersion(version)) return undefined;
  if (build !== undefined && !BUILD_TAG_RE.test(build)) return undefined;
  if (![python, abi, platform].every((tag) => TAG_RE.test(tag))) return undefined;
  const result: DistributionFilename = {
    type: 'bdist_wheel',
    name,
    version,
    tags: { python, abi, platform },
    extension: '.whl',
  };
  if (build !== undefined) result.build = build;
  return result;
}

/**
 * Split an sdist stem into name and version. The name may be unnormalized and contain dashes
 * (setuptools 66 writes `demo-pkg-1.0.0.tar.gz`), so the version is what follows the last `-`
 * after which the rest is a valid PEP 440 version (and the part before is a valid name).
 */
function splitSdistStem(stem: string): { name: string; version: string } | undefined {
  for (let i = stem.lastIndexOf('-'); i > 0; i = stem.lastIndexOf('-', i - 1)) {
    const name = stem.slice(0, i);
    const version = stem.slice(i + 1);
    if (isValidVersion(version) && isValidProjectName(name)) return { name, version };
  }
  return undefined;
}

/** Parse a wheel or sdist file name; undefined when it is neither (or malformed). */
export function parseDistributionFilename(filename: string): DistributionFilename | undefined {
  if (!isSafeFilename(filename)) return undefined;
  const ext = extensionOf(filename);
  if (!ext) return undefined;
  const stem = filename.slice(0, -ext.extension.length);
  if (ext.type === 'bdist_wheel') return parseWheel(stem);
  const split = splitSdistStem(stem);
  return split ? { type: 'sdist', ...split, extension: ext.extension } : undefined;
}

/** The distribution type implied by the file's extension, if it has a known one. */
export function distributionTypeOf(filename: string): DistributionType | undefined {
  return extensionOf(filename)?.type;
}

/**
 * For an sdist of a known project: split at the dash where the prefix is that project and the rest
 * a valid version (so that a version like `1.0-1` is not mistaken for part of the name).
 */
function splitSdistForProject(stem: string, project: string): { name: string; version: string } | undefined {
  const want = normalizeProjectName(project);
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    const version = stem.slice(i + 1);
    if (normalizeProjectName(stem.slice(0, i)) === want && isValidVersion(version)) {
      return { name: stem.slice(0, i), version };
    }
  }
  return undefined;
}

/**
 * PEP 440 equality when both parse (so `1.0.0` matches `1.0`, as Warehouse's canonicalize_version
 * comparison does); otherwise the exact text.
 */
function sameVersionText(a: string, b: string): boolean {
  if (isValidVersion(a) && isValidVersion(b)) return normalizeVersion(a) === normalizeVersion(b) || sameVersion(a, b);
  return a === b;
}

/**
 * Check an uploaded file name against the form's project name, version and (optional) `filetype`.
 * Returns the 400 message pip/twine print, or undefined when the name is fine. Messages never echo
 * an unsafe file name (it could carry control characters into a status line).
 */
export function checkUploadFilename(
  filename: string,
  project: string,
  version: string,
  filetype?: string,
): string | undefined {
  if (!isSafeFilename(filename)) {
    return (
      'Invalid filename: it must be a plain file name ' +
      '(no path, no control characters, no leading dot, at most 255 bytes).'
    );
  }
  const ext = extensionOf(filename);
  if (!ext) return 'Invalid file extension: Use .tar.gz, .whl or .zip extension.';
  if (filetype !== undefined && filetype !== '') {
    if (filetype !== 'sdist' && filetype !== 'bdist_wheel') return 'Unknown type of file.';
    if (filetype !== ext.type) {
      return filetype === 'bdist_wheel'
        ? "Invalid file extension for filetype 'bdist_wheel': Use .whl extension."
        : "Invalid file extension for filetype 'sdist': Use .tar.gz or .zip extension.";
    }
  }
  const stem = filename.slice(0, -ext.extension.length);
  let fileName: string;
  let fileVersion: string;
  if (ext.type === 'bdist_wheel') {
    const wheel = parseWheel(stem);
    if (!wheel) {
      const form = '{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl';
      return `Invalid wheel filename '${filename}': expected '${form}', tags of ASCII letters, digits, '_' and '.'.`;
    }
    fileName = wheel.name;
    fileVersion = wheel.version;
  } else {
    const split = splitSdistForProject(stem, project) ?? splitSdistStem(stem);
    if (!split) {
      const expected = `${escapedProjectName(project)}-${version}${ext.extension}`;
      return `Filename '${filename}' is invalid, should be '${expected}'.`;
    }
    fileName = split.name;
    fileVersion = split.version;
  }
  if (normalizeProjectName(fileName) !== normalizeProjectName(project)) {
    return `Start filename for '${project}' with '${escapedProjectName(project)}'.`;
  }
  if (!sameVersionText(fileVersion, version)) {
    return `Version in filename should be '${version}' not '${fileVersion}'.`;
  }
  return undefined;
}
