// A generated corpus of bad input (fast-check, fixed seed, so a run is reproducible), sent to an in-process app:
// every operation of the control plane's table with mangled query strings, headers and bodies, and the PyPI upload
// endpoint with mangled multipart forms and archives. Each case carries at least one defect the server must refuse
// (its "poison": a bad percent-escape, bytes that are not UTF-8, a control character in a name, a missing or
// repeated member, a number out of range, a body that is not a JSON object, a wrong digest, a truncated archive,
// a wrong boundary ...) plus random noise. Every answer must be a 4xx that says why, never a 5xx or a stack trace,
// and after each one the store must be exactly as it was: the control plane's listings, blobs/ and tmp/.
//
// Reproduce a failure: the assertion names the case; fast-check prints the seed and path (`seed`, `path` below).
// Needs: python3 (test/support/archives.ts writes the archives).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shapes } from '../../core/shapes.js';
import { createApp } from '../../server/app.js';
import { testConfig } from '../support/config.js';
import type { MemberBinding, OperationSpec } from '../../server/controlPlane/operationSpec.js';
import { operations } from '../../server/controlPlane/operations.js';
import { openStore } from '../../storage/open.js';
import type { Store } from '../../storage/ports.js';
import { writeArchives, type ArchiveMember } from '../support/archives.js';
import { listFiles } from '../support/files.js';

const SEED = 20261201;
const CONTROL_PLANE_CASES = 420;
const UPLOAD_CASES = 200;

const OWNER = '000000000000';
const REPO_URL = `/pypi/d/dom-${OWNER}/repo/`;
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

let dir: string;
let store: Store;
let app: ReturnType<typeof createApp>;
/** One listening server for every request (supertest would otherwise start one per request). */
let server: Server;
let token: string;
let baseline: string;
let casesSent = 0;

// ------------------------------------------------------------------------------------------------------------
// The store, seen the way a user sees it

async function snapshot(): Promise<string> {
  const get = async (method: 'get' | 'post', url: string) => {
    const res = await request(server)[method](url);
    if (res.status !== 200) throw new Error(`snapshot: ${method} ${url} answered ${res.status} ${res.text}`);
    return res.body;
  };
  const out: unknown[] = [(await get('post', '/v1/domains')).domains];
  for (const r of (await get('post', '/v1/repositories')).repositories as { name: string }[]) {
    out.push(r);
    for (const p of (await get('post', `/v1/packages?domain=dom&repository=${r.name}`)).packages as { format: string; namespace?: string; package: string }[]) {
      const coords = `domain=dom&repository=${r.name}&format=${p.format}${p.namespace ? `&namespace=${p.namespace}` : ''}&package=${p.package}`;
      const versions = (await get('post', `/v1/package/versions?${coords}`)).versions as { version: string }[];
      out.push(p, versions);
      for (const v of versions) out.push((await get('post', `/v1/package/version/assets?${coords}&version=${v.version}`)).assets);
    }
  }
  out.push(listFiles(path.join(dir, 'blobs')), listFiles(path.join(dir, 'tmp')));
  return JSON.stringify(out);
}

/** The answer is a 4xx that explains itself, and nothing changed. */
async function expectRefusedAndUnchanged(what: string, res: request.Response, kind: 'control plane' | 'upload') {
  casesSent++;
  const described = `${what}\n→ ${res.status} ${String(res.text).slice(0, 300)}`;
  expect(res.status, described).toBeGreaterThanOrEqual(400);
  expect(res.status, described).toBeLessThan(500);
  expect(String(res.text), described).not.toMatch(/\n\s+at .+:\d+:\d+|node_modules|\w+Error: /);
  if (kind === 'control plane') {
    expect(res.headers['x-amzn-errortype'], described).toBeTruthy();
    expect(typeof res.body.message, described).toBe('string');
    expect(res.body.message.length, described).toBeGreaterThan(0);
  } else {
    expect(res.headers['content-type'], described).toMatch(/^text\/plain/);
    expect(String(res.text).trim().length, described).toBeGreaterThan(0);
  }
  expect(await snapshot(), `${described}\nthe store changed`).toBe(baseline);
}

