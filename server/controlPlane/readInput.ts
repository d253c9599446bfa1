// Builds an operation's input from the request as the operation table says: query string, headers,
// JSON body, or the raw payload stream. Then validates every member against its model shape.
import type { Request } from 'express';
import { ValidationError } from '../../core/errors.js';
import { shapes } from '../../core/shapes.js';
import { validateMembers } from '../../core/validation.js';
import { DEFAULT_JSON_LIMITS, readJsonBody, type JsonLimits } from './jsonBody.js';
import type { OperationSpec } from './operationSpec.js';
import { parseQuery } from './wireText.js';

/**
 * Query and header values arrive as strings; the shape says how to read them. An integer too large for a double
 * stays exact (bigint), so that validation refuses it quoting the digits as sent.
 */
function scalar(shape: string, raw: string, member: string): unknown {
  const spec = shapes[shape];
  switch (spec?.type) {
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(raw))
        throw new ValidationError(`Value '${raw.slice(0, 100)}' at '${member}' is not a valid integer`, 'CANNOT_PARSE');
      const n = Number(raw);
      return Number.isSafeInteger(n) ? n : BigInt(raw);
    }
    case 'boolean': {
      if (raw !== 'true' && raw !== 'false')
        throw new ValidationError(`Value '${raw.slice(0, 100)}' at '${member}' is not a valid boolean: use true or false`, 'CANNOT_PARSE');
      return raw === 'true';
    }
    default:
      return raw;
  }
}

/**
 * The raw query string, decoded strictly by us: express's parser would turn `a[b]=c` into objects and
 * URLSearchParams a bad escape into U+FFFD.
 */
function queryParams(req: Request): Map<string, string[]> {
  const q = req.originalUrl.indexOf('?');
  return parseQuery(q < 0 ? '' : req.originalUrl.slice(q + 1));
}

/** The one value of a query parameter; given twice it is ambiguous, and refused. */
function single(params: Map<string, string[]>, name: string): string | undefined {
  const values = params.get(name);
  if (values && values.length > 1)
    throw new ValidationError(`Query parameter '${name}' is given ${values.length} times: send it once`);
  return values?.[0];
}

export async function readInput(
  op: OperationSpec,
  req: Request,
  jsonLimits: JsonLimits = DEFAULT_JSON_LIMITS,
): Promise<Record<string, unknown>> {
  const bindings = Object.entries(op.input);
  const hasBody = bindings.some(([, b]) => b.in === 'body');
  const params = queryParams(req);
  const json = hasBody ? await readJsonBody(req, jsonLimits) : {};
  const input: Record<string, unknown> = {};
  const toValidate: Record<string, { shape: string; value: unknown }> = {};
  const missing: string[] = [];
  for (const [member, binding] of bindings) {
    let value: unknown;
    switch (binding.in) {
      case 'query': {
        const raw = single(params, binding.name);
        value = raw === undefined ? undefined : scalar(binding.shape, raw, member);
        break;
      }
      case 'header': {
        const raw = req.get(binding.name);
        value = raw === undefined ? undefined : scalar(binding.shape, raw, member);
        break;
      }
      case 'body':
        value = json[member] ?? undefined;
        break;
      case 'payload':
        value = req;
        break;
    }
    if (value === undefined) {
      if (binding.required) missing.push(member);
      continue;
    }
    input[member] = value;
    if (binding.in !== 'payload') toValidate[member] = { shape: binding.shape, value };
  }
  if (missing.length > 0)
    throw new ValidationError(
      `${missing.length} validation error${missing.length > 1 ? 's' : ''} detected: ${missing
        .map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`)
        .join('; ')}`,
    );
  validateMembers(toValidate);
  return input;
}
