// Upstream repositories with the real clients (issue 7), as AWS CodeArtifact's user guide describes them
// ("Upstream repository priority order", "Requesting a package version with upstream repositories"):
//
//   chain-domain:  team ──upstream──▶ shared ──upstream──▶ base
//   chain-app 1.0.0 (needs chain-lib>=1.0) in team, chain-lib 1.0.0 (needs chain-core>=1.0) in shared,
//   chain-core 1.0.0 in base, each uploaded with twine to its own repository.
//
// - team's package endpoints resolve team, then its upstreams depth-first: its project pages show chain-lib and
//   chain-core, and pip installs all three from team's index URL alone;
// - a file downloaded from upstream is retained in team (only team, not shared): team's ListPackages /
//   ListPackageVersions then show it with origin INTERNAL and domainEntryPoint = the repository it was published
//   to, its package in team gets publish BLOCK / upstream ALLOW, the blob store keeps one copy per distinct file,
//   and team keeps serving it after it is deleted upstream;
// - before any download, team's control plane shows only what team itself holds;
// - `poetry add` through team resolves a chain of its own (relay-*, see that describe for why);
// - a package published directly to team (origin upstream BLOCK by default) hides that name's upstream versions;
// - UpdateRepository refuses a cycle (ValidationException) and an 11th direct upstream (402 quota).
//
// The steps build on each other and run in order (one server for the file). Written ahead of the feature:
// until upstreams are consulted, team's pages 404 chain-lib/chain-core, pip and poetry cannot resolve the
// dependencies, nothing is retained and versions carry no domainEntryPoint, so those steps fail; the set-up,
// origin-control and UpdateRepository steps already pass.
//
// Needs: /usr/bin/twine, /usr/bin/poetry, /usr/bin/python3 with build/setuptools/wheel (Debian), python3 (+pip,
// venv). Missing locally: skipped. Missing on CI (CI=true): the suite fails.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { listFiles } from '../../support/files.js';
import {
  ACCOUNT,
  PIP_ACCEPT,
  basic,
  describeHttp,
  expectStatus,
  expectedAssets,
  htmlLinks,
  request,
  type HttpResult,
  type PackageVersionOrigin,
} from './api.js';
import { buildAll, sha256, writePoetryConsumer, type Built, type Dist, type SetuptoolsSpec } from './fixtures.js';
import {
  POETRY,
  checkClients,
  expectFailure,
  expectSuccess,
  explain,
  makeVenv,
  pipEnv,
  poetryEnv,
  python,
  runTool,
  twineUpload,
  usePypiServer,
  type PoetryDirs,
  type PypiSuite,
  type Ran,
  readPipReport,
  withoutCredentials,
  type PipReportItem,
} from './tools.js';

const clients = checkClients(['build', 'twine', 'pip', 'venv', 'poetry']);

const DOMAIN = 'chain-domain';
const BASE = 'base';
const SHARED = 'shared';
const TEAM = 'team';

/** The server, its control plane, the work dir and HOME: set by usePypiServer in the describe below. */
let ctx: PypiSuite;
let token: string;
type Key = 'app' | 'lib' | 'core' | 'relayApp' | 'relayLib' | 'relayCore' | 'blockedOld' | 'blockedNew';
let built: Record<Key, Built>;
/** Every file uploaded so far, in any repository (what the blob store must hold, once each). */
const uploaded: Dist[] = [];

const baseOf = (repo: string) => `${ctx.server.url}/pypi/d/${DOMAIN}-${ACCOUNT}/${repo}/`;
/** The index URL as pip takes it: credentials in the URL, 127.0.0.1 only. */
const pipIndexUrl = (repo: string) =>
  `http://aws:${token}@127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${repo}/simple/`;