// ------------------------------------------------------------------------------------------------------------
// Building blocks

/** Percent-encodes the UTF-8 of `s` (lone surrogates become U+FFFD), as an SDK would. */
function encode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8'))
    out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

const INVISIBLE = ['\u0000', '\u0001', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f', '\u200b', '\u200f', '\u202e', '\u2066', '\ufeff', '\r', '\n', '\t'];
const invisible = fc.constantFrom(...INVISIBLE);

/** Any string a careless or hostile client might send. */
const nastyString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.tuple(fc.string({ maxLength: 5 }), invisible, fc.string({ maxLength: 5 })).map(([a, c, b]) => a + c + b),
  fc.constantFrom('99999999999999999999999', '-1', '1e+23', 'null', 'true', '[]', '{}', "'; DROP TABLE package;--", '../../etc/passwd', '%', 'x'.repeat(3000), ''),
);

/** Raw (already encoded) query text that must not decode: malformed escapes and bytes that are not UTF-8. */
const undecodable = fc.constantFrom('%', '%Z', '%ZZ', '%G0', 'a%2', '%%41', '%FF', '%C3', '%C3%28', '%C0%AF', '%E0%80%80', '%ED%A0%80', '%F4%90%80%80', '%F8%88%80%80%80', 'ok%80', '%E2%82');

const GOOD: Record<string, string> = {
  DomainName: 'dom',
  AccountId: OWNER,
  RepositoryName: 'repo',
  PackageFormat: 'generic',
  PackageNamespace: 'ns',
  PackageName: 'pkg',
  PackageVersion: '1.0',
  AssetName: 'a.txt',
};

/** Shapes whose values can never hold a control or format character. */
const NAME_SHAPES = new Set(Object.keys(GOOD));

type Bound = [member: string, binding: MemberBinding];
const queryMembers = (op: OperationSpec) => Object.entries(op.input).filter(([, b]) => b.in === 'query') as Bound[];
const bodyMembers = (op: OperationSpec) =>
  Object.entries(op.input).filter(([, b]) => b.in === 'body' && shapes[(b as { shape: string }).shape]) as Bound[];
const shapeOf = (b: MemberBinding) => (b.in === 'payload' ? '' : b.shape);
const wireName = (member: string, b: MemberBinding) => (b.in === 'query' || b.in === 'header' ? b.name : member);

interface ControlPlaneCase {
  op: OperationSpec;
  method: string;
  path: string;
  /** Raw `name=value` pairs, already encoded. */
  query: [string, string][];
  headers: Record<string, string>;
  body?: Buffer;
  poison: string;
}

/** The request with the required query members set to good values: what each poison spoils. */
function baseCase(op: OperationSpec): ControlPlaneCase {
  const query = queryMembers(op)
    .filter(([, b]) => b.required)
    .map(([m, b]) => [wireName(m, b), encode(GOOD[shapeOf(b)] ?? 'x')] as [string, string]);
  const headers: Record<string, string> = {};
  for (const [m, b] of Object.entries(op.input)) if (b.in === 'header') headers[wireName(m, b)] = sha256(m);
  return { op, method: op.method, path: op.path, query, headers, body: undefined, poison: '' };
}

/** Sets (or adds) a raw query value. */
function setQuery(c: ControlPlaneCase, name: string, raw: string): ControlPlaneCase {
  const query = c.query.filter(([n]) => n !== name);
  return { ...c, query: [...query, [name, raw]] };
}

/** A value of the wrong JSON type for a shape (never null, which counts as absent). */
function wrongType(shape: string): unknown[] {
  switch (shapes[shape]?.type) {
    case 'string':
      return [5, true, [], {}, ['x']];
    case 'integer':
    case 'long':
      return ['ten', true, 1.5, [], {}];
    case 'boolean':
      return ['true', 1, [], {}];
    case 'list':
      return ['x', 5, {}, true];
    default:
      return ['x', 5, [], true];
  }
}

