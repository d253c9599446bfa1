// Builds an operation's input from the request as the operation table says: query string, headers,
// JSON body, or the raw payload stream. Then validates every member against its model shape.
import type { Request } from 'express';
import { ValidationError } from '../../core/errors.js';
import { shapes } from '../../core/shapes.js';
import { validateMembers } from '../../core/validation.js';
import type { OperationSpec } from './operationSpec.js';

const MAX_JSON_BODY = 1024 * 1024;

/** Query and header values arrive as strings; the shape says how to read them. */
function scalar(shape: string, raw: string, member: string): unknown {
  const spec = shapes[shape];
  switch (spec?.type) {
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(raw.trim()))
        throw new ValidationError(`Value '${raw}' at '${member}' is not a valid integer`, 'CANNOT_PARSE');
      return Number(raw);
    }
    case 'boolean': {
      if (raw !== 'true' && raw !== 'false')
        throw new ValidationError(`Value '${raw}' at '${member}' is not a valid boolean`, 'CANNOT_PARSE');
      return raw === 'true';
    }
    default:
      return raw;
  }
}

/** The raw query string, read ourselves: express's parser would turn `a[b]=c` into objects. */
function queryParams(req: Request): URLSearchParams {
  return new URL(req.originalUrl, 'http://localhost').searchParams;
}

async function readJsonBody(req: Request): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BODY) throw new ValidationError('Request body is too large', 'OTHER');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError('Request body is not valid JSON', 'CANNOT_PARSE');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ValidationError('Request body must be a JSON object', 'CANNOT_PARSE');
  return parsed as Record<string, unknown>;
}

export async function readInput(op: OperationSpec, req: Request): Promise<Record<string, unknown>> {
  const bindings = Object.entries(op.input);
  const hasBody = bindings.some(([, b]) => b.in === 'body');
  const json = hasBody ? await readJsonBody(req) : {};
  const params = queryParams(req);
  const input: Record<string, unknown> = {};
  const toValidate: Record<string, { shape: string; value: unknown }> = {};
  const missing: string[] = [];
  for (const [member, binding] of bindings) {
    let value: unknown;
    switch (binding.in) {
      case 'query': {
        const raw = params.get(binding.name) ?? undefined;
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
