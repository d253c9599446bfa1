// What the PyPI endpoint refuses, and that a refusal changes nothing: missing, unknown, expired and
// other-domain tokens (raw requests and the real twine/pip), and uploads with a wrong digest, a name or version
// that does not match the file, a duplicate file name with different bytes, a truncated or aborted multipart
// body, and unsafe file names. After each: the control plane shows the same packages, versions, revisions and
// assets; no file appeared anywhere under the data dir (blobs/ included); tmp/ is empty.
//
// The rejected uploads carry a valid wheel that is not stored yet (demo-dep 2.0.0) with exactly one thing wrong,
// so a server that wrongly accepted one would visibly store it. The last test uploads that wheel correctly.
//
// Needs: /usr/bin/twine, /usr/bin/python3 with build/setuptools/wheel (Debian), python3 with pip.
import { existsSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  ACCOUNT,
  BOUNDARY,
  abortedUpload,
  basic,
  describeHttp,
  expectStatus,
  expectedAssets,
  multipart,
  postForm,
  request,
  snapshot,
  tmpFiles,
  uploadFields,
  waitForEmptyTmp,
  type FilePart,
  type HttpResult,
  type StoreSnapshot,
} from './api.js';
import { DEMO_DEP, buildAll, sha256, type Built } from './fixtures.js';
import {
  checkClients,
  expectFailure,
  expectSuccess,
  explain,
  pipEnv,
  python,
  runTool,
  twineUpload,
  usePypiServer,
  type PypiSuite,
} from './tools.js';

const clients = checkClients(['build', 'twine', 'pip']);

const DOMAIN = 'neg-domain';
const REPO = 'neg';
const OTHER_DOMAIN = 'other-domain';
const OTHER_REPO = 'other';
/** The unsafe-file-name cases post here, so that a server which wrongly accepts one cannot spoil the others. */
const UNSAFE_REPO = 'unsafe';
const REPOS: [string, string][] = [
  [DOMAIN, REPO],
  [DOMAIN, UNSAFE_REPO],
  [OTHER_DOMAIN, OTHER_REPO],
];

/** The server, its control plane, the work dir and HOME: set by usePypiServer in the describe below. */
let ctx: PypiSuite;
let token: string;
let otherToken: string;
let base: string;
/** demo-dep 1.0.0 (stored), the same file names with other bytes, and demo-dep 2.0.0 (never stored until the end). */
let built: Record<'dep' | 'variant' | 'fresh', Built>;

const freshWheel = () => built.fresh.wheel;
/** A correct form for the fresh wheel, with `overrides` applied to the fields. */
const freshForm = (overrides: Record<string, string | undefined> = {}, file: Partial<FilePart> = {}) =>
  multipart(uploadFields(freshWheel(), 'demo-dep', '2.0.0', overrides), {
    data: freshWheel().bytes,
    filename: freshWheel().filename,
    ...file,
  });

/** A plain-text error: the message in the body and (for uploads) in the reason phrase. */
function expectTextError(what: string, r: HttpResult, status: number, message?: RegExp) {
  expectStatus(what, r, status);
  expect(r.headers['content-type'], describeHttp(what, r)).toMatch(/^text\/plain/);
  expect(r.text.trim().length, describeHttp(what, r)).toBeGreaterThan(0);
  if (message) expect(r.text, describeHttp(what, r)).toMatch(message);
}

/**
 * The store is as it was. A refusal is only sent once the upload's temp file is gone, so tmp/ is checked
 * at once; only a client that vanished without an answer (`settle`) gives the server a moment.
 */
async function expectUnchanged(before: StoreSnapshot, what: string, { settle = false } = {}) {
  const left = settle ? await waitForEmptyTmp(ctx.server.dataDir, 3_000) : tmpFiles(ctx.server.dataDir);
  expect(left, `${what}: files left in ${ctx.server.dataDir}/tmp`).toEqual([]);
  expect(await take(), `${what}: the store changed`).toEqual(before);
}

/** Disk, control plane and index (with each domain's own token). */
const take = () => snapshot(ctx.server.dataDir, ctx.cp, REPOS, { [DOMAIN]: token, [OTHER_DOMAIN]: otherToken });

