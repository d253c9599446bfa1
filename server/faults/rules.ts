// Fault rules: what a rule is, the one text syntax (flags, FAULTS) and its JSON twin (PUT /_local/faults),
// and every check a rule must pass before it is used. A rule that passes is complete: the injector never
// meets a bad one.
//
//   op=ListDomains,error=ThrottlingException,every=2
//   route=GET /pypi/**/*.whl,status=503,prob=0.3,count=5
//
// Keys (comma-separated key=value; in JSON the same keys as members):
//   op=NAME          a control-plane operation (* and ? wildcards: List*)        } exactly one of the two
//   route=METHOD PATH  a request outside the control plane (see glob.ts; METHOD may be * or GET|HEAD)  }
//   error=CODE       op rules: a modeled error (ThrottlingException, InternalServerException, ...)
//   status=N         route rules: an HTTP status, 400-599
//   retryAfter=S     seconds in Retry-After (and ThrottlingException's retryAfterSeconds); default 1 for
//                    ThrottlingException, 429 and 503, none otherwise
//   latency=MS       a delay before the answer (alone: the request then proceeds normally)
//   prob=P | every=N when a matching request is hit: with probability P (seeded), or every Nth; default every one
//   count=N          at most N injections, then the rule only counts
//   seed=N           this rule's own seed instead of one derived from the run's seed and its position
import { operations } from '../controlPlane/operations.js';
import { compileNameGlob, compilePathGlob, PatternError, type Pattern } from './glob.js';
import { MODELED_ERRORS, wireName } from './modeledErrors.js';

export class FaultSpecError extends Error {}

export type FaultTarget =
  | { kind: 'operation'; pattern: Pattern; operations: ReadonlySet<string> }
  | { kind: 'route'; methods: ReadonlySet<string> | '*'; path: Pattern };

export interface FaultRule {
  /** The rule in the text syntax, every default filled in: what GET /_local/faults shows and logs name. */
  spec: string;
  /** The same as a JSON object (PUT takes it back). */
  members: Readonly<Record<string, string | number>>;
  target: FaultTarget;
  /** Op rules: the wire name of the error. */
  error?: string;
  /** Route rules: the HTTP status. */
  status?: number;
  retryAfter?: number;
  latencyMs: number;
  prob?: number;
  every?: number;
  count?: number;
  seed?: number;
}

export const RULE_KEYS = ['op', 'route', 'error', 'status', 'retryAfter', 'latency', 'prob', 'every', 'count', 'seed'] as const;
type Key = (typeof RULE_KEYS)[number];
type Fields = Partial<Record<Key, string | number>>;

export const MAX_RULES = 100;
const MAX_SPEC_LENGTH = 2000;
const MAX_LATENCY_MS = 600_000;
const MAX_RETRY_AFTER = 86_400;

/** Paths the route rules never see: the control plane (use op=), liveness, this server's own /_local/ API. */
const RESERVED_FIRST_SEGMENTS = new Set(['v1', 'health', '_local']);

const show = (value: unknown) => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value));

function integer(fields: Fields, key: Key, min: number, max: number, what: string): number | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new FaultSpecError(`${key} must be ${what}, not ${show(value)}`);
  return n;
}

function probability(fields: Fields): number | undefined {
  const value = fields.prob;
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^(\d+(\.\d*)?|\.\d+)$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new FaultSpecError(`prob must be a number from 0 to 1, not ${show(value)}`);
  return n;
}

function text(fields: Fields, key: Key): string | undefined {
  const value = fields[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.trim()) throw new FaultSpecError(`${key} must be a non-empty string, not ${show(value)}`);
  return value.trim();
}

function operationTarget(pattern: string, error: string | undefined): FaultTarget {
  let glob: Pattern;
  try {
    glob = compileNameGlob(pattern);
  } catch (err) {
    throw new FaultSpecError(`op: ${(err as PatternError).message}`);
  }
  const named = operations.filter((op) => glob.test(op.name));
  if (named.length === 0)
    throw new FaultSpecError(`op: no control-plane operation matches '${pattern}' (names as in the AWS API: ListDomains, CreateRepository, ...)`);
  const kind = error ? MODELED_ERRORS[error]!.kind : undefined;
  const chosen = kind ? named.filter((op) => op.errors.includes(kind as never)) : named;
  if (chosen.length === 0) {
    const [only] = named;
    throw new FaultSpecError(
      named.length === 1
        ? `${only!.name} does not declare ${error} (it declares ${only!.errors.map(wireName).join(', ')}), so no SDK could map it`
        : `no operation matching '${pattern}' declares ${error}`,
    );
  }
  return { kind: 'operation', pattern: glob, operations: new Set(chosen.map((op) => op.name)) };
}

function routeTarget(route: string): FaultTarget {
  const m = /^(\S+)\s+(\S+)$/.exec(route);
  if (!m) throw new FaultSpecError(`route must be 'METHOD PATH' (e.g. 'GET /pypi/**/*.whl'), not '${route}'`);
  const [, method, path] = m as unknown as [string, string, string];
  let methods: ReadonlySet<string> | '*' = '*';
  if (method !== '*') {
    const list = method.split('|');
    if (!list.every((x) => /^[A-Za-z]+$/.test(x))) throw new FaultSpecError(`route: the method is a name like GET, GET|HEAD, or *, not '${method}'`);
    methods = new Set(list.map((x) => x.toUpperCase()));
  }
  let glob: Pattern;
  try {
    glob = compilePathGlob(path);
  } catch (err) {
    throw new FaultSpecError(`route: ${(err as PatternError).message}`);
  }
  const first = path.split('/')[1] ?? '';
  if (RESERVED_FIRST_SEGMENTS.has(first))
    throw new FaultSpecError(
      first === 'v1'
        ? `route: control-plane requests are matched by operation name (op=ListDomains), not by path`
        : `route: faults never apply to /health or /_local/`,
    );
  return { kind: 'route', methods, path: glob };
}

