// Checks a value against a model shape (core/shapes.ts) the way the service does: every violation is
// collected and reported in one ValidationException whose message reads like AWS's own
// ("1 validation error detected: Value 'x' at 'domain' failed to satisfy constraint: ...").
import { ValidationError } from './errors.js';
import { shapes, type ShapeSpec } from './shapes.js';

const patternCache = new Map<string, RegExp>();

/** Model patterns are unanchored Java regexes enforced as full matches; JS needs `u` for \p{..}. */
function compilePattern(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const js = pattern.replace(/\\p\{IsWhitespace\}/g, '\\p{White_Space}');
    re = new RegExp(`^(?:${js})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

/** Controls, format characters (bidi overrides, zero-width) and lone surrogates: shown escaped, refused in names. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}]/u;
const INVISIBLE_ALL = /[\p{Cc}\p{Cf}\p{Cs}]/gu;
const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** A value as a message quotes it: at most 100 characters, invisible characters as \u escapes. */
function describe(value: unknown): string {
  if (typeof value === 'bigint') return String(value);
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  const shown = text.length > 100 ? `${text.slice(0, 100)}...` : text;
  return shown.replace(INVISIBLE_ALL, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/**
 * Shapes that name things (packages, namespaces, versions, assets, revisions) and free text: none may hold a
 * control character, a format character such as U+202E RIGHT-TO-LEFT OVERRIDE or a zero-width space, or a
 * lone surrogate, whatever the model's pattern allows (`[^#/\s]+` lets NUL through). Refused naming the
 * character and where it is.
 */
const NO_INVISIBLE_CHARACTERS = new Set([
  'PackageName',
  'PackageNamespace',
  'PackageVersion',
  'AssetName',
  'PackageVersionRevision',
  'Description',
  'TagKey',
  'TagValue',
]);

function invisibleCharacter(value: string): string | undefined {
  const m = INVISIBLE.exec(value);
  if (!m) return undefined;
  const position = [...value.slice(0, m.index)].length + 1;
  return `Member must not contain control or format characters, found ${codePoint(m[0])} at character ${position}`;
}

function violations(shapeName: string, value: unknown, path: string, out: string[]): void {
  const shape: ShapeSpec | undefined = shapes[shapeName];
  if (!shape || value === undefined || value === null) return;
  const fail = (constraint: string): void => {
    out.push(`Value '${describe(value)}' at '${path}' failed to satisfy constraint: ${constraint}`);
  };
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') return fail('Member must be a string');
      const invisible = NO_INVISIBLE_CHARACTERS.has(shapeName) ? invisibleCharacter(value) : undefined;
      if (invisible) fail(invisible);
      if (shape.min !== undefined && value.length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && !invisible && !compilePattern(shape.pattern).test(value))
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum && !shape.enum.includes(value))
        fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    }
    case 'integer':
    case 'long': {
      // A bigint is an integer literal beyond 2^53, kept exact by the reader to be quoted as sent.
      if (typeof value === 'bigint') {
        const max = shape.max ?? Number.MAX_SAFE_INTEGER;
        const min = shape.min ?? Number.MIN_SAFE_INTEGER;
        if (value > BigInt(max)) fail(`Member must have value less than or equal to ${max}`);
        else if (value < BigInt(min)) fail(`Member must have value greater than or equal to ${min}`);
        return;
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail('Member must be an integer');
      if (shape.min !== undefined && value < shape.min)
        fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max)
        fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('Member must be a boolean');
      return;
    case 'list': {
      if (!Array.isArray(value)) return fail('Member must be a list');
      if (shape.min !== undefined && value.length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      value.forEach((item, i) => violations(shape.member, item, `${path}.${i + 1}.member`, out));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return fail('Member must be a map');
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.max !== undefined && entries.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      for (const [k, v] of entries) {
        violations(shape.key, k, `${path}.${k}.key`, out);
        violations(shape.value, v, `${path}.${k}.value`, out);
      }
      return;
    }
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return fail('Member must be a structure');
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? [])
        if (record[name] === undefined || record[name] === null) fail(`Member '${name}' must not be null`);
      for (const [name, member] of Object.entries(shape.members))
        violations(member, record[name], `${path}.${name}`, out);
      return;
    }
  }
}

/** Validates `members` (name -> value) against their shapes; throws one ValidationException for all. */
export function validateMembers(members: Record<string, { shape: string; value: unknown }>): void {
  const out: string[] = [];
  for (const [name, { shape, value }] of Object.entries(members)) violations(shape, value, name, out);
  if (out.length === 0) return;
  const n = out.length;
  throw new ValidationError(`${n} validation error${n > 1 ? 's' : ''} detected: ${out.join('; ')}`);
}

/** Checks one value against one shape, e.g. a repository name found inside a list or an ARN. */
export function validateValue(shape: string, value: unknown, path: string): void {
  validateMembers({ [path]: { shape, value } });
}
