// Shared helpers of the conformance suites: a real server (test/support/server.ts) and an SDK client pointed
// at it (useConformanceServer, which every suite file starts with), assertions on SDK errors, a SigV4-signed raw
// HTTP request for wire-level checks, and the generic publish flow most suites build on.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { Codeartifact, type PublishPackageVersionCommandOutput } from '@aws-sdk/client-codeartifact';
import { startServer, type RunningServer, type ServerOptions } from '../support/server.js';
import { operations } from '../../server/controlPlane/operations.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

export type { RunningServer };

export async function startConformanceServer(options: ServerOptions = {}): Promise<RunningServer> {
  return startServer(options);
}

/**
 * An SDK client for the server. A new client per server start: after `restart()` the old keep-alive sockets
 * point at a dead process. Two attempts absorb a keep-alive race without hiding real failures for long.
 */
export function clientFor(server: { url: string }, region = REGION): Codeartifact {
  return new Codeartifact({ endpoint: server.url, region, credentials: CREDENTIALS, maxAttempts: 2 });
}

let counter = 0;
/** A fresh name valid as a domain and as a repository: lowercase, starts with a letter, ends with a digit. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}-${randomBytes(3).toString('hex')}${counter}`;
}

/** What the SDK throws for a service error. */
export interface SdkError extends Error {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string };
  reason?: string;
  resourceId?: string;
  resourceType?: string;
}

const STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  ConflictException: 409,
  InternalServerException: 500,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  ValidationException: 400,
  NotImplemented: 501,
};

export const VALIDATION_REASONS = [
  'CANNOT_PARSE',
  'ENCRYPTION_KEY_ERROR',
  'FIELD_VALIDATION_FAILED',
  'UNKNOWN_OPERATION',
  'OTHER',
];

/**
 * Awaits `promise`, expects it to reject with the service error `name` (and its declared status, a request
 * id, a message), and returns the error for further checks.
 */
export async function expectError(promise: Promise<unknown>, name: string): Promise<SdkError> {
  let error: unknown;
  let result: unknown;
  let failed = false;
  try {
    result = await promise;
  } catch (e) {
    failed = true;
    error = e;
  }
  if (!failed)
    expect.fail(`expected ${name}, but the call succeeded with ${JSON.stringify(result, replacer)?.slice(0, 500)}`);
  const err = error as SdkError;
  expect(
    { name: err?.name, status: err?.$metadata?.httpStatusCode },
    `error: ${String(err?.name)}: ${String(err?.message)}`,
  ).toEqual({ name, status: STATUS[name] });
  expect(typeof err.message).toBe('string');
  expect(err.message.length).toBeGreaterThan(0);
  expect(err.$metadata.requestId, 'x-amzn-RequestId on the error response').toBeTruthy();
  if (name === 'ValidationException') expect(VALIDATION_REASONS).toContain(err.reason);
  return err;
}

/** The exception names the model declares for an operation (server/controlPlane/operations.ts). */
export function declaredErrors(operation: string): string[] {
  const op = operations.find((o) => o.name === operation);
  if (!op) throw new Error(`no operation ${operation} in the table`);
  return op.errors.map((kind) => `${kind}Exception`);
}

/** expectError, and the error is one the operation declares (so every SDK can map it to its class). */
export async function expectDeclaredError(operation: string, promise: Promise<unknown>, name: string): Promise<SdkError> {
  expect(declaredErrors(operation), `${operation} declares ${name}`).toContain(name);
  return expectError(promise, name);
}

/** A ValidationException for a field constraint (what botocore leaves to the server). */
export async function expectFieldValidation(promise: Promise<unknown>): Promise<SdkError> {
  const err = await expectError(promise, 'ValidationException');
  expect(err.reason).toBe('FIELD_VALIDATION_FAILED');
  return err;
}

function replacer(_key: string, value: unknown) {
  return typeof value === 'bigint' ? String(value) : value;
}

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
export const hashesOf = (data: Uint8Array | string) => ({
  MD5: createHash('md5').update(data).digest('hex'),
  'SHA-1': createHash('sha1').update(data).digest('hex'),
  'SHA-256': createHash('sha256').update(data).digest('hex'),
  'SHA-512': createHash('sha512').update(data).digest('hex'),
});

export interface GenericCoordinates {
  domain: string;
  repository: string;
  namespace: string;
  package: string;
}

/** The input fields that name the generic package at `c` (DescribePackage, ListPackageVersions, ...). */
export const pkgOf = (c: GenericCoordinates) => ({
  domain: c.domain,
  repository: c.repository,
  format: 'generic' as const,
  namespace: c.namespace,
  package: c.package,
});