const setuptools = (
  name: string,
  version: string,
  code: string,
  dependencies: string[] = [],
  wheelOnly = false,
): SetuptoolsSpec => ({
  name,
  version,
  summary: `${name} ${version} for the upstream suite`,
  readme: `# ${name}\n\n${name} ${version}.\n`,
  module: name.replace(/-/g, '_'),
  code,
  dependencies,
  requiresPython: '>=3.8',
  wheelOnly,
});

const SPECS: Record<Key, SetuptoolsSpec> = {
  // chain_app.answer() = chain_lib.value() + chain_core.BASE // 40 = 41 + 1: an import proves all three.
  core: setuptools('chain-core', '1.0.0', 'BASE = 40\n'),
  lib: setuptools('chain-lib', '1.0.0', 'from chain_core import BASE\n\n\ndef value():\n    return BASE + 1\n', [
    'chain-core>=1.0',
  ]),
  app: setuptools(
    'chain-app',
    '1.0.0',
    'from chain_core import BASE\nfrom chain_lib import value\n\n\ndef answer():\n    return value() + BASE // 40\n',
    ['chain-lib>=1.0'],
  ),
  // poetry's chain (wheels only): relay_app.answer() = relay_lib.double() + 1 = 2 * 3 + 1.
  relayCore: setuptools('relay-core', '1.0.0', 'SEED = 3\n', [], true),
  relayLib: setuptools('relay-lib', '1.0.0', 'from relay_core import SEED\n\n\ndef double():\n    return SEED * 2\n', ['relay-core>=1.0'], true),
  relayApp: setuptools('relay-app', '1.0.0', 'from relay_lib import double\n\n\ndef answer():\n    return double() + 1\n', ['relay-lib>=1.0'], true),
  blockedOld: setuptools('blocked-lib', '0.1.0', 'VERSION = "0.1.0"\n', [], true),
  blockedNew: setuptools('blocked-lib', '2.0.0', 'VERSION = "2.0.0"\n', [], true),
};

async function upload(repo: string, b: Built) {
  const r = await twineUpload(baseOf(repo), b.files.map((f) => f.path), token, ctx);
  expectSuccess(r, ctx.server);
  uploaded.push(...b.files);
}

function get(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return request(url, { headers: { Authorization: basic(token), ...headers } });
}

/** The PEP 691 JSON page of a project, as pip asks for it. */
async function jsonPage(repo: string, project: string): Promise<any> {
  const r = await get(`${baseOf(repo)}simple/${project}/`, { Accept: PIP_ACCEPT });
  expectStatus(`${repo} JSON page ${project}`, r, 200);
  expect(r.headers['content-type']).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
  return JSON.parse(r.text);
}

/** `repo`'s page for `b` lists exactly b's version and files (name, sha256, size), each at repo's own file URL. */
async function expectPageLists(repo: string, b: Built) {
  const page = await jsonPage(repo, b.name);
  expect(page.name).toBe(b.name);
  expect(page.versions, `${repo} ${b.name} versions`).toEqual([b.version]);
  const rows = (page.files as any[]).map((f) => `${f.filename} ${f.hashes.sha256} ${f.size}`).sort();
  expect(rows, `${repo} ${b.name} files`).toEqual(b.files.map((f) => `${f.filename} ${f.sha256} ${f.size}`).sort());
  for (const f of page.files)
    expect(new URL(f.url, `${baseOf(repo)}simple/${b.name}/`).href).toBe(
      `${baseOf(repo)}simple/${b.name}/${b.version}/${f.filename}`,
    );
}

const published = (repositoryName: string): PackageVersionOrigin => ({
  originType: 'INTERNAL',
  domainEntryPoint: { repositoryName },
});

function expectAwsError(what: string, r: HttpResult, type: string, status: number): string {
  expect(r.status, describeHttp(what, r)).toBe(status);
  expect(String(r.headers['x-amzn-errortype']).split(':')[0], describeHttp(what, r)).toBe(type);
  const message = JSON.parse(r.text).message as string;
  expect(typeof message).toBe('string');
  return message;
}

