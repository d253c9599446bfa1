// Core metadata (METADATA / PKG-INFO, Metadata-Version 1.0 to 2.5) and the same data as the legacy
// upload form sends it. Parsing is tolerant: odd input gives fewer fields, never an exception; the
// Metadata-Version checks below say what an upload may carry.
import { normalizeProjectName } from './names.js';
import { isValidVersion, sameVersion } from './versions.js';

/**
 * Core metadata versions an upload may declare, in the form field and in the file itself: PyPI's list
 * (warehouse/forklift/metadata.py SUPPORTED_METADATA_VERSIONS). 2.0 is not in it: never codified, dropped by
 * PyPI in December 2024, refused by `packaging`.
 */
export const METADATA_VERSIONS: string[] = ['1.0', '1.1', '1.2', '2.1', '2.2', '2.3', '2.4', '2.5'];

const CORE_METADATA_SPEC = 'See https://packaging.python.org/specifications/core-metadata for more information.';
const KNOWN_VERSIONS = `Use a known metadata version: ${METADATA_VERSIONS.slice(0, -1).join(', ')} or ${METADATA_VERSIONS.at(-1)}.`;

/** A value as Warehouse quotes it in an error: 30 characters, "...", 30 characters when over 60. */
function quoted(value: string): string {
  return `'${value.length > 60 ? `${value.slice(0, 30)}...${value.slice(-30)}` : value}'`;
}

/** The upload form's `metadata_version` (absent is fine: the file decides). Returns the 400 message or undefined. */
export function checkFormMetadataVersion(formValue: string | undefined): string | undefined {
  if (formValue === undefined || METADATA_VERSIONS.includes(formValue)) return undefined;
  return `${quoted(formValue)} is an invalid value for Metadata-Version. Error: ${KNOWN_VERSIONS} ${CORE_METADATA_SPEC}`;
}

/**
 * The Metadata-Version of the file's own core metadata (`member` of `filename`: a wheel's METADATA, an
 * sdist's PKG-INFO): it must be there, be known, and equal the form's `metadata_version` when the form
 * sends one (twine and poetry send the file's). Returns the 400 message or undefined.
 */
export function checkFileMetadataVersion(
  fileValue: string | undefined,
  formValue: string | undefined,
  filename: string,
  member: 'METADATA' | 'PKG-INFO',
): string | undefined {
  const where = `the ${member} of ${filename}`;
  if (fileValue === undefined) return `'Metadata-Version' is a required field in ${where}. ${CORE_METADATA_SPEC}`;
  if (!METADATA_VERSIONS.includes(fileValue))
    return `${quoted(fileValue)} is not a valid metadata version in ${where}. Error: ${KNOWN_VERSIONS} ${CORE_METADATA_SPEC}`;
  if (formValue !== undefined && formValue !== fileValue)
    return (
      `Metadata-Version ${quoted(formValue)} of the upload form does not match Metadata-Version ${quoted(fileValue)} ` +
      `in ${where}. The form must describe the uploaded file.`
    );
  return undefined;
}

/**
 * The Name and Version of the file's own core metadata against the upload form's: both present, and the same
 * project and release (names PEP 503-normalized, versions PEP 440-equal). Returns the 400 message or undefined.
 */
export function checkFileNameAndVersion(
  file: { name?: string; version?: string },
  form: { name: string; version: string },
  filename: string,
  member: 'METADATA' | 'PKG-INFO',
): string | undefined {
  const where = `the ${member} of ${filename}`;
  if (file.name === undefined) return `'Name' is a required field in ${where}. ${CORE_METADATA_SPEC}`;
  if (file.version === undefined) return `'Version' is a required field in ${where}. ${CORE_METADATA_SPEC}`;
  if (normalizeProjectName(file.name) !== normalizeProjectName(form.name))
    return `Name ${quoted(file.name)} in ${where} does not match the name ${quoted(form.name)} of the upload form. The form must describe the uploaded file.`;
  if (file.version !== form.version && !(isValidVersion(file.version) && sameVersion(file.version, form.version)))
    return `Version ${quoted(file.version)} in ${where} does not match the version ${quoted(form.version)} of the upload form. The form must describe the uploaded file.`;
  return undefined;
}