/** The checks, in the order a user would fix them; `fields` come from the text syntax or from JSON. */
function buildRule(fields: Fields): FaultRule {
  const op = text(fields, 'op');
  const route = text(fields, 'route');
  if ((op === undefined) === (route === undefined)) throw new FaultSpecError('a rule names exactly one target: op=OPERATION or route=METHOD PATH');
  const error = text(fields, 'error');
  if (error !== undefined && route !== undefined)
    throw new FaultSpecError('error= is for op rules; a route rule answers an HTTP status (status=503)');
  if (error !== undefined && !MODELED_ERRORS[error])
    throw new FaultSpecError(`error must be one of ${Object.keys(MODELED_ERRORS).join(', ')}, not '${error}'`);
  if (fields.status !== undefined && op !== undefined)
    throw new FaultSpecError('status= is for route rules; an op rule answers a modeled error (error=ThrottlingException)');
  const status = integer(fields, 'status', 400, 599, 'an HTTP error status from 400 to 599');
  const latencyMs = integer(fields, 'latency', 0, MAX_LATENCY_MS, `a delay in milliseconds up to ${MAX_LATENCY_MS}`) ?? 0;
  if (error === undefined && status === undefined && latencyMs === 0)
    throw new FaultSpecError(op !== undefined ? 'a rule needs an effect: error=CODE and/or latency=MS' : 'a rule needs an effect: status=N and/or latency=MS');
  const throttles = error === 'ThrottlingException' || status === 429 || status === 503;
  let retryAfter = integer(fields, 'retryAfter', 0, MAX_RETRY_AFTER, `a number of seconds up to ${MAX_RETRY_AFTER}`);
  if (retryAfter !== undefined && status === undefined && error !== 'ThrottlingException')
    throw new FaultSpecError('retryAfter= goes with error=ThrottlingException or a status (no other modeled error carries Retry-After)');
  if (retryAfter === undefined && throttles) retryAfter = 1;
  const prob = probability(fields);
  const every = integer(fields, 'every', 1, 2 ** 31, 'a whole number of requests, 1 or more');
  if (prob !== undefined && every !== undefined) throw new FaultSpecError('give prob= or every=, not both');
  const count = integer(fields, 'count', 1, 2 ** 31, 'a whole number of injections, 1 or more');
  const seed = integer(fields, 'seed', 0, 2 ** 32 - 1, 'a whole number from 0 to 4294967295');

  const target = op !== undefined ? operationTarget(op, error) : routeTarget(route!);
  const canonical: Array<[Key, string | number | undefined]> = [
    ['op', op],
    ['route', route?.replace(/\s+/, ' ')],
    ['error', error],
    ['status', status],
    ['retryAfter', retryAfter],
    ['latency', latencyMs || undefined],
    ['prob', prob],
    ['every', every],
    ['count', count],
    ['seed', seed],
  ];
  const given = canonical.filter((entry): entry is [Key, string | number] => entry[1] !== undefined);
  return {
    spec: given.map(([k, v]) => `${k}=${v}`).join(','),
    members: Object.fromEntries(given),
    target,
    error,
    status,
    retryAfter,
    latencyMs,
    prob,
    every,
    count,
    seed,
  };
}

const isKey = (key: string): key is Key => (RULE_KEYS as readonly string[]).includes(key);

/** One rule in the text syntax: `key=value,key=value`. */
export function parseFaultSpec(spec: string): FaultRule {
  if (spec.length > MAX_SPEC_LENGTH) throw new FaultSpecError(`a rule is at most ${MAX_SPEC_LENGTH} characters`);
  const fields: Fields = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (!part.trim()) throw new FaultSpecError(`empty item in '${spec}' (items are key=value, separated by commas)`);
    if (eq < 0) throw new FaultSpecError(`'${part.trim()}' is not key=value`);
    const key = part.slice(0, eq).trim();
    if (!isKey(key)) throw new FaultSpecError(`unknown key '${key}' (keys: ${RULE_KEYS.join(', ')})`);
    if (fields[key] !== undefined) throw new FaultSpecError(`${key} given twice`);
    fields[key] = part.slice(eq + 1);
  }
  return buildRule(fields);
}

/** Several rules separated by ';' (the FAULTS variable); empty items are ignored. */
export function parseFaultList(list: string): FaultRule[] {
  const rules = list
    .split(';')
    .filter((s) => s.trim())
    .map((s) => {
      try {
        return parseFaultSpec(s.trim());
      } catch (err) {
        if (err instanceof FaultSpecError) throw new FaultSpecError(`'${s.trim()}': ${err.message}`);
        throw err;
      }
    });
  if (rules.length > MAX_RULES) throw new FaultSpecError(`at most ${MAX_RULES} rules`);
  return rules;
}

/** A rule in JSON: a string in the text syntax, or an object with the same keys (numbers as numbers). */
export function faultRuleFromJson(value: unknown): FaultRule {
  if (typeof value === 'string') return parseFaultSpec(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FaultSpecError('a rule is a string (op=...,error=...) or an object ({"op": ..., "error": ...})');
  const fields: Fields = {};
  for (const [key, v] of Object.entries(value)) {
    if (!isKey(key)) throw new FaultSpecError(`unknown key '${key}' (keys: ${RULE_KEYS.join(', ')})`);
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'number') throw new FaultSpecError(`${key} must be a string or a number, not ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}`);
    fields[key] = v;
  }
  return buildRule(fields);
}