const nested = (depth: number, open: string, close: string, inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

/** Each poison that applies to `op`: an arbitrary of the spoiled case. */
function poisons(op: OperationSpec): fc.Arbitrary<ControlPlaneCase>[] {
  const base = baseCase(op);
  const out: fc.Arbitrary<ControlPlaneCase>[] = [];
  const qs = queryMembers(op);
  const names = qs.filter(([, b]) => NAME_SHAPES.has(shapeOf(b)));
  const required = Object.entries(op.input).filter(([, b]) => b.required && b.in !== 'payload');
  const integers = Object.entries(op.input).filter(([, b]) => ['integer', 'long'].includes(shapes[shapeOf(b)]?.type ?? ''));
  const booleans = qs.filter(([, b]) => shapes[shapeOf(b)]?.type === 'boolean');
  const bodies = bodyMembers(op);
  const hasBody = Object.values(op.input).some((b) => b.in === 'body');

  // Any query parameter, known or not, with an escape that does not decode.
  out.push(
    fc.tuple(fc.constantFrom(...[...qs.map(([m, b]) => wireName(m, b)), 'unknown-param']), fc.string({ maxLength: 4 }), undecodable).map(([name, prefix, bad]) => ({
      ...setQuery(base, name, encode(prefix) + bad),
      poison: `undecodable ${name}`,
    })),
  );
  if (names.length)
    out.push(
      fc.tuple(fc.constantFrom(...names), fc.string({ maxLength: 6 }), invisible, fc.string({ maxLength: 6 })).map(([[m, b], a, ch, z]) => ({
        ...setQuery(base, wireName(m, b), encode(`${a}${GOOD[shapeOf(b)]}${ch}${z}`)),
        poison: `control character U+${ch.charCodeAt(0).toString(16)} in ${m}`,
      })),
    );
  if (required.length)
    out.push(
      fc.constantFrom(...required).map(([m, b]) => ({
        ...base,
        query: base.query.filter(([n]) => n !== wireName(m, b)),
        headers: Object.fromEntries(Object.entries(base.headers).filter(([n]) => n !== wireName(m, b))),
        poison: `missing ${m}`,
      })),
    );
  if (base.query.length)
    out.push(
      fc.tuple(fc.constantFrom(...base.query), nastyString).map(([[name, value], other]) => ({
        ...base,
        query: [...base.query, [name, other === decodeURIComponent(value) ? `${value}x` : encode(other)]],
        poison: `${name} given twice`,
      })),
    );
  if (integers.length)
    out.push(
      fc
        .tuple(fc.constantFrom(...integers), fc.constantFrom('99999999999999999999999', '-99999999999999999999999', '1.5', 'abc', '1e3', '0x10', ' 7', '', '-1', '1001', '43201'))
        // 1001 is a valid token duration (its range is 0..43200); every other value is out of every range here.
        .filter(([[, b], v]) => !(shapeOf(b) === 'AuthorizationTokenDurationSeconds' && v === '1001'))
        .map(([[m, b], v]) =>
          b.in === 'query'
            ? { ...setQuery(base, b.name, encode(v)), poison: `${m}=${v}` }
            : { ...base, body: Buffer.from(`{"${m}": ${/^-?\d+(\.\d+)?(e\d+)?$/.test(v) ? v : JSON.stringify(v)}}`), poison: `${m}: ${v}` },
        ),
    );
  if (booleans.length)
    out.push(
      fc.tuple(fc.constantFrom(...booleans), fc.constantFrom('yes', 'TRUE', '1', '', 'on')).map(([[m, b], v]) => ({
        ...setQuery(base, wireName(m, b), v),
        poison: `${m}=${v}`,
      })),
    );
  if (hasBody)
    out.push(
      fc
        .oneof(
          fc.integer({ min: 33, max: 60_000 }).map((d) => [`nested ${d} deep`, nested(d, '[', ']')]),
          fc.integer({ min: 33, max: 5_000 }).map((d) => [`objects nested ${d} deep`, nested(d, '{"a":', '}')]),
          fc.json().filter((j) => !j.trimStart().startsWith('{')).map((j) => ['not an object', j]),
          fc.json().filter((j) => j.length > 1).chain((j) => fc.integer({ min: 1, max: j.length - 1 }).map((cut) => ['truncated JSON', j.slice(0, cut)])),
          fc.constantFrom('{"a":1,}', '{a:1}', "{'a':1}", '{"a":01}', '{"a":NaN}', '{"a":1}{"b":2}', '{"a":"\u0001"}', '{"a":"\\x41"}', '{"a":1,"a":2}').map((t) => ['malformed JSON', t]),
          fc.constantFrom(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0x3a, 0x31, 0x7d]), Buffer.from([0xed, 0xa0, 0x80])).map((b) => ['not UTF-8', b]),
          fc.constant(['over the size limit', `{"x":"${'a'.repeat(1024 * 1024 + 16)}"}`]),
        )
        .map(([label, text]) => ({ ...base, body: Buffer.isBuffer(text) ? text : Buffer.from(text as string), poison: `body: ${label}` })),
    );
  if (bodies.length)
    out.push(
      fc
        .constantFrom(...bodies)
        .chain(([m, b]) => fc.constantFrom(...wrongType(shapeOf(b))).map((v) => [m, v] as const))
        .chain(([m, v]) =>
          fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !(k in op.input) && k !== '__proto__'), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }).map((extra) => ({
            ...base,
            body: Buffer.from(JSON.stringify({ ...extra, [m]: v })),
            poison: `${m} of the wrong type: ${JSON.stringify(v)}`,
          })),
        ),
    );
  for (const [m, b] of Object.entries(op.input))
    if (b.in === 'header')
      out.push(
        fc.constantFrom('UNSIGNED-PAYLOAD', sha256('x').toUpperCase(), sha256('x').slice(1), `${sha256('x')}0`, 'g'.repeat(64), '').map((v) => ({
          ...base,
          headers: { ...base.headers, [b.name]: v },
          poison: `${m}: ${v}`,
        })),
      );
  // The wrong method on the operation's path, or a path no operation has.
  out.push(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH').filter((m) => !operations.some((o) => o.path === op.path && o.method === m)).map((method) => ({
      ...base,
      method,
      poison: `${method} ${op.path}`,
    })),
  );
  out.push(
    fc.constantFrom('x', '%ZZ', '%FF', '/../v1/domains', ';a=b', '%00', '%2F..%2F').map((suffix) => ({ ...base, path: `${op.path}${suffix}`, poison: `path ${op.path}${suffix}` })),
  );
  return out;
}