// ------------------------------------------------------------------------------------------------------------
// pip, as in twine-pip.test.ts (adapted: the repository whose index pip used is a parameter)
// ------------------------------------------------------------------------------------------------------------

/** Exactly `wheels` were installed, each from `repo`'s file URL for it (not another repository's), with its sha256. */
function expectFromIndex(items: PipReportItem[], repo: string, wheels: Dist[]) {
  expect(items.map((i) => i.metadata.name).sort()).toEqual(
    wheels.map((w) => w.filename.split('-')[0]!.replace(/_/g, '-')).sort(),
  );
  for (const w of wheels) {
    const item = items.find((i) => i.download_info.url.endsWith(`/${w.filename}`));
    expect(item, `no report item for ${w.filename}: ${JSON.stringify(items)}`).toBeDefined();
    const [name, version] = w.filename.split('-') as [string, string];
    expect(withoutCredentials(item!.download_info.url)).toBe(
      `${baseOf(repo)}simple/${name.replace(/_/g, '-')}/${version}/${w.filename}`,
    );
    const hashes = item!.download_info.archive_info?.hashes ?? {};
    const hash = hashes.sha256 ?? item!.download_info.archive_info?.hash?.replace(/^sha256=/, '');
    expect(hash).toBe(w.sha256);
  }
}

/** `pip --isolated install chain-app` into a fresh venv from team's index; checks the report and the import. */
async function pipInstallChainApp(venvName: string) {
  const venv = await makeVenv(path.join(ctx.work, venvName), ctx.home);
  const report = path.join(ctx.work, `${venvName}-report.json`);
  const r = await runTool(
    `${venv}/pip`,
    [
      '--isolated',
      'install',
      '--disable-pip-version-check',
      '--no-cache-dir',
      '--index-url',
      pipIndexUrl(TEAM),
      '--report',
      report,
      'chain-app',
    ],
    { env: pipEnv(ctx.home), cwd: ctx.work },
  );
  expectSuccess(r, ctx.server);
  expect(r.stdout).toContain(`Looking in indexes: http://aws:****@127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${TEAM}/simple/`);
  expect(r.stdout).not.toMatch(/Looking in links/);
  expect(r.stdout).toMatch(/Successfully installed chain-app-1\.0\.0 chain-core-1\.0\.0 chain-lib-1\.0\.0/);
  expectFromIndex(readPipReport(report), TEAM, [built.app.wheel, built.lib.wheel, built.core.wheel]);

  const imported = await runTool(
    `${venv}/python`,
    [
      '-c',
      'import chain_app, chain_lib, chain_core, sys; print(chain_app.answer()); ' +
        'print(all(m.__file__.startswith(sys.prefix) for m in (chain_app, chain_lib, chain_core)))',
    ],
    { env: pipEnv(ctx.home), cwd: ctx.work },
  );
  expectSuccess(imported);
  expect(imported.stdout.trim().split('\n')).toEqual(['42', 'True']);
}

/** `pip download --no-deps` of one requirement into a fresh dir (isolated, pyenv pip, no venv needed). */
async function pipDownload(indexUrl: string, spec: string): Promise<{ run: Ran; files: string[]; dir: string }> {
  const dir = mkdtempSync(path.join(ctx.work, 'dl-'));
  const r = await runTool(
    python(),
    [
      '-m',
      'pip',
      '--isolated',
      'download',
      '--disable-pip-version-check',
      '--no-cache-dir',
      '--no-deps',
      '-d',
      dir,
      '--index-url',
      indexUrl,
      spec,
    ],
    { env: pipEnv(ctx.home), cwd: ctx.work },
  );
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  return { run: r, files, dir };
}

// ------------------------------------------------------------------------------------------------------------
// The blob store
// ------------------------------------------------------------------------------------------------------------

