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

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 100 ? `${value.slice(0, 100)}...` : value;
  return JSON.stringify(value) ?? String(value);
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
      if (shape.min !== undefined && value.length < shape.min)
        fail(`Member must have length greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value.length > shape.max)
        fail(`Member must have length less than or equal to ${shape.max}`);
      if (shape.pattern && !compilePattern(shape.pattern).test(value))
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      if (shape.enum && !shape.enum.includes(value))
        fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      return;
    }
    case 'integer':
    case 'long': {
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