/** Random noise on top of the poison: unknown parameters, odd headers, random values for other members. */
function withNoise(c: ControlPlaneCase): fc.Arbitrary<ControlPlaneCase> {
  const poisoned = new Set(c.query.map(([n]) => n));
  const others = queryMembers(c.op).map(([m, b]) => wireName(m, b)).filter((n) => !poisoned.has(n));
  const printable = fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '?'));
  return fc
    .record({
      unknown: fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), nastyString), { maxLength: 3 }),
      others: others.length ? fc.array(fc.tuple(fc.constantFrom(...others), nastyString), { maxLength: 3 }) : fc.constant([] as [string, string][]),
      headers: fc.array(fc.tuple(fc.constantFrom('x-amz-target', 'x-amz-date', 'content-type', 'accept', 'x-amzn-trace-id', 'range', 'if-none-match'), printable), { maxLength: 2 }),
    })
    .map(({ unknown, others, headers }) => ({
      ...c,
      query: [
        ...c.query,
        ...unknown.filter(([n]) => !c.op.input[n] && !Object.values(c.op.input).some((b) => b.in === 'query' && b.name === n)).map(([n, v]) => [encode(n), encode(v)] as [string, string]),
        ...others.filter(([n], i, all) => all.findIndex(([x]) => x === n) === i).map(([n, v]) => [n, encode(v)] as [string, string]),
      ],
      headers: { ...c.headers, ...Object.fromEntries(headers.filter(([n]) => n !== 'content-type' || c.body === undefined)) },
    }));
}