/** The blob store's files as listFiles shows them: `ab/cd/<sha256> <size>`. */
const blobLine = (f: Dist) => `${f.sha256.slice(0, 2)}/${f.sha256.slice(2, 4)}/${f.sha256} ${f.size}`;
const blobFiles = () => listFiles(path.join(ctx.server.dataDir, 'blobs'));
/** One line per distinct file uploaded so far. */
const expectedBlobs = () => [...new Set(uploaded.map(blobLine))].sort();

describe.skipIf(clients.skip)('upstream repositories with twine, pip and poetry', () => {
  ctx = usePypiServer(clients, 'ca-pypi-upstreams-');

  beforeAll(async () => {
    await ctx.cp.createDomain(DOMAIN);
    await ctx.cp.createRepository(DOMAIN, BASE);
    await ctx.cp.createRepository(DOMAIN, SHARED, [BASE]);
    await ctx.cp.createRepository(DOMAIN, TEAM, [SHARED]);
    token = await ctx.cp.token(DOMAIN);
    built = await buildAll(ctx.work, ctx.home, SPECS);
  });

  test('set-up: base ← shared ← team; twine uploads chain-core to base, chain-lib to shared, chain-app to team', async () => {
    expect(await ctx.cp.upstreams(DOMAIN, TEAM)).toEqual([SHARED]);
    expect(await ctx.cp.upstreams(DOMAIN, SHARED)).toEqual([BASE]);
    expect(await ctx.cp.upstreams(DOMAIN, BASE)).toEqual([]);
    for (const b of [built.app, built.lib, built.core])
      expect(b.files.map((f) => f.kind).sort(), b.name).toEqual(['sdist', 'wheel']);
    await upload(BASE, built.core);
    await upload(SHARED, built.lib);
    await upload(TEAM, built.app);
    expect(await ctx.cp.packages(DOMAIN, BASE)).toEqual(['chain-core']);
    expect(await ctx.cp.packages(DOMAIN, SHARED)).toEqual(['chain-lib']);
    expect(await ctx.cp.packages(DOMAIN, TEAM)).toEqual(['chain-app']);
  });

  test('directly published versions name their own repository as domainEntryPoint (List/DescribePackageVersion)', async () => {
    for (const [repo, b] of [
      [TEAM, built.app],
      [SHARED, built.lib],
      [BASE, built.core],
    ] as const) {
      expect(await ctx.cp.versionOrigins(DOMAIN, repo, b.name), `${repo} ${b.name}`).toEqual({ '1.0.0': published(repo) });
      const v = await ctx.cp.describeVersion(DOMAIN, repo, b.name, b.version);
      expect(v.origin, `${repo} ${b.name} DescribePackageVersion`).toEqual(published(repo));
    }
  });

  test('before any download: team lists only chain-app; its pages show chain-lib and chain-core from upstream', async () => {
    expect(await ctx.cp.packages(DOMAIN, TEAM)).toEqual(['chain-app']);

    // Depth-first: team → shared (chain-lib) → base (chain-core); shared → base one level down.
    await expectPageLists(TEAM, built.app);
    await expectPageLists(TEAM, built.lib);
    await expectPageLists(TEAM, built.core);
    await expectPageLists(SHARED, built.core);

    // PEP 503 HTML says the same: every file of chain-core with its #sha256, at team's own file URL.
    const r = await get(`${baseOf(TEAM)}simple/chain-core/`);
    expectStatus('team HTML page chain-core', r, 200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const links = htmlLinks(r.text);
    expect(links.map((l) => l.text).sort()).toEqual(built.core.files.map((f) => f.filename).sort());
    for (const l of links) {
      const f = built.core.files.find((x) => x.filename === l.text)!;
      const [href, fragment] = l.href.split('#');
      expect(fragment).toBe(`sha256=${f.sha256}`);
      expect(new URL(href!, `${baseOf(TEAM)}simple/chain-core/`).href).toBe(`${baseOf(TEAM)}simple/chain-core/1.0.0/${f.filename}`);
    }

    // Reading pages is not downloading a file: nothing is retained yet, anywhere.
    expect(await ctx.cp.packages(DOMAIN, TEAM)).toEqual(['chain-app']);
    expect(await ctx.cp.packages(DOMAIN, SHARED)).toEqual(['chain-lib']);
  });

  test('pip --isolated installs chain-app from team’s index into a fresh venv: all three come from team', async () => {
    await pipInstallChainApp('venv-chain');
  });

  test('after the install: team retains chain-lib and chain-core with their origin; shared retains nothing', async () => {
    expect(await ctx.cp.packages(DOMAIN, TEAM)).toEqual(['chain-app', 'chain-core', 'chain-lib']);
    expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'chain-lib')).toEqual({ '1.0.0': published(SHARED) });
    expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'chain-core')).toEqual({ '1.0.0': published(BASE) });
    expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'chain-app')).toEqual({ '1.0.0': published(TEAM) });
    for (const [pkg, from] of [
      ['chain-lib', SHARED],
      ['chain-core', BASE],
    ] as const) {
      expect(await ctx.cp.versionStatuses(DOMAIN, TEAM, pkg)).toEqual({ '1.0.0': 'Published' });
      expect((await ctx.cp.describeVersion(DOMAIN, TEAM, pkg, '1.0.0')).origin, pkg).toEqual(published(from));
    }

    // A package retained from upstream: publishing to it blocked, upstream allowed. chain-app keeps the
    // defaults of a directly published package.
    for (const pkg of ['chain-lib', 'chain-core']) {
      const p = await ctx.cp.describePackage(DOMAIN, TEAM, pkg);
      expect(p.originConfiguration.restrictions, pkg).toEqual({ publish: 'BLOCK', upstream: 'ALLOW' });
    }
    const app = await ctx.cp.describePackage(DOMAIN, TEAM, 'chain-app');
    expect(app.originConfiguration.restrictions).toEqual({ publish: 'ALLOW', upstream: 'BLOCK' });

    // The wheel pip downloaded is an asset of team's copy, same name, size and hashes, same bytes.
    for (const b of [built.lib, built.core]) {
      expect(await ctx.cp.assets(DOMAIN, TEAM, b.name, b.version)).toEqual(expect.arrayContaining(expectedAssets([b.wheel])));
      expect(sha256(await ctx.cp.assetBytes(DOMAIN, TEAM, b.name, b.version, b.wheel.filename))).toBe(b.wheel.sha256);
    }

    // Only the repository the client asked retains: shared (which chain-core passed through) does not.
    expect(await ctx.cp.packages(DOMAIN, SHARED)).toEqual(['chain-lib']);
    expect(await ctx.cp.packages(DOMAIN, BASE)).toEqual(['chain-core']);

    // Blobs are shared: one file per distinct uploaded file, named by its sha256, nothing copied per repository.
    expect(blobFiles()).toEqual(expectedBlobs());
    expect(blobFiles()).toHaveLength(6);
  });

  test('deleted upstream (DeletePackageVersions in shared and base): team still serves them, pip still installs', async () => {
    const lib = await ctx.cp.deleteVersions(DOMAIN, SHARED, 'chain-lib', ['1.0.0']);
    expect(Object.keys(lib.successfulVersions ?? {})).toEqual(['1.0.0']);
    const core = await ctx.cp.deleteVersions(DOMAIN, BASE, 'chain-core', ['1.0.0']);
    expect(Object.keys(core.successfulVersions ?? {})).toEqual(['1.0.0']);
    const gone = await get(`${baseOf(SHARED)}simple/chain-lib/`, { Accept: PIP_ACCEPT });
    expectStatus('shared page chain-lib after the delete', gone, 404);

    expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'chain-lib')).toEqual({ '1.0.0': published(SHARED) });
    expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'chain-core')).toEqual({ '1.0.0': published(BASE) });
    for (const b of [built.lib, built.core]) {
      const page = await jsonPage(TEAM, b.name);
      expect(page.versions).toEqual(['1.0.0']);
      expect(page.files.map((f: any) => `${f.filename} ${f.hashes.sha256}`)).toContain(`${b.wheel.filename} ${b.wheel.sha256}`);
    }

    await pipInstallChainApp('venv-chain-after-delete');

    // The blobs team's copies use are still there; still no second copy of anything.
    const blobs = blobFiles();
    for (const w of [built.app.wheel, built.lib.wheel, built.core.wheel]) expect(blobs).toContain(blobLine(w));
    for (const line of blobs) expect(expectedBlobs()).toContain(line);
  });

  describe('poetry add through team', () => {
    // Its own chain (relay-app in team → relay-lib in shared → relay-core in base, wheels only) rather than
    // chain-*: after the install above chain-lib and chain-core are retained in team and deleted upstream, so
    // poetry would never exercise resolution through upstreams. relay-* is untouched until poetry asks for it.
    test('`poetry add relay-app` (team the only, default source) resolves all three through the upstreams', async () => {
      await upload(BASE, built.relayCore);
      await upload(SHARED, built.relayLib);
      await upload(TEAM, built.relayApp);

      const root = mkdtempSync(path.join(ctx.work, 'poetry-'));
      const dirs: PoetryDirs = { home: path.join(root, 'home'), config: path.join(root, 'config'), cache: path.join(root, 'cache') };
      for (const d of Object.values(dirs)) mkdirSync(d);
      const project = path.join(ctx.work, 'relay-consumer');
      const poetry = (args: string[]) => runTool(POETRY, args, { env: poetryEnv(dirs), cwd: project, timeoutMs: 240_000 });
      writePoetryConsumer(project);
      const source = `${baseOf(TEAM)}simple/`;
      expectSuccess(await poetry(['source', 'add', '--default', 'codeartifact', source]));
      expectSuccess(await poetry(['config', 'http-basic.codeartifact', 'aws', token]));
      expect(readFileSync(path.join(project, 'pyproject.toml'), 'utf8')).toContain(`url = "${source}"`);

      const r = await poetry(['add', 'relay-app', '-n']);
      expectSuccess(r, ctx.server);
      for (const name of ['relay-core', 'relay-lib', 'relay-app'])
        expect(r.stdout, explain(r)).toMatch(new RegExp(`Installing ${name} \\(1\\.0\\.0\\)`));

      // The lock file: all three from team's source (not shared's or base's), with the wheels' sha256.
      const lock = readFileSync(path.join(project, 'poetry.lock'), 'utf8');
      for (const b of [built.relayApp, built.relayLib, built.relayCore]) {
        const section = lock.split('[[package]]').find((s) => s.includes(`name = "${b.name}"`));
        expect(section, `${b.name} in poetry.lock:\n${lock}`).toBeDefined();
        expect(section).toContain(`version = "${b.version}"`);
        for (const f of b.files) expect(section).toContain(`{file = "${f.filename}", hash = "sha256:${f.sha256}"}`);
        // poetry drops the source URL's trailing slash (and adds `/<name>/` itself when it fetches).
        expect(section).toContain(`url = "${source.replace(/\/$/, '')}"`);
        expect(section).toMatch(/reference = "codeartifact"/);
      }

      const imported = await runTool(
        path.join(project, '.venv', 'bin', 'python'),
        ['-c', 'import relay_app; print(relay_app.answer())'],
        { env: poetryEnv(dirs), cwd: project },
      );
      expectSuccess(imported);
      expect(imported.stdout.trim()).toBe('7');

      // poetry downloaded the files through team, so team retains them, with where they were published.
      expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'relay-lib')).toEqual({ '1.0.0': published(SHARED) });
      expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'relay-core')).toEqual({ '1.0.0': published(BASE) });
      expect(await ctx.cp.packages(DOMAIN, SHARED)).not.toContain('relay-core');
    });
  });

  describe('origin control: a package published directly to team blocks its upstream versions', () => {
    test('blocked-lib 0.1.0 in team, 2.0.0 in shared: team shows and serves only 0.1.0; shared 2.0.0', async () => {
      await upload(TEAM, built.blockedOld);
      await upload(SHARED, built.blockedNew);
      const p = await ctx.cp.describePackage(DOMAIN, TEAM, 'blocked-lib');
      expect(p.originConfiguration.restrictions).toEqual({ publish: 'ALLOW', upstream: 'BLOCK' });

      const page = await jsonPage(TEAM, 'blocked-lib');
      expect(page.versions).toEqual(['0.1.0']);
      expect(page.files.map((f: any) => f.filename)).toEqual([built.blockedOld.wheel.filename]);

      const fromTeam = await pipDownload(pipIndexUrl(TEAM), 'blocked-lib');
      expectSuccess(fromTeam.run, ctx.server);
      expect(fromTeam.files).toEqual([built.blockedOld.wheel.filename]);
      expect(sha256(readFileSync(path.join(fromTeam.dir, fromTeam.files[0]!)))).toBe(built.blockedOld.wheel.sha256);

      const fromShared = await pipDownload(pipIndexUrl(SHARED), 'blocked-lib');
      expectSuccess(fromShared.run, ctx.server);
      expect(fromShared.files).toEqual([built.blockedNew.wheel.filename]);
      expect(sha256(readFileSync(path.join(fromShared.dir, fromShared.files[0]!)))).toBe(built.blockedNew.wheel.sha256);

      // Blocked means blocked everywhere on team: asking for 2.0.0 by name or by file URL finds nothing.
      const pinned = await pipDownload(pipIndexUrl(TEAM), 'blocked-lib==2.0.0');
      expectFailure(pinned.run, ctx.server);
      expect(pinned.run.stdout + pinned.run.stderr, explain(pinned.run)).toMatch(/No matching distribution found for blocked-lib==2\.0\.0/);
      const file = await get(`${baseOf(TEAM)}simple/blocked-lib/2.0.0/${built.blockedNew.wheel.filename}`);
      expectStatus('team file URL of blocked-lib 2.0.0', file, 404);
      expect(await ctx.cp.versionStatuses(DOMAIN, TEAM, 'blocked-lib')).toEqual({ '0.1.0': 'Published' });
    });
  });

  describe('UpdateRepository guards the upstream graph', () => {
    test('making team an upstream of base (team → shared → base → team) is a ValidationException naming a cycle', async () => {
      const r = await ctx.cp.updateUpstreams(DOMAIN, BASE, [TEAM]);
      const message = expectAwsError('UpdateRepository base upstreams [team]', r, 'ValidationException', 400);
      expect(message).toMatch(/cycle/i);
      expect(await ctx.cp.upstreams(DOMAIN, BASE)).toEqual([]);
    });

    test('10 direct upstreams are accepted; 11 are a ServiceQuotaExceededException (402) and change nothing', async () => {
      const names = Array.from({ length: 11 }, (_, i) => `wide-upstream-${i}`);
      for (const name of names) await ctx.cp.createRepository(DOMAIN, name);
      await ctx.cp.createRepository(DOMAIN, 'wide');
      const ten = await ctx.cp.updateUpstreams(DOMAIN, 'wide', names.slice(0, 10));
      expectStatus('UpdateRepository wide with 10 upstreams', ten, 200);
      expect(await ctx.cp.upstreams(DOMAIN, 'wide')).toEqual(names.slice(0, 10));
      const eleven = await ctx.cp.updateUpstreams(DOMAIN, 'wide', names);
      expectAwsError('UpdateRepository wide with 11 upstreams', eleven, 'ServiceQuotaExceededException', 402);
      expect(await ctx.cp.upstreams(DOMAIN, 'wide')).toEqual(names.slice(0, 10));
    });
  });
});