export interface CoreMetadata {
  metadataVersion?: string;
  name?: string;
  version?: string;
  summary?: string;
  description?: string;
  descriptionContentType?: string;
  requiresPython?: string;
  requiresDist: string[];
  homePage?: string;
  downloadUrl?: string;
  author?: string;
  authorEmail?: string;
  maintainer?: string;
  maintainerEmail?: string;
  license?: string;
  licenseExpression?: string;
  keywords?: string;
  classifiers: string[];
  projectUrls: string[];
  providesExtra: string[];
  /** Every field, by lowercased header name (`home-page`, `classifier`, `license-file` ...) -> values. */
  fields: Record<string, string[]>;
}

type ScalarKey = Exclude<
  keyof CoreMetadata,
  'requiresDist' | 'classifiers' | 'projectUrls' | 'providesExtra' | 'fields'
>;
type ListKey = 'requiresDist' | 'classifiers' | 'projectUrls' | 'providesExtra';

const SCALAR_FIELDS: ReadonlyArray<[string, ScalarKey]> = [
  ['metadata-version', 'metadataVersion'],
  ['name', 'name'],
  ['version', 'version'],
  ['summary', 'summary'],
  ['description', 'description'],
  ['description-content-type', 'descriptionContentType'],
  ['requires-python', 'requiresPython'],
  ['home-page', 'homePage'],
  ['download-url', 'downloadUrl'],
  ['author', 'author'],
  ['author-email', 'authorEmail'],
  ['maintainer', 'maintainer'],
  ['maintainer-email', 'maintainerEmail'],
  ['license', 'license'],
  ['license-expression', 'licenseExpression'],
  ['keywords', 'keywords'],
];

const LIST_FIELDS: ReadonlyArray<[string, ListKey]> = [
  ['requires-dist', 'requiresDist'],
  ['classifier', 'classifiers'],
  ['project-url', 'projectUrls'],
  ['provides-extra', 'providesExtra'],
];

// Fields whose values keep their line breaks (free text); the rest are unfolded into one line.
const MULTILINE_FIELDS = new Set(['description', 'license']);

/** setuptools/distutils write "UNKNOWN" for unset fields; Warehouse drops such values. */
function isAbsent(value: string): boolean {
  return value.trim() === '' || value.trim() === 'UNKNOWN';
}

function emptyFields(): Record<string, string[]> {
  // No prototype: header names come from the file ("__proto__: x" must stay a plain key).
  return Object.create(null) as Record<string, string[]>;
}

function addField(fields: Record<string, string[]>, name: string, value: string): void {
  if (isAbsent(value)) return;
  (fields[name] ??= []).push(value);
}

/** Build the typed view from a fields record (shared by the file parser, the form and merge). */
function fromFields(fields: Record<string, string[]>): CoreMetadata {
  const meta: CoreMetadata = { requiresDist: [], classifiers: [], projectUrls: [], providesExtra: [], fields };
  for (const [header, key] of SCALAR_FIELDS) {
    const value = fields[header]?.[0];
    if (value !== undefined) meta[key] = value;
  }
  for (const [header, key] of LIST_FIELDS) meta[key] = [...(fields[header] ?? [])];
  return meta;
}

/**
 * Continuation lines of a free-text field. The 1.x convention prefixes each line with 8 spaces
 * (distutils) or 7 spaces and `|` (the spec, to keep blank and indented lines); strip those.
 */
function unfoldMultiline(first: string, rest: string[]): string {
  const lines = [first.trim()];
  for (const line of rest) {
    if (/^ {7}\|/.test(line)) lines.push(line.slice(8));
    else if (line.startsWith(' '.repeat(8))) lines.push(line.slice(8));
    else if (line.startsWith('\t')) lines.push(line.slice(1));
    else lines.push(line.trimStart());
  }
  return lines.join('\n').replace(/\s+$/, '');
}

function unfold(first: string, rest: string[]): string {
  return [first, ...rest]
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

// RFC 5322 field name: printable ASCII except the colon.
const HEADER_RE = /^([\x21-\x39\x3b-\x7e]+):[ \t]*(.*)$/;

/**
 * Parse METADATA / PKG-INFO text. Headers end at the first blank line (or, as Python's email
 * parser does, at the first line that is neither a header nor a continuation); what follows is
 * the description (Metadata 2.1+) and wins over a Description header. In `fields` the body is
 * listed first under `description`.
 */
export function parseCoreMetadata(text: string): CoreMetadata {
  const fields = emptyFields();
  if (typeof text !== 'string') return fromFields(fields);
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
  const headers: Array<{ name: string; first: string; rest: string[] }> = [];
  let bodyStart = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') {
      bodyStart = i + 1;
      break;
    }
    if (/^[ \t]/.test(line)) {
      headers.at(-1)?.rest.push(line); // a continuation before any header is dropped
      continue;
    }
    const m = HEADER_RE.exec(line);
    if (!m) {
      bodyStart = i;
      break;
    }
    headers.push({ name: (m[1] as string).toLowerCase(), first: m[2] as string, rest: [] });
  }
  const body = lines.slice(bodyStart).join('\n');
  if (!isAbsent(body)) addField(fields, 'description', body);
  for (const h of headers) {
    const value = MULTILINE_FIELDS.has(h.name) ? unfoldMultiline(h.first, h.rest) : unfold(h.first, h.rest);
    addField(fields, h.name, value);
  }
  return fromFields(fields);
}