const controlPlaneCase = fc
  .constantFrom(...operations)
  .chain((op) => fc.oneof(...poisons(op)))
  .chain(withNoise);

function send(c: ControlPlaneCase): Promise<request.Response> {
  const url = `${c.path}${c.query.length ? `?${c.query.map(([n, v]) => `${n}=${v}`).join('&')}` : ''}`;
  let r = request(server)[c.method.toLowerCase() as 'get'](url);
  for (const [n, v] of Object.entries(c.headers)) r = r.set(n, v);
  if (c.op.name === 'PublishPackageVersion' && c.body === undefined) return r.set('Content-Type', 'application/octet-stream').send(Buffer.from('payload'));
  return c.body === undefined ? r : r.set('Content-Type', 'application/octet-stream').send(c.body);
}

// ------------------------------------------------------------------------------------------------------------
// The upload endpoint

const NAME = 'corpus-pkg';
const VERSION = '1.0';
const WHEEL = 'corpus_pkg-1.0-py3-none-any.whl';
const SDIST = 'corpus_pkg-1.0.tar.gz';
const GOOD_METADATA = `Metadata-Version: 2.1\nName: ${NAME}\nVersion: ${VERSION}\nSummary: corpus\n`;
let files: Record<string, Buffer>;

function buildArchives() {
  const wheel = (metadata: string, extra: ArchiveMember[] = [], distInfo = 'corpus_pkg-1.0.dist-info'): ArchiveMember[] => [
    { name: 'corpus_pkg/__init__.py', data: 'VALUE = 1\n' },
    { name: `${distInfo}/METADATA`, data: metadata },
    { name: `${distInfo}/WHEEL`, data: 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    { name: `${distInfo}/RECORD`, data: '' },
    ...extra,
  ];
  const specs: Record<string, { kind: 'zip' | 'tar.gz'; members: ArchiveMember[] }> = {
    wheel: { kind: 'zip', members: wheel(GOOD_METADATA) },
    sdist: { kind: 'tar.gz', members: [{ name: 'corpus_pkg-1.0/PKG-INFO', data: GOOD_METADATA }, { name: 'corpus_pkg-1.0/setup.py', data: '' }] },
    wheelOtherVersion: { kind: 'zip', members: wheel(GOOD_METADATA.replace('Version: 1.0', 'Version: 9.9')) },
    wheelEmptyMetadata: { kind: 'zip', members: wheel('') },
    wheelNoMetadata: { kind: 'zip', members: wheel(GOOD_METADATA, [], 'other-1.0.dist-info') },
    wheelTraversal: { kind: 'zip', members: wheel(GOOD_METADATA, [{ name: '../evil.py', data: 'x' }]) },
    wheelBomb: { kind: 'zip', members: wheel(GOOD_METADATA, [{ name: 'corpus_pkg/zeros', data: '', zeros: 72 * 1024 * 1024 }]) },
    sdistNoPkgInfo: { kind: 'tar.gz', members: [{ name: 'corpus_pkg-1.0/setup.py', data: '' }] },
    sdistTraversal: { kind: 'tar.gz', members: [{ name: 'corpus_pkg-1.0/PKG-INFO', data: GOOD_METADATA }, { name: '../evil', data: 'x' }] },
    sdistOtherName: { kind: 'tar.gz', members: [{ name: 'corpus_pkg-1.0/PKG-INFO', data: GOOD_METADATA.replace(`Name: ${NAME}`, 'Name: other') }] },
  };
  writeArchives(Object.entries(specs).map(([key, spec]) => ({ path: path.join(dir, `${key}.archive`), ...spec })));
  files = Object.fromEntries(Object.keys(specs).map((key) => [key, readFileSync(path.join(dir, `${key}.archive`))]));
}

interface UploadCase {
  fields: [string, string][];
  file?: { filename: string; data: Buffer; name?: string };
  /** Recompute the digest fields for the file actually sent (so the archive checks, not the digest, decide). */
  fixDigests: boolean;
  boundary: string;
  /** The boundary named in Content-Type, when it differs. */
  contentType?: string;
  /** Cut the encoded body to this many bytes. */
  cut?: number;
  authorization?: string;
  poison: string;
}

function baseUpload(file: 'wheel' | 'sdist'): UploadCase {
  const data = files[file]!;
  return {
    fields: [
      [':action', 'file_upload'],
      ['protocol_version', '1'],
      ['metadata_version', '2.1'],
      ['name', NAME],
      ['version', VERSION],
      ['filetype', file === 'wheel' ? 'bdist_wheel' : 'sdist'],
      ['pyversion', file === 'wheel' ? 'py3' : 'source'],
      ['sha256_digest', sha256(data)],
      ['md5_digest', md5(data)],
    ],
    file: { filename: file === 'wheel' ? WHEEL : SDIST, data },
    fixDigests: false,
    boundary: 'corpusBoundary9f8e7d',
    poison: '',
  };
}

const setField = (c: UploadCase, name: string, value: string | undefined): UploadCase => {
  const fields = c.fields.filter(([n]) => n !== name);
  return { ...c, fields: value === undefined ? fields : [...fields, [name, value]] };
};

/** Bytes that differ from `data`: a cut (never the whole), flipped bytes, or both. */
const damaged = (data: Buffer) =>
  fc.oneof(
    fc.integer({ min: 0, max: data.length - 1 }).map((cut) => ['truncated', data.subarray(0, cut)] as const),
    fc.array(fc.tuple(fc.nat(data.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const copy = Buffer.from(data);
      for (const [at, x] of flips) copy[at] = copy[at]! ^ x;
      return ['corrupted', copy] as const;
    }),
  );

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const projectName = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?$/).filter((n) => n.toLowerCase().replace(/[-_.]+/g, '-') !== NAME);

function uploadPoisons(): fc.Arbitrary<UploadCase>[] {
  const kinds = fc.constantFrom('wheel', 'sdist' as const);
  return [
    kinds.chain((k) => fc.tuple(fc.constantFrom('sha256_digest', 'md5_digest', 'blake2_256_digest'), hex(64)).map(([f, v]) => ({
      ...setField(baseUpload(k), f, f === 'md5_digest' ? v.slice(0, 32) : v),
      poison: `wrong ${f}`,
    }))),
    kinds.chain((k) => projectName.map((n) => ({ ...setField(baseUpload(k), 'name', n), poison: `name ${n}, file of ${NAME}` }))),
    kinds.chain((k) => fc.constantFrom('2.0', '1.0.1', '0.9', '1.0rc1', '1!1.0').map((v) => ({ ...setField(baseUpload(k), 'version', v), poison: `version ${v}` }))),
    kinds.chain((k) => fc.constantFrom(':action', 'name', 'version').map((f) => ({ ...setField(baseUpload(k), f, undefined), poison: `no ${f}` }))),
    kinds.map((k) => ({ ...baseUpload(k), file: undefined, poison: 'no content part' })),
    kinds.chain((k) => fc.constantFrom('submit', 'doc_upload', 'remove_pkg', '', 'FILE_UPLOAD').map((a) => ({ ...setField(baseUpload(k), ':action', a), poison: `:action ${a}` }))),
    kinds.chain((k) => fc.constantFrom('2', '0', 'x').map((v) => ({ ...setField(baseUpload(k), 'protocol_version', v), poison: `protocol_version ${v}` }))),
    kinds.chain((k) => fc.constantFrom('9.9', '2.0', 'x').map((v) => ({ ...setField(baseUpload(k), 'metadata_version', v), poison: `metadata_version ${v}` }))),
    kinds.chain((k) =>
      fc.tuple(fc.constantFrom('name', 'version'), fc.string({ maxLength: 6 }), invisible).map(([f, a, ch]) => ({
        ...setField(baseUpload(k), f, `${a}${f === 'name' ? NAME : VERSION}${ch}`),
        poison: `${f} with U+${ch.charCodeAt(0).toString(16)}`,
      })),
    ),
    kinds.chain((k) =>
      fc
        .oneof(
          fc.constantFrom('../x.whl', '/tmp/corpus_pkg-1.0-py3-none-any.whl', 'a\\\\corpus_pkg-1.0.tar.gz', '.corpus_pkg-1.0.tar.gz', 'corpus_pkg-1.0.exe', 'corpus_pkg-1.0.tar.bz2', 'corpus_pkg-1.0-py3-none-ańy.whl', 'corpus_pkg-1.0\u202e.whl', 'C:corpus_pkg-1.0.tar.gz', 'corpus_pkg.whl', ''),
          fc.string({ maxLength: 20 }).filter((n) => n !== WHEEL && n !== SDIST),
        )
        .map((filename) => ({ ...baseUpload(k), file: { ...baseUpload(k).file!, filename }, poison: `filename ${JSON.stringify(filename)}` })),
    ),
    // Archives the server must look inside to refuse (the digests then match what is sent).
    fc
      .oneof(
        fc.constantFrom('wheelOtherVersion', 'wheelEmptyMetadata', 'wheelNoMetadata', 'wheelTraversal', 'wheelBomb').map((f) => ['wheel', f, files[f]!] as const),
        fc.constantFrom('sdistNoPkgInfo', 'sdistTraversal', 'sdistOtherName').map((f) => ['sdist', f, files[f]!] as const),
        // A good archive cut short never reads (its central directory or gzip trailer is gone). Flipped bytes are
        // not a sure refusal: in a member the server does not read, or in a gzip header's mtime, they go unseen.
        fc.constantFrom('wheel', 'sdist' as const).chain((k) =>
          fc.integer({ min: 0, max: files[k]!.length - 1 }).map((cut) => [k, `truncated ${k}`, files[k]!.subarray(0, cut)] as const),
        ),
        damaged(files.wheelOtherVersion!).map(([how, d]) => ['wheel', `${how} wheel of another version`, d] as const),
        fc.tuple(kinds, fc.uint8Array({ maxLength: 300 })).map(([k, b]) => [k, 'random bytes', Buffer.from(b)] as const),
      )
      .map(([k, label, data]) => ({ ...baseUpload(k), file: { ...baseUpload(k).file!, data }, fixDigests: true, poison: `archive: ${label}` })),
    // The multipart framing itself.
    kinds.chain((k) =>
      fc
        .oneof(
          fc.constant({ contentType: 'multipart/form-data; boundary=notTheBoundary', poison: 'wrong boundary' }),
          fc.constant({ contentType: 'multipart/form-data', poison: 'no boundary' }),
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded').map((t) => ({ contentType: t, poison: `Content-Type ${t}` })),
          fc.integer({ min: 0, max: 400 }).map((cut) => ({ cut, poison: `body cut to ${cut} bytes` })),
        )
        .map((m) => ({ ...baseUpload(k), ...m })),
    ),
    kinds.map((k) => ({ ...baseUpload(k), file: baseUpload(k).file && { ...baseUpload(k).file!, name: 'content2' }, poison: 'the file under another field name' })),
    kinds.chain((k) =>
      fc.constantFrom(undefined, 'Basic bm9wZQ==', 'Bearer nope', `Basic ${Buffer.from('aws:').toString('base64')}`, 'Digest x').map((a) => ({ ...baseUpload(k), authorization: a ?? '', poison: `authorization ${a}` })),
    ),
  ];
}

/** Noise: more fields (repeats appended after the first, never a field a poison removed), odd metadata values. */
function withUploadNoise(c: UploadCase): fc.Arbitrary<UploadCase> {
  const removed = new Set([':action', 'name', 'version'].filter((f) => !c.fields.some(([n]) => n === f)));
  return fc
    .array(
      fc.tuple(
        fc.constantFrom('summary', 'description', 'author', 'keywords', 'classifiers', 'requires_dist', 'project_urls', 'license', 'comment', 'x-unknown', 'name', 'version', 'home_page'),
        nastyString,
      ),
      { maxLength: 4 },
    )
    .map((extra) => ({ ...c, fields: [...c.fields, ...extra.filter(([n]) => !removed.has(n)).map(([n, v]) => [n, v.replace(/[\r\n]/g, ' ')] as [string, string])] }));
}

function multipartBody(c: UploadCase): Buffer {
  const sentFile = c.file;
  const fields = c.fixDigests && sentFile
    ? c.fields.map(([n, v]): [string, string] => (n === 'sha256_digest' ? [n, sha256(sentFile.data)] : n === 'md5_digest' ? [n, md5(sentFile.data)] : [n, v]))
    : c.fields;
  const parts: Buffer[] = [];
  for (const [name, value] of fields) parts.push(Buffer.from(`--${c.boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  if (sentFile) {
    const filename = sentFile.filename.replace(/"/g, '%22');
    parts.push(
      Buffer.from(`--${c.boundary}\r\nContent-Disposition: form-data; name="${sentFile.name ?? 'content'}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      sentFile.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${c.boundary}--\r\n`));
  const body = Buffer.concat(parts);
  return c.cut === undefined ? body : body.subarray(0, Math.min(c.cut, body.length - 1));
}

function sendUpload(c: UploadCase): Promise<request.Response> {
  const r = request(server)
    .post(REPO_URL)
    .set('Content-Type', c.contentType ?? `multipart/form-data; boundary=${c.boundary}`);
  if (c.authorization !== '') r.set('Authorization', c.authorization ?? `Basic ${Buffer.from(`aws:${token}`).toString('base64')}`);
  return r.send(multipartBody(c));
}

// ------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ca-corpus-'));
  store = openStore(dir);
  app = createApp(store, testConfig({ publicUrl: 'http://127.0.0.1:1' }));
  server = createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  await request(server).post('/v1/domain?domain=dom').expect(200);
  await request(server).post('/v1/repository?domain=dom&repository=base').expect(200);
  await request(server).post('/v1/repository?domain=dom&repository=repo').send({ upstreams: [{ repositoryName: 'base' }] }).expect(200);
  token = (await request(server).post('/v1/authorization-token?domain=dom').expect(200)).body.authorizationToken;
  // Something for every poison to miss: a generic version with an asset, and a PyPI release.
  await request(server)
    .post('/v1/package/version/publish?domain=dom&repository=repo&format=generic&namespace=ns&package=pkg&version=1.0&asset=a.txt')
    .set('x-amz-content-sha256', sha256('stored'))
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.from('stored'))
    .expect(200);
  buildArchives();
  baseline = await snapshot();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('generated bad input (fast-check, seed 20261201): never a 5xx, never a change', () => {
  it(`${CONTROL_PLANE_CASES} requests over every control-plane operation`, async () => {
    await fc.assert(
      fc.asyncProperty(controlPlaneCase, async (c) => {
        const res = await send(c);
        await expectRefusedAndUnchanged(`${c.op.name} (${c.poison}): ${c.method} ${c.path}?${c.query.map(([n, v]) => `${n}=${v}`).join('&').slice(0, 300)}`, res, 'control plane');
      }),
      { seed: SEED, numRuns: CONTROL_PLANE_CASES, endOnFailure: true },
    );
  });

  it(`${UPLOAD_CASES} uploads to the PyPI endpoint`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(...uploadPoisons()).chain(withUploadNoise), async (c) => {
        const res = await sendUpload(c);
        await expectRefusedAndUnchanged(`upload (${c.poison}): fields ${JSON.stringify(c.fields).slice(0, 300)}`, res, 'upload');
      }),
      { seed: SEED + 1, numRuns: UPLOAD_CASES, endOnFailure: true },
    );
  });

  it('covers at least 500 cases, and the good upload the poisons spoil is accepted (control)', async () => {
    expect(casesSent).toBeGreaterThanOrEqual(500);
    const res = await sendUpload(baseUpload('wheel'));
    expect(res.status, res.text).toBe(200);
  });
});