/** PublishPackageVersion for the generic format with the right SHA-256 unless one is given. */
export function publish(
  client: Codeartifact,
  at: GenericCoordinates,
  version: string,
  assetName: string,
  content: Uint8Array | string,
  options: { unfinished?: boolean; sha?: string; format?: string; omitNamespace?: boolean } = {},
): Promise<PublishPackageVersionCommandOutput> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return client.publishPackageVersion({
    domain: at.domain,
    repository: at.repository,
    format: (options.format ?? 'generic') as 'generic',
    namespace: options.omitNamespace ? undefined : at.namespace,
    package: at.package,
    packageVersion: version,
    assetName,
    assetContent: bytes,
    assetSHA256: options.sha ?? sha256(bytes),
    unfinished: options.unfinished,
  });
}

/** Fresh names for a domain (after `prefix`) and a repository in it. */
function domainAndRepositoryNames(prefix: string) {
  return { domain: uniq(prefix), repository: uniq('repo') };
}

async function createDomainAndRepository(client: Codeartifact, names: { domain: string; repository: string }) {
  await client.createDomain({ domain: names.domain });
  await client.createRepository({ domain: names.domain, repository: names.repository });
}

/** Creates a domain and one repository in it. */
export async function domainWithRepository(client: Codeartifact, prefix = 'd') {
  const names = domainAndRepositoryNames(prefix);
  await createDomainAndRepository(client, names);
  return names;
}

/** What a suite file shares: its own server and an SDK client for it. */
export interface ConformanceServer {
  server: RunningServer;
  /** A client for `server`; after `server.restart()` a suite sets a new one (see clientFor). */
  ca: Codeartifact;
}

/** The same, plus a domain with one repository in it. */
export interface ConformanceServerWithRepository extends ConformanceServer {
  domain: string;
  repository: string;
}

/**
 * Registers the hooks a suite file starts with. beforeAll starts a server and makes a client for it, and given
 * `prefix` creates a domain named after it with one repository in it; afterAll destroys the server and its data
 * dir. A file's own beforeAll, registered after this call, runs after it.
 *
 * `server` and `ca` of the returned object are set by beforeAll: read them in hooks and tests only. `domain` and
 * `repository` are named at once (a file may destructure them) and exist from beforeAll on.
 */
export function useConformanceServer(): ConformanceServer;
export function useConformanceServer(prefix: string): ConformanceServerWithRepository;
export function useConformanceServer(prefix?: string): ConformanceServer {
  const ctx = (prefix === undefined ? {} : domainAndRepositoryNames(prefix)) as ConformanceServerWithRepository;
  beforeAll(async () => {
    ctx.server = await startConformanceServer();
    ctx.ca = clientFor(ctx.server);
    if (prefix !== undefined) await createDomainAndRepository(ctx.ca, ctx);
  });
  afterAll(async () => {
    await ctx.server?.destroy();
  });
  return ctx;
}

export async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Raw, SigV4-signed HTTP requests, for what the SDK hides: headers, status codes, the JSON on the wire.

export interface RawResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
  json: any;
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

export async function rawRequest(
  server: { url: string },
  method: string,
  path: string,
  options: {
    query?: Record<string, string | number | boolean | undefined>;
    body?: Buffer | string;
    headers?: Record<string, string>;
    region?: string;
  } = {},
): Promise<RawResponse> {
  const region = options.region ?? REGION;
  const base = new URL(server.url);
  const pairs = Object.entries(options.query ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(String(v))] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const canonicalQuery = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body);
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    host: base.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': sha256(body),
    ...Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const signedNames = Object.keys(headers).sort();
  const canonicalRequest = [
    method,
    path.split('/').map(encodeRfc3986).join('/'),
    canonicalQuery,
    signedNames.map((n) => `${n}:${headers[n]!.trim()}\n`).join(''),
    signedNames.join(';'),
    headers['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${day}/${region}/codeartifact/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day), region), 'codeartifact'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedNames.join(';')}, Signature=${signature}`;
  delete headers.host;
  const url = `${server.url}${path}${canonicalQuery ? `?${canonicalQuery}` : ''}`;
  const response = await fetch(url, {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? undefined : body,
  });
  const buffer = Buffer.from(await response.arrayBuffer());
  const text = buffer.toString('utf8');
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, body: buffer, text, json };
}

/** Asserts the error encoding the research prescribes: status, x-amzn-ErrorType, JSON {message, ...}. */
export function expectWireError(response: RawResponse, code: string) {
  expect(response.status, response.text).toBe(STATUS[code]);
  const errorType = response.headers.get('x-amzn-errortype') ?? '';
  expect(errorType.split(':')[0]).toBe(code);
  expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
  expect(response.headers.get('content-type') ?? '').toMatch(/application\/json/);
  expect(typeof response.json?.message).toBe('string');
}