/** Decode METADATA bytes (UTF-8, BOM tolerated; bad bytes become U+FFFD) and parse them. */
export function parseCoreMetadataBytes(bytes: Uint8Array): CoreMetadata {
  return parseCoreMetadata(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

// Project-URL labels that name the source repository, compared after PEP 753 label normalization
// (lowercase, punctuation and whitespace removed).
const SOURCE_LABELS = new Set(['source', 'sourcecode', 'repository', 'repo', 'code', 'github', 'gitlab', 'bitbucket']);
const FORGE_HOSTS = new Set(
  ['github.com', 'gitlab.com', 'bitbucket.org'].flatMap((host) => [host, `www.${host}`]),
);

function httpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? value.trim() : undefined;
  } catch {
    return undefined;
  }
}

function onForge(value: string | undefined): string | undefined {
  const url = httpUrl(value);
  return url && FORGE_HOSTS.has(new URL(url).hostname.toLowerCase()) ? url : undefined;
}

/** Split a Project-URL value ("Label, URL"). */
export function parseProjectUrl(value: string): { label: string; url: string } | undefined {
  const comma = value.indexOf(',');
  if (comma < 0) return undefined;
  const label = value.slice(0, comma).trim();
  const url = value.slice(comma + 1).trim();
  return label && url ? { label, url } : undefined;
}

/**
 * The source repository URL: a Project-URL labelled Source / Source Code / Repository / GitHub ...
 * (http(s) only), else a Home-page or Homepage Project-URL on github.com, gitlab.com or bitbucket.org.
 */
export function sourceCodeRepository(meta: CoreMetadata): string | undefined {
  const urls = meta.projectUrls.map(parseProjectUrl).filter((u) => u !== undefined);
  const labelled = (labels: Set<string>) =>
    urls.find((u) => labels.has(u.label.toLowerCase().replace(/[\s\p{P}]/gu, '')) && httpUrl(u.url))?.url;
  return (
    labelled(SOURCE_LABELS) ??
    onForge(meta.homePage) ??
    onForge(urls.find((u) => ['homepage', 'home'].includes(u.label.toLowerCase().replace(/[\s\p{P}]/gu, '')))?.url)
  );
}

export interface PypiDependency {
  /** The name as written in the requirement. */
  package: string;
  /** The specifier set without spaces, e.g. `>=1.0` or `<3,>=2`; absent when unconstrained. */
  versionRequirement?: string;
  /** `install`, or `extra:<normalized extra>` when the marker requires an extra. */
  dependencyType: string;
  /** The environment marker after `;`, as written (trimmed). */
  marker?: string;
}