describe.skipIf(clients.skip)('PyPI endpoint: rejected requests change nothing', () => {
  ctx = usePypiServer(clients, 'ca-pypi-rejections-');

  beforeAll(async () => {
    await ctx.cp.createDomain(DOMAIN);
    await ctx.cp.createRepository(DOMAIN, REPO);
    await ctx.cp.createRepository(DOMAIN, UNSAFE_REPO);
    await ctx.cp.createDomain(OTHER_DOMAIN);
    await ctx.cp.createRepository(OTHER_DOMAIN, OTHER_REPO);
    token = await ctx.cp.token(DOMAIN);
    otherToken = await ctx.cp.token(OTHER_DOMAIN);
    base = await ctx.cp.endpoint(DOMAIN, REPO);
    built = await buildAll(ctx.work, ctx.home, {
      dep: DEMO_DEP,
      variant: { ...DEMO_DEP, code: 'VALUE = 43  # other bytes, same file names\n', tag: 'variant' },
      fresh: { ...DEMO_DEP, version: '2.0.0', wheelOnly: true },
    });
    expect(built.variant.files.map((f) => f.filename)).toEqual(built.dep.files.map((f) => f.filename));
    for (const [i, f] of built.variant.files.entries()) expect(f.sha256).not.toBe(built.dep.files[i]!.sha256);
    const r = await twineUpload(base, built.dep.files.map((f) => f.path), token, ctx);
    expectSuccess(r, ctx.server);
  });

  test('the starting point: demo-dep 1.0.0 (wheel + sdist) stored, tmp/ empty', async () => {
    expect(await ctx.cp.assets(DOMAIN, REPO, 'demo-dep', '1.0.0')).toEqual(expectedAssets(built.dep.files));
    expect(tmpFiles(ctx.server.dataDir)).toEqual([]);
  });

  describe('authentication', () => {
    const targets = () => {
      const w = built.dep.wheel;
      return [
        { what: 'GET simple/', url: `${base}simple/` },
        { what: 'GET simple/demo-dep/', url: `${base}simple/demo-dep/` },
        { what: 'GET a file', url: `${base}simple/demo-dep/1.0.0/${w.filename}` },
        { what: 'GET a .metadata file', url: `${base}simple/demo-dep/1.0.0/${w.filename}.metadata` },
        { what: 'POST an upload', url: base, upload: true },
      ];
    };

    async function send(target: { url: string; upload?: boolean }, authorization: string | undefined) {
      if (target.upload) return postForm(target.url, authorization, freshForm());
      return request(target.url, { headers: authorization ? { Authorization: authorization } : {} });
    }

    test('a valid token works as Basic aws:<token> and as Bearer <token> (control)', async () => {
      for (const t of targets().filter((x) => !x.upload)) {
        expectStatus(`${t.what} Basic`, await send(t, basic(token)), 200);
        expectStatus(`${t.what} Bearer`, await send(t, `Bearer ${token}`), 200);
      }
    });

    test('missing, malformed or unknown credentials → 401 with a Basic challenge', async () => {
      const before = await take();
      const forged = `${token.slice(0, -6)}AAAAAA`;
      const cases: [string, string | undefined][] = [
        ['no Authorization header', undefined],
        ['Basic aws:<unknown token>', basic(forged)],
        ['Bearer <unknown token>', `Bearer ${forged}`],
        ['Basic aws:<empty>', basic('')],
        ['Basic without a colon', `Basic ${Buffer.from(token).toString('base64')}`],
        ['an unknown scheme', `Token ${token}`],
      ];
      for (const t of targets())
        for (const [label, authorization] of cases) {
          const r = await send(t, authorization);
          const what = `${t.what} with ${label}`;
          expectTextError(what, r, 401);
          expect(r.headers['www-authenticate'], describeHttp(what, r)).toMatch(/(^|,\s*)Basic realm="[^"]+"/);
        }
      await expectUnchanged(before, 'after 401s');
    });

    test('a valid token of another domain → 403', async () => {
      const before = await take();
      for (const t of targets())
        for (const authorization of [basic(otherToken), `Bearer ${otherToken}`])
          expectTextError(`${t.what} with ${OTHER_DOMAIN}'s token`, await send(t, authorization), 403);
      // And the other domain's token does work on its own domain (so the 403 is about the domain).
      const own = await request(`${ctx.server.url}/pypi/d/${OTHER_DOMAIN}-${ACCOUNT}/${OTHER_REPO}/simple/`, {
        headers: { Authorization: basic(otherToken) },
      });
      expectStatus('other token on its own domain', own, 200);
      await expectUnchanged(before, 'after 403s');
    });

    test('an expired token → 401 (the token row is aged in the database; the API cannot mint one)', async () => {
      // GetAuthorizationToken's minimum duration is 900 s and the server has no clock override, so the token's
      // expiry is moved into the past directly in the server's SQLite database. The server remembers a token it
      // has checked until the expiry it read (tokens cannot change otherwise), so this one is aged before its
      // first use; a twin minted beside it shows that a fresh one is accepted.
      const [expiring, twin] = [await ctx.cp.token(DOMAIN), await ctx.cp.token(DOMAIN)];
      expectStatus('fresh token', await request(`${base}simple/`, { headers: { Authorization: basic(twin) } }), 200);
      const db = new Database(path.join(ctx.server.dataDir, 'codeartifact.db'));
      try {
        db.pragma('busy_timeout = 5000');
        const changed = db
          .prepare('UPDATE auth_token SET expires_at = ? WHERE token_sha256 = ?')
          .run(Date.now() - 60_000, sha256(expiring)).changes;
        expect(changed, 'the auth_token row of the new token (schema changed?)').toBe(1);
      } finally {
        db.close();
      }
      const before = await take();
      for (const t of targets()) {
        const r = await send(t, basic(expiring));
        expectTextError(`${t.what} with an expired token`, r, 401, /expired/i);
        expect(r.headers['www-authenticate']).toMatch(/Basic realm=/);
      }
      await expectUnchanged(before, 'after expired-token requests');
    });

    test('twine with an unknown token fails (401) and stores nothing', async () => {
      const before = await take();
      const r = await twineUpload(base, [freshWheel().path], `${token.slice(0, -6)}AAAAAA`, ctx);
      expectFailure(r, ctx.server);
      expect(r.stdout + r.stderr, explain(r)).toMatch(/401/);
      await expectUnchanged(before, 'after twine with an unknown token');
    });

    test('twine with another domain’s token fails (403) and stores nothing', async () => {
      const before = await take();
      const r = await twineUpload(base, [freshWheel().path], otherToken, ctx);
      expectFailure(r, ctx.server);
      expect(r.stdout + r.stderr, explain(r)).toMatch(/403/);
      await expectUnchanged(before, 'after twine with the other domain’s token');
    });

    test('pip without credentials, or with another domain’s token, finds nothing', async () => {
      const indexPath = `127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${REPO}/simple/`;
      for (const indexUrl of [`http://${indexPath}`, `http://aws:${otherToken}@${indexPath}`]) {
        const dir = mkdtempSync(path.join(ctx.work, 'dl-'));
        const r = await runTool(
          python(),
          ['-m', 'pip', '--isolated', 'download', '--no-deps', '--no-cache-dir', '--no-input', '-d', dir, '--index-url', indexUrl, 'demo-dep'],
          { env: pipEnv(ctx.home), cwd: ctx.work },
        );
        expectFailure(r, ctx.server);
        expect(r.stderr, explain(r)).toContain('No matching distribution found for demo-dep');
      }
    });
  });

  describe('uploads that must be refused (400/409/410), each leaving the store as it was', () => {
    const post = (body: Buffer, authorization = basic(token), headers: Record<string, string> = {}) =>
      postForm(base, authorization, body, headers);

    async function refused(what: string, body: Buffer, status: number, message?: RegExp, headers?: Record<string, string>) {
      const before = await take();
      const r = await post(body, basic(token), headers);
      expectTextError(what, r, status, message);
      // The reason phrase carries the message too (twine prints it).
      expect(r.statusMessage.length, describeHttp(what, r)).toBeGreaterThan(0);
      await expectUnchanged(before, what);
      return r;
    }

    test('digest mismatch: sha256, md5 or blake2_256 not matching the bytes → 400', async () => {
      const msg = /digest/i;
      await refused('wrong sha256_digest', freshForm({ sha256_digest: '0'.repeat(64) }), 400, msg);
      await refused('sha256_digest of another file', freshForm({ sha256_digest: built.dep.wheel.sha256 }), 400, msg);
      await refused('wrong md5_digest', freshForm({ md5_digest: 'f'.repeat(32) }), 400, msg);
      await refused('wrong blake2_256_digest', freshForm({ blake2_256_digest: 'ab'.repeat(32) }), 400, msg);
      const r = await refused('wrong sha256_digest (reason)', freshForm({ sha256_digest: '1'.repeat(64) }), 400, msg);
      expect(r.statusMessage).toMatch(/digest/i);
    });

    test('name or version not matching the file name → 400', async () => {
      await refused('name demo-pkg, file demo_dep-2.0.0…', freshForm({ name: 'demo-pkg' }), 400);
      await refused('name demo-dep-x, file demo_dep-2.0.0…', freshForm({ name: 'demo-dep-x' }), 400);
      await refused('version 2.0.1, file …-2.0.0-…', freshForm({ version: '2.0.1' }), 400);
      await refused('version 1.0.0 (stored), file …-2.0.0-…', freshForm({ version: '1.0.0' }), 400);
      await refused(
        'file named for demo-pkg',
        freshForm({}, { filename: 'demo_pkg-2.0.0-py3-none-any.whl' }),
        400,
      );
    });

    test('invalid name or version → 400', async () => {
      await refused('name "-demo-dep-"', freshForm({ name: '-demo-dep-' }), 400, /invalid value for Name/);
      await refused('name "demo dep"', freshForm({ name: 'demo dep' }), 400, /invalid value for Name/);
      await refused('version "two"', freshForm({ version: 'two' }), 400, /Version/);
      await refused('no name field', freshForm({ name: undefined }), 400);
      await refused('no version field', freshForm({ version: undefined }), 400);
    });

    test('other malformed uploads → 400 (or 410 for the retired actions)', async () => {
      await refused('no content part', multipart(uploadFields(freshWheel(), 'demo-dep', '2.0.0')), 400);
      await refused('empty file', freshForm({ sha256_digest: sha256(''), md5_digest: undefined }, { data: Buffer.alloc(0) }), 400);
      await refused('not a zip, named .whl', freshForm({ sha256_digest: sha256('junk'), md5_digest: undefined }, { data: Buffer.from('junk') }), 400);
      await refused('extension .exe', freshForm({}, { filename: 'demo_dep-2.0.0.exe' }), 400);
      await refused('protocol_version 2', freshForm({ protocol_version: '2' }), 400);
      await refused(':action submit', freshForm({ ':action': 'submit' }), 410);
      const before = await take();
      const json = await request(base, {
        method: 'POST',
        headers: { Authorization: basic(token), 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'demo-dep', version: '2.0.0' }),
      });
      expectTextError('a JSON body', json, 400);
      await expectUnchanged(before, 'a JSON body');
    });

    test('same file name, different bytes → 409 "File already exists" (raw and via twine)', async () => {
      for (const f of built.variant.files) {
        const form = multipart(uploadFields(f, 'demo-dep', '1.0.0'), { data: f.bytes, filename: f.filename });
        const r = await refused(`different ${f.filename}`, form, 409, /File already exists/);
        expect(r.statusMessage).toMatch(/File already exists/);
      }
      const before = await take();
      const r = await twineUpload(base, built.variant.files.map((f) => f.path), token, ctx);
      expectFailure(r, ctx.server);
      expect(r.stdout + r.stderr, explain(r)).toMatch(/409/);
      expect(r.stdout + r.stderr, explain(r)).toMatch(/File already exists/);
      await expectUnchanged(before, 'twine upload of different bytes');
    });

    test('same file name, same bytes → 200 and no change (raw and via twine)', async () => {
      const before = await take();
      for (const f of built.dep.files) {
        const r = await post(multipart(uploadFields(f, 'demo-dep', '1.0.0'), { data: f.bytes, filename: f.filename }));
        expectStatus(`identical ${f.filename}`, r, 200);
      }
      expectSuccess(await twineUpload(base, built.dep.files.map((f) => f.path), token, ctx), ctx.server);
      await expectUnchanged(before, 'identical re-uploads');
    });

    test('truncated multipart bodies → 400', async () => {
      const full = freshForm();
      const closing = Buffer.from(`--${BOUNDARY}--\r\n`);
      expect(full.subarray(-closing.length).equals(closing)).toBe(true);
      const fileStart = full.indexOf(freshWheel().bytes);
      await refused('no closing boundary', full.subarray(0, full.length - closing.length), 400);
      await refused('cut in the middle of the file', full.subarray(0, fileStart + Math.floor(freshWheel().size / 2)), 400);
      await refused('cut in the middle of a part header', full.subarray(0, full.indexOf('name="content"') + 5), 400);
      await refused('boundary not in the body', freshForm(), 400, undefined, {
        'Content-Type': 'multipart/form-data; boundary=somethingelse',
      });
      await refused('no boundary parameter', freshForm(), 400, undefined, { 'Content-Type': 'multipart/form-data' });
    });

    test('a client that disconnects mid-upload leaves nothing behind', async () => {
      const before = await take();
      const full = freshForm();
      const fileStart = full.indexOf(freshWheel().bytes);
      await abortedUpload(base, basic(token), full, fileStart + Math.floor(freshWheel().size / 2));
      await expectUnchanged(before, 'aborted upload', { settle: true });
      // The server is still fine afterwards.
      expectStatus('after the abort', await request(`${base}simple/`, { headers: { Authorization: basic(token) } }), 200);
    });

    test('unsafe file names (../, absolute, backslashes, drive letters, NUL) → 400, nothing written anywhere', async () => {
      const name = freshWheel().filename;
      const outside = [
        path.join(path.dirname(ctx.server.dataDir), name),
        path.join(ctx.server.dataDir, name),
        path.join('/tmp', name),
      ];
      const cases: [string, Partial<FilePart>][] = [
        ['../<file>', { filename: `../${name}` }],
        ['../../<file>', { filename: `../../${name}` }],
        ['blobs/../../<file>', { filename: `blobs/../../${name}` }],
        ['/tmp/<file> (absolute)', { filename: `/tmp/${name}` }],
        ['sub/<file>', { filename: `sub/${name}` }],
        // In a quoted-string `\\` is one backslash.
        ['..\\<file>', { filename: `..\\\\${name}` }],
        ['a\\<file>', { filename: `a\\\\${name}` }],
        ['C:<file> (drive-relative)', { filename: `C:${name}` }],
        ['<file> followed by NUL', { filename: `${name}\u0000` }],
        ['NUL inside the name', { filename: name.replace('.whl', '\u0000.whl') }],
        ["filename*=UTF-8''..%2F<file>", { disposition: `form-data; name="content"; filename*=UTF-8''..%2F${name}` }],
        ["filename*=UTF-8''..%5C<file>", { disposition: `form-data; name="content"; filename*=UTF-8''..%5C${name}` }],
        ["filename*=UTF-8''<file>%00", { disposition: `form-data; name="content"; filename*=UTF-8''${name}%00` }],
        ['.<file> (hidden / dot-leading)', { filename: `.${name}` }],
      ];
      const failures: string[] = [];
      const unsafeBase = await ctx.cp.endpoint(DOMAIN, UNSAFE_REPO);
      for (const [label, file] of cases) {
        const before = await take();
        const r = await postForm(unsafeBase, basic(token), freshForm({}, file));
        if (r.status !== 400) failures.push(`${label}: expected 400, got ${r.status} ${r.statusMessage}: ${r.text.trim()}`);
        else expect(r.headers['content-type'], label).toMatch(/^text\/plain/);
        const left = tmpFiles(ctx.server.dataDir);
        if (left.length) failures.push(`${label}: tmp/ not empty after the answer: ${left.join(', ')}`);
        const after = await take();
        if (JSON.stringify(after) !== JSON.stringify(before))
          failures.push(`${label}: the store changed: ${JSON.stringify(after.packages)}`);
        for (const p of outside) if (existsSync(p)) failures.push(`${label}: ${p} was written`);
        // A wrongly accepted case stores the wheel in UNSAFE_REPO; later cases compare with their own `before`,
        // so each failure is reported once, and the control test below (another repository) is unaffected.
      }
      expect(failures, failures.join('\n')).toEqual([]);
    });

    test('control: the same wheel, sent correctly, is accepted and stored', async () => {
      const before = await take();
      const r = await post(freshForm());
      expectStatus('correct upload of demo-dep 2.0.0', r, 200);
      expect(await ctx.cp.versionStatuses(DOMAIN, REPO, 'demo-dep')).toEqual({ '1.0.0': 'Published', '2.0.0': 'Published' });
      expect(await ctx.cp.assets(DOMAIN, REPO, 'demo-dep', '2.0.0')).toEqual(expectedAssets([freshWheel()]));
      expect(tmpFiles(ctx.server.dataDir)).toEqual([]);
      const after = await take();
      const added = after.files.filter((f) => !before.files.includes(f));
      expect(added).toEqual([
        `${path.join('blobs', freshWheel().sha256.slice(0, 2), freshWheel().sha256.slice(2, 4), freshWheel().sha256)} ${freshWheel().size}`,
      ]);
    });
  });
});