const REQ_NAME_RE = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;
const SPEC_CLAUSE_RE = /^(~=|===|==|!=|<=|>=|<|>)\s*([A-Za-z0-9.*+!_-]+)$/;
// `extra == "x"` or `"x" == extra`, either quote.
const EXTRA_RE = /\bextra\s*==\s*(['"])([^'"]*)\1|(['"])([^'"]*)\3\s*==\s*extra\b/;

function parseSpecifierSet(text: string): string | undefined | null {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const clauses = trimmed.split(',').map((c) => c.trim());
  const out: string[] = [];
  for (const clause of clauses) {
    const m = SPEC_CLAUSE_RE.exec(clause);
    if (!m) return null;
    out.push(`${m[1]}${m[2]}`);
  }
  return out.join(',');
}

/** Parse one PEP 508 requirement far enough for a dependency listing; undefined if it does not parse. */
export function parseRequirement(requirement: string): PypiDependency | undefined {
  if (typeof requirement !== 'string') return undefined;
  const nameMatch = REQ_NAME_RE.exec(requirement);
  if (!nameMatch) return undefined;
  const name = nameMatch[1] as string;
  let rest = requirement.slice(nameMatch[0].length);
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    rest = rest.slice(close + 1).trimStart();
  }
  let spec: string | undefined | null;
  let markerText: string | undefined;
  if (rest.startsWith('@')) {
    // Direct reference: `name @ url ; marker` (PEP 508 wants whitespace before the `;`).
    const semi = rest.search(/\s;/);
    markerText = semi >= 0 ? rest.slice(semi).trim().slice(1) : undefined;
    spec = undefined;
  } else {
    const semi = rest.indexOf(';');
    const specText = semi >= 0 ? rest.slice(0, semi) : rest;
    markerText = semi >= 0 ? rest.slice(semi + 1) : undefined;
    const inner = /^\s*\((.*)\)\s*$/.exec(specText);
    if (!inner && /[()]/.test(specText)) return undefined;
    spec = parseSpecifierSet(inner ? (inner[1] as string) : specText);
    if (spec === null) return undefined;
  }
  const marker = markerText?.trim();
  if (markerText !== undefined && !marker) return undefined;
  const extra = marker ? EXTRA_RE.exec(marker) : null;
  const extraName = extra ? (extra[2] ?? extra[4]) : undefined;
  const dep: PypiDependency = {
    package: name,
    // PEP 685: extras compare normalized, like project names.
    dependencyType: extraName ? `extra:${normalizeProjectName(extraName)}` : 'install',
  };
  if (spec) dep.versionRequirement = spec;
  if (marker) dep.marker = marker;
  return dep;
}

/**
 * Requires-Dist lines -> dependencies. dependencyType is `install` for unconditional and
 * environment-only markers (`python_version < "3.8"`), and `extra:<name>` when the marker names
 * an extra (the first one, if it names several). Lines that do not parse are skipped.
 */
export function dependenciesFromRequiresDist(requiresDist: string[]): PypiDependency[] {
  const out: PypiDependency[] = [];
  for (const line of requiresDist) {
    const dep = parseRequirement(line);
    if (dep) out.push(dep);
  }
  return out;
}

// Legacy upload form keys (lowercase, `_`) -> metadata header names, where not just `_` -> `-`.
const FORM_KEY_TO_HEADER: Record<string, string> = {
  classifiers: 'classifier',
  project_urls: 'project-url',
  provides_extras: 'provides-extra',
  license_files: 'license-file',
};

// Form keys that describe the upload, not the release.
const NON_METADATA_FORM_KEYS = new Set([
  ':action',
  'protocol_version',
  'content',
  'filetype',
  'pyversion',
  'comment',
  'md5_digest',
  'sha256_digest',
  'blake2_256_digest',
  'gpg_signature',
  'attestations',
]);

/** The metadata of a legacy upload form (twine, poetry, uv). Empty and "UNKNOWN" values are absent. */
export function metadataFromUploadForm(form: Record<string, string[]>): CoreMetadata {
  const fields = emptyFields();
  for (const [key, values] of Object.entries(form)) {
    const k = key.toLowerCase();
    if (NON_METADATA_FORM_KEYS.has(k) || !Array.isArray(values)) continue;
    const header = FORM_KEY_TO_HEADER[k] ?? k.replace(/_/g, '-');
    for (const value of values) {
      if (typeof value !== 'string') continue;
      // List items are trimmed (Warehouse's ListField); free text keeps its spacing.
      addField(fields, header, MULTILINE_FIELDS.has(header) ? value : value.trim());
    }
  }
  return fromFields(fields);
}

/**
 * The file's METADATA wins field by field where it has a value; the form fills the gaps (it may be
 * partial, e.g. poetry's, or the file may lack fields, e.g. a setuptools sdist has no Requires-Dist).
 */
export function mergeMetadata(fromFile: CoreMetadata | undefined, fromForm: CoreMetadata): CoreMetadata {
  if (!fromFile) return fromForm;
  const fields = emptyFields();
  for (const [name, values] of Object.entries(fromForm.fields)) fields[name] = [...values];
  for (const [name, values] of Object.entries(fromFile.fields)) {
    if (values.length > 0) fields[name] = [...values];
  }
  // Also merge the typed view directly, so objects built by hand (fields not filled) merge right.
  const merged: CoreMetadata = { requiresDist: [], classifiers: [], projectUrls: [], providesExtra: [], fields };
  for (const [, key] of SCALAR_FIELDS) {
    const value = fromFile[key] ?? fromForm[key];
    if (value !== undefined) merged[key] = value;
  }
  for (const [, key] of LIST_FIELDS) merged[key] = [...(fromFile[key].length > 0 ? fromFile[key] : fromForm[key])];
  return merged;
}
