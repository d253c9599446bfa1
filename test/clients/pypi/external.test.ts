// External connections, origin controls, package groups, dispose and copy with the real clients (issue 9,
// "Real clients, in CI"). Every source is on this machine: nothing dials out (the clients keep the unreachable
// proxy of tools.ts; the servers only ever reach 127.0.0.1 and file:// folders the suite made).
//
//   main server, ext-domain:  team ──upstream──▶ shared ──external connection──▶ public:pypi
//   public:pypi = a second instance of this server (its own data dir), whose repository public/pypi holds
//                 ext-lib 1.0.0 (needs ext-core>=1.0) and ext-core 1.0.0, uploaded with twine; the main server
//                 reaches it as http://aws:<its token>@127.0.0.1:<port>/.../simple/ (credentials → Basic auth).
//
// 1. pip installs ext-lib (and so ext-core) from team's index alone; afterwards team and shared both hold the
//    fetched versions with origin EXTERNAL via public:pypi and publish BLOCK / upstream ALLOW; with the public
//    server stopped, pip in a fresh venv still installs from team. A source whose listed sha256 does not match
//    its bytes (a small HTTP server in this file) gets a 502 and stores nothing.
// 2. public:pypi as a file:// wheelhouse (pip installs what only the folder has, and still does once the folder
//    is gone) and as a file:// PEP 503 tree whose data-yanked stays on our page (PEP 592), each on a server of
//    its own.
// 3. Dependency confusion: internal-lib 1.0 in team, 9.9 in public. Defaults keep 9.9 out; a package group
//    /pypi//internal-~ with EXTERNAL_UPSTREAM BLOCK keeps it out after the package's own configuration is reset
//    to ALLOW/ALLOW; the group set to ALLOW lets it in.
// 4. Publishing blocked by a package's origin configuration (twine and poetry) or by a package group (twine):
//    a 409 whose text says so, and nothing stored.
// 5. DisposePackageVersions removes the files (404) and their unshared bytes; CopyPackageVersions serves the same
//    bytes from the destination without a second copy on disk.
//
// The main server runs with --external-ttl 0, so every page reads the source's current listing (the public
// repository changes during the suite). The steps build on each other and run in order.
//
// Needs: /usr/bin/twine, /usr/bin/poetry, /usr/bin/python3 with build/setuptools/wheel (Debian), python3 (+pip,
// venv), curl. Missing locally: skipped. Missing on CI (CI=true): the suite fails.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listFiles } from '../../support/files.js';
import { startServer, type RunningServer } from '../../support/server.js';
import {
  ACCOUNT,
  ControlPlane,
  PIP_ACCEPT,
  basic,
  describeHttp,
  expectStatus,
  expectedAssets,
  htmlLinks,
  request,
  snapshot,
  tmpFiles,
  type HttpResult,
  type PackageVersionOrigin,
  type StoreSnapshot,
} from './api.js';
import { buildAll, distsIn, sha256, writePoetryProject, type Built, type Dist, type SetuptoolsSpec } from './fixtures.js';
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

const clients = checkClients(['build', 'twine', 'pip', 'venv', 'poetry', 'curl']);

const CONNECTION = 'public:pypi';
const DOMAIN = 'ext-domain';
const SHARED = 'shared';
const TEAM = 'team';
const PUBLIC_DOMAIN = 'public';
const PUBLIC_REPO = 'pypi';

/** The main server (team → shared → public:pypi), its control plane, the work dir and HOME. */
let ctx: PypiSuite;
let token: string;
/** The second instance, public:pypi's source. */
let publicServer: RunningServer;
let publicCp: ControlPlane;
let publicToken: string;

type Key =
  | 'extCore'
  | 'extLib'
  | 'internalOurs'
  | 'internalPublic'
  | 'houseLib'
  | 'treeOld'
  | 'treeYanked'
  | 'guardedOld'
  | 'guardedNew'
  | 'frozen'
  | 'dispo'
  | 'copy';
let built: Record<Key, Built>;

const setuptools = (
  name: string,
  version: string,
  code: string,
  dependencies: string[] = [],
  wheelOnly = false,
): SetuptoolsSpec => ({
  name,
  version,
  summary: `${name} ${version} for the external-connection suite`,
  readme: `# ${name}\n\n${name} ${version}.\n`,
  module: name.replace(/-/g, '_'),
  code,
  dependencies,
  requiresPython: '>=3.8',
  wheelOnly,
});

const SPECS: Record<Key, SetuptoolsSpec> = {
  // ext_lib.answer() = ext_core.BASE + 2 = 42: an import proves both.
  extCore: setuptools('ext-core', '1.0.0', 'BASE = 40\n'),
  extLib: setuptools('ext-lib', '1.0.0', 'from ext_core import BASE\n\n\ndef answer():\n    return BASE + 2\n', ['ext-core>=1.0']),
  internalOurs: setuptools('internal-lib', '1.0', 'ORIGIN = "ours"\n', [], true),
  internalPublic: setuptools('internal-lib', '9.9', 'ORIGIN = "public"\n', [], true),
  houseLib: setuptools('house-lib', '1.0.0', 'HOUSE = "wheelhouse"\n'),
  treeOld: setuptools('tree-lib', '1.0.0', 'VERSION = "1.0.0"\n', [], true),
  treeYanked: setuptools('tree-lib', '1.1.0', 'VERSION = "1.1.0"\n', [], true),
  guardedOld: setuptools('guarded-lib', '1.0.0', 'VERSION = "1.0.0"\n', [], true),
  guardedNew: setuptools('guarded-lib', '1.1.0', 'VERSION = "1.1.0"\n', [], true),
  frozen: setuptools('frozen-lib', '1.0.0', 'FROZEN = True\n', [], true),
  dispo: setuptools('dispo-lib', '1.0.0', 'DISPOSABLE = True\n'),
  copy: setuptools('copy-lib', '1.0.0', 'COPIED = "yes"\n'),
};

// ------------------------------------------------------------------------------------------------------------
// URLs, pages, files
// ------------------------------------------------------------------------------------------------------------

const baseOn = (server: RunningServer, domain: string, repo: string) => `${server.url}/pypi/d/${domain}-${ACCOUNT}/${repo}/`;
const baseOf = (repo: string) => baseOn(ctx.server, DOMAIN, repo);
/** The index URL as pip takes it: credentials in the URL, 127.0.0.1 only. */
const indexUrlOn = (server: RunningServer, domain: string, repo: string, tok: string) =>
  `http://aws:${tok}@127.0.0.1:${server.port}/pypi/d/${domain}-${ACCOUNT}/${repo}/simple/`;
const pipIndexUrl = (repo: string) => indexUrlOn(ctx.server, DOMAIN, repo, token);
/** What the main server is started with: the public repository's simple index, credentials in the URL. */
const publicSourceUrl = () => indexUrlOn(publicServer, PUBLIC_DOMAIN, PUBLIC_REPO, publicToken);

const getWith = (tok: string, url: string, headers: Record<string, string> = {}): Promise<HttpResult> =>
  request(url, { headers: { Authorization: basic(tok), ...headers } });

/** The PEP 691 JSON page of a project on `base` (a repository's endpoint), as pip asks for it. */
async function jsonPageAt(tok: string, base: string, project: string): Promise<any> {
  const r = await getWith(tok, `${base}simple/${project}/`, { Accept: PIP_ACCEPT });
  expectStatus(`JSON page ${base}simple/${project}/`, r, 200);
  expect(r.headers['content-type']).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
  return JSON.parse(r.text);
}
const jsonPage = (repo: string, project: string) => jsonPageAt(token, baseOf(repo), project);

/** A page's files as `filename sha256` rows (sha256 empty when the page gives none), sorted. */
const fileRows = (page: any): string[] =>
  (page.files as any[]).map((f) => `${f.filename} ${f.hashes?.sha256 ?? ''}`).sort();
const distRows = (files: Dist[]) => files.map((f) => `${f.filename} ${f.sha256}`).sort();

/** Every file of `page` is at `base`'s own file URL for it. */
function expectOwnFileUrls(page: any, base: string) {
  for (const f of page.files)
    expect(new URL(f.url, `${base}simple/${page.name}/`).href, f.filename).toBe(
      `${base}simple/${page.name}/${versionOf(f.filename)}/${f.filename}`,
    );
}

/** Project (normalized) and version of a wheel (`name-version-...whl`) or sdist (`name-version.tar.gz`, name may hold `-`). */
function distNameVersion(filename: string): { project: string; version: string } {
  let name: string;
  let version: string;
  if (filename.endsWith('.whl')) [name, version] = filename.split('-') as [string, string];
  else {
    const stem = filename.replace(/\.tar\.gz$/, '');
    const at = stem.lastIndexOf('-');
    [name, version] = [stem.slice(0, at), stem.slice(at + 1)];
  }
  return { project: name.replace(/[-_.]+/g, '-').toLowerCase(), version };
}
const versionOf = (filename: string) => distNameVersion(filename).version;
/** A client's output as one line (twine wraps its messages to the terminal width). */
const oneLine = (r: Ran) => (r.stdout + r.stderr).replace(/\s+/g, ' ');

const externalOrigin: PackageVersionOrigin = { originType: 'EXTERNAL', domainEntryPoint: { externalConnectionName: CONNECTION } };
const published = (repositoryName: string): PackageVersionOrigin => ({ originType: 'INTERNAL', domainEntryPoint: { repositoryName } });

/** The blob store's files as listFiles shows them: `ab/cd/<sha256> <size>`. */
const blobLine = (f: Dist) => `${f.sha256.slice(0, 2)}/${f.sha256.slice(2, 4)}/${f.sha256} ${f.size}`;
const blobFiles = (server: RunningServer) => listFiles(path.join(server.dataDir, 'blobs'));
/** Files anywhere under a data dir whose name carries this sha256 (blobs/, tmp/, a reclaim aside...). */
const filesNamed = (server: RunningServer, digest: string) => listFiles(server.dataDir).filter((f) => f.includes(digest));
/** What the main server holds once ext-lib (wheel and sdist) and ext-core (wheel) were fetched from public. */
const retainedBlobs = () => [built.extLib.wheel, built.extLib.sdist!, built.extCore.wheel].map(blobLine).sort();

// ------------------------------------------------------------------------------------------------------------
// pip
// ------------------------------------------------------------------------------------------------------------

/** Exactly `wheels` were installed, each from `base`'s own file URL for it, with its sha256. */
function expectFromIndex(items: PipReportItem[], base: string, wheels: Dist[]) {
  expect(items.map((i) => `${i.metadata.name} ${i.metadata.version}`).sort()).toEqual(
    wheels.map((w) => `${distNameVersion(w.filename).project} ${versionOf(w.filename)}`).sort(),
  );
  for (const w of wheels) {
    const item = items.find((i) => i.download_info.url.endsWith(`/${w.filename}`));
    expect(item, `no report item for ${w.filename}: ${JSON.stringify(items)}`).toBeDefined();
    const { project, version } = distNameVersion(w.filename);
    expect(withoutCredentials(item!.download_info.url)).toBe(`${base}simple/${project}/${version}/${w.filename}`);
    const hashes = item!.download_info.archive_info?.hashes ?? {};
    expect(hashes.sha256 ?? item!.download_info.archive_info?.hash?.replace(/^sha256=/, '')).toBe(w.sha256);
  }
}

interface PipInstall {
  run: Ran;
  report: () => PipReportItem[];
  /** Runs python code with what was installed importable. */
  python: (code: string) => Promise<Ran>;
}

/** `pip --isolated install` into a fresh venv (`venvName` under the work dir). */
async function pipInstallInVenv(venvName: string, indexUrl: string, requirements: string[]): Promise<PipInstall> {
  const venv = await makeVenv(path.join(ctx.work, venvName), ctx.home);
  const report = path.join(ctx.work, `${venvName}-report.json`);
  const r = await runTool(
    `${venv}/pip`,
    ['--isolated', 'install', '--disable-pip-version-check', '--no-cache-dir', '--index-url', indexUrl, '--report', report, ...requirements],
    { env: pipEnv(ctx.home), cwd: ctx.work },
  );
  return {
    run: r,
    report: () => readPipReport(report),
    python: (code) => runTool(`${venv}/python`, ['-c', code], { env: pipEnv(ctx.home), cwd: ctx.work }),
  };
}

/**
 * `pip --isolated install --target DIR` (a fresh, empty DIR) with the pyenv pip: a real install without the cost
 * of a venv, for the steps where the install location does not matter.
 */
async function pipInstallToTarget(name: string, indexUrl: string, requirements: string[]): Promise<PipInstall> {
  const target = mkdtempSync(path.join(ctx.work, `${name}-`));
  const report = `${target}.report.json`;
  const r = await runTool(
    python(),
    [
      '-m',
      'pip',
      '--isolated',
      'install',
      '--disable-pip-version-check',
      '--no-cache-dir',
      '--target',
      target,
      '--index-url',
      indexUrl,
      '--report',
      report,
      ...requirements,
    ],
    { env: pipEnv(ctx.home), cwd: ctx.work },
  );
  return {
    run: r,
    report: () => readPipReport(report),
    python: (code) =>
      runTool(python(), ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(target)}); ${code}`], {
        env: pipEnv(ctx.home),
        cwd: ctx.work,
      }),
  };
}

/** `pip download --no-deps` of one requirement or URL into a fresh dir (isolated, pyenv pip, no venv needed). */
async function pipDownload(indexUrl: string, spec: string): Promise<{ run: Ran; files: string[]; dir: string }> {
  const dir = mkdtempSync(path.join(ctx.work, 'dl-'));
  const r = await runTool(
    python(),
    ['-m', 'pip', '--isolated', 'download', '--disable-pip-version-check', '--no-cache-dir', '--no-deps', '-d', dir, '--index-url', indexUrl, spec],
    { env: pipEnv(ctx.home), cwd: ctx.work },
  );
  return { run: r, files: existsSync(dir) ? readdirSync(dir).sort() : [], dir };
}

/** curl's status code for a GET as aws:<token> (the body goes to `out`, or nowhere). */
async function curlStatus(url: string, tok: string, out = '/dev/null'): Promise<string> {
  const r = await runTool('curl', ['-sS', '-o', out, '-w', '%{http_code}', '-u', `aws:${tok}`, url], {
    env: pipEnv(ctx.home),
    cwd: ctx.work,
    timeoutMs: 30_000,
  });
  expect(r.stderr, explain(r)).toBe('');
  return r.stdout.trim();
}

// ------------------------------------------------------------------------------------------------------------
// Servers with a source of their own (file:// folders, a lying index)
// ------------------------------------------------------------------------------------------------------------

interface SourcedServer {
  server: RunningServer;
  cp: ControlPlane;
  token: string;
  /** The repository that has the external connection. */
  base: string;
  indexUrl: string;
}

const MIRROR_DOMAIN = 'offline-domain';
const MIRROR = 'mirror';

/** Another server whose public:pypi is `sourceUrl`, with one repository `mirror` that has the connection. */
async function startSourcedServer(sourceUrl: string): Promise<SourcedServer> {
  const server = await startServer({ args: ['--external', `${CONNECTION}=${sourceUrl}`, '--external-ttl', '0'] });
  const cp = new ControlPlane(server.url);
  await cp.createDomain(MIRROR_DOMAIN);
  await cp.createRepository(MIRROR_DOMAIN, MIRROR);
  await cp.associateExternalConnection(MIRROR_DOMAIN, MIRROR, CONNECTION);
  const tok = await cp.token(MIRROR_DOMAIN);
  return { server, cp, token: tok, base: baseOn(server, MIRROR_DOMAIN, MIRROR), indexUrl: indexUrlOn(server, MIRROR_DOMAIN, MIRROR, tok) };
}

describe.skipIf(clients.skip)('external connections, origin controls, dispose and copy with pip, twine and poetry', () => {
  // The public instance first (its token goes into the main server's --external URL), then the main server.
  ctx = usePypiServer(clients, 'ca-pypi-external-', async () => {
    publicServer = await startServer();
    publicCp = new ControlPlane(publicServer.url);
    await publicCp.createDomain(PUBLIC_DOMAIN);
    await publicCp.createRepository(PUBLIC_DOMAIN, PUBLIC_REPO);
    publicToken = await publicCp.token(PUBLIC_DOMAIN);
    return { args: ['--external', `${CONNECTION}=${publicSourceUrl()}`, '--external-ttl', '0'] };
  });
  afterAll(async () => {
    await publicServer?.destroy();
  });

  beforeAll(async () => {
    await ctx.cp.createDomain(DOMAIN);
    await ctx.cp.createRepository(DOMAIN, SHARED);
    await ctx.cp.associateExternalConnection(DOMAIN, SHARED, CONNECTION);
    await ctx.cp.createRepository(DOMAIN, TEAM, [SHARED]);
    token = await ctx.cp.token(DOMAIN);
    built = await buildAll(ctx.work, ctx.home, SPECS);
  });

  const uploadTo = async (server: RunningServer, base: string, tok: string, files: Dist[]) =>
    expectSuccess(await twineUpload(base, files.map((f) => f.path), tok, ctx), server);
  const uploadToPublic = (b: Built) => uploadTo(publicServer, baseOn(publicServer, PUBLIC_DOMAIN, PUBLIC_REPO), publicToken, b.files);
  const upload = (repo: string, files: Dist[]) => uploadTo(ctx.server, baseOf(repo), token, files);

  describe('1. team → shared → public:pypi, a second instance of this server', () => {
    test('set-up: shared has the connection (Available), team has shared upstream; twine uploads ext-lib and ext-core to public', async () => {
      const shared = await ctx.cp.describeRepository(DOMAIN, SHARED);
      expect(shared.externalConnections).toEqual([{ externalConnectionName: CONNECTION, packageFormat: 'pypi', status: 'Available' }]);
      expect(await ctx.cp.upstreams(DOMAIN, TEAM)).toEqual([SHARED]);
      expect((await ctx.cp.describeRepository(DOMAIN, TEAM)).externalConnections).toEqual([]);
      for (const b of [built.extLib, built.extCore]) {
        expect(b.files.map((f) => f.kind).sort(), b.name).toEqual(['sdist', 'wheel']);
        await uploadToPublic(b);
      }
      expect(await publicCp.packages(PUBLIC_DOMAIN, PUBLIC_REPO)).toEqual(['ext-core', 'ext-lib']);
      expect(await ctx.cp.packages(DOMAIN, TEAM)).toEqual([]);
      expect(await ctx.cp.packages(DOMAIN, SHARED)).toEqual([]);
    });

    test('before any download: team’s and shared’s pages list the public files with their sha256 at their own URLs; nothing is stored', async () => {
      for (const repo of [TEAM, SHARED])
        for (const b of [built.extLib, built.extCore]) {
          const page = await jsonPage(repo, b.name);
          expect(page.versions, `${repo} ${b.name}`).toEqual([b.version]);
          expect(fileRows(page), `${repo} ${b.name}`).toEqual(distRows(b.files));
          expect((page.files as any[]).map((f) => `${f.filename} ${f.size}`).sort()).toEqual(b.files.map((f) => `${f.filename} ${f.size}`).sort());
          expectOwnFileUrls(page, baseOf(repo));
        }
      // PEP 503 HTML says the same, #sha256 fragments included.
      const html = await getWith(token, `${baseOf(TEAM)}simple/ext-core/`);
      expectStatus('team HTML page ext-core', html, 200);
      expect(htmlLinks(html.text).map((l) => `${l.text} ${l.href.split('#sha256=')[1]}`).sort()).toEqual(distRows(built.extCore.files));
      // Reading pages fetches listings, never files: nothing is retained yet, and no bytes are on disk.
      expect(await ctx.cp.packages(DOMAIN, TEAM)).toEqual([]);
      expect(await ctx.cp.packages(DOMAIN, SHARED)).toEqual([]);
      expect(blobFiles(ctx.server)).toEqual([]);
    });

    test('pip --isolated installs ext-lib from team’s index into a fresh venv: ext-core comes too, both from team’s URLs', async () => {
      const pip = await pipInstallInVenv('venv-ext', pipIndexUrl(TEAM), ['ext-lib']);
      expectSuccess(pip.run, ctx.server);
      expect(pip.run.stdout).toContain(`Looking in indexes: http://aws:****@127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${TEAM}/simple/`);
      expect(pip.run.stdout).not.toMatch(/Looking in links/);
      expect(pip.run.stdout).toMatch(/Successfully installed ext-core-1\.0\.0 ext-lib-1\.0\.0/);
      expectFromIndex(pip.report(), baseOf(TEAM), [built.extLib.wheel, built.extCore.wheel]);
      const imported = await pip.python(
        'import ext_lib, ext_core, sys; print(ext_lib.answer()); print(all(m.__file__.startswith(sys.prefix) for m in (ext_lib, ext_core)))',
      );
      expectSuccess(imported);
      expect(imported.stdout.trim().split('\n')).toEqual(['42', 'True']);
    });

    test('after the install: team and shared both hold ext-lib and ext-core, origin EXTERNAL via public:pypi, publish BLOCK / upstream ALLOW', async () => {
      for (const repo of [TEAM, SHARED]) {
        expect(await ctx.cp.packages(DOMAIN, repo), repo).toEqual(['ext-core', 'ext-lib']);
        for (const b of [built.extLib, built.extCore]) {
          const what = `${repo} ${b.name}`;
          expect(await ctx.cp.versionOrigins(DOMAIN, repo, b.name), what).toEqual({ '1.0.0': externalOrigin });
          expect(await ctx.cp.versionStatuses(DOMAIN, repo, b.name), what).toEqual({ '1.0.0': 'Published' });
          expect((await ctx.cp.describeVersion(DOMAIN, repo, b.name, b.version)).origin, what).toEqual(externalOrigin);
          const p = await ctx.cp.describePackage(DOMAIN, repo, b.name);
          expect(p.originConfiguration.restrictions, what).toEqual({ publish: 'BLOCK', upstream: 'ALLOW' });
          // Only what a client fetched is retained: the wheel, with its own hashes and bytes.
          expect(await ctx.cp.assets(DOMAIN, repo, b.name, b.version), what).toEqual(expectedAssets([b.wheel]));
          expect(sha256(await ctx.cp.assetBytes(DOMAIN, repo, b.name, b.version, b.wheel.filename)), what).toBe(b.wheel.sha256);
        }
      }
      // The dependency the wheel declares was read from its METADATA.
      const deps = await ctx.cp.dependencies(DOMAIN, TEAM, 'ext-lib', '1.0.0');
      expect(deps.map((d) => [d.package, d.versionRequirement])).toEqual([['ext-core', '>=1.0']]);
      // One blob per fetched file, shared by both repositories' records.
      expect(blobFiles(ctx.server)).toEqual([built.extLib.wheel, built.extCore.wheel].map(blobLine).sort());
      expect(tmpFiles(ctx.server.dataDir)).toEqual([]);
    });

    test('a second file of a retained version (ext-lib’s sdist), only in the source so far, stays listed on team and is fetched when asked', async () => {
      // One file of a version fetched must not hide the version's other files (a wheel per platform, the sdist).
      const page = await jsonPage(TEAM, 'ext-lib');
      expect(fileRows(page)).toEqual(distRows(built.extLib.files));
      const sdist = built.extLib.sdist!;
      const out = path.join(ctx.work, sdist.filename);
      expect(await curlStatus(`${baseOf(TEAM)}simple/ext-lib/1.0.0/${sdist.filename}`, token, out)).toBe('200');
      expect(sha256(readFileSync(out))).toBe(sdist.sha256);
      for (const repo of [TEAM, SHARED]) {
        expect(await ctx.cp.assets(DOMAIN, repo, 'ext-lib', '1.0.0'), repo).toEqual(expectedAssets(built.extLib.files));
        expect(await ctx.cp.versionOrigins(DOMAIN, repo, 'ext-lib'), repo).toEqual({ '1.0.0': externalOrigin });
      }
      expect(blobFiles(ctx.server)).toEqual(retainedBlobs());
    });

    test('with the public server stopped, pip in another fresh venv still installs ext-lib from team (the retained copies)', async () => {
      await publicServer.stop();
      try {
        await expect(request(`${publicServer.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
        const page = await jsonPage(TEAM, 'ext-lib');
        expect(fileRows(page)).toContain(`${built.extLib.wheel.filename} ${built.extLib.wheel.sha256}`);

        const pip = await pipInstallInVenv('venv-ext-offline', pipIndexUrl(TEAM), ['ext-lib']);
        expectSuccess(pip.run, ctx.server);
        expect(pip.run.stdout).toMatch(/Successfully installed ext-core-1\.0\.0 ext-lib-1\.0\.0/);
        expectFromIndex(pip.report(), baseOf(TEAM), [built.extLib.wheel, built.extCore.wheel]);
        const imported = await pip.python('import ext_lib; print(ext_lib.answer())');
        expectSuccess(imported);
        expect(imported.stdout.trim()).toBe('42');
        // The server noticed the source was gone and said so; nothing changed in the store.
        expect(ctx.server.output()).toMatch(/external connection public:pypi .*ext-lib/);
        // The source's credentials never reach the log (only the URL without them does).
        expect(ctx.server.output()).not.toContain(publicToken);
        expect(blobFiles(ctx.server)).toEqual(retainedBlobs());
      } finally {
        // Same port, same data dir: the main server's --external URL (and its token) stay valid.
        await publicServer.restart();
      }
      expectStatus('public /health after the restart', await request(`${publicServer.url}/health`), 200);
    });

    describe('a source that lists a wrong sha256', () => {
      // A PEP 503 index on 127.0.0.1 that lists ext-core's wheel with the sha256 of another file (and ext-lib's
      // correctly, as a control): the bytes it serves are not the bytes it vouched for.
      let liar: http.Server;
      let liarUrl: string;
      const liarRequests: string[] = [];
      let mirror: SourcedServer;
      const mirrorRepos = (): [string, string][] => [[MIRROR_DOMAIN, MIRROR]];
      const take = () => snapshot(mirror.server.dataDir, mirror.cp, mirrorRepos(), { [MIRROR_DOMAIN]: mirror.token });

      beforeAll(async () => {
        const wrong = built.extLib.wheel.sha256;
        const pages: Record<string, string> = {
          'ext-core': `<a href="/files/${built.extCore.wheel.filename}#sha256=${wrong}">${built.extCore.wheel.filename}</a>`,
          'ext-lib': `<a href="/files/${built.extLib.wheel.filename}#sha256=${built.extLib.wheel.sha256}">${built.extLib.wheel.filename}</a>`,
        };
        const files: Record<string, Buffer> = {
          [built.extCore.wheel.filename]: built.extCore.wheel.bytes,
          [built.extLib.wheel.filename]: built.extLib.wheel.bytes,
        };
        liar = http.createServer((req, res) => {
          liarRequests.push(req.url ?? '');
          const page = /^\/simple\/([^/]+)\/$/.exec(req.url ?? '');
          const file = /^\/files\/([^/]+)$/.exec(req.url ?? '');
          if (page && pages[page[1]!]) {
            res.writeHead(200, { 'Content-Type': 'text/html' });
            return res.end(`<!DOCTYPE html><html><body>${pages[page[1]!]}</body></html>`);
          }
          if (file && files[file[1]!]) {
            res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
            return res.end(files[file[1]!]);
          }
          res.writeHead(404).end();
        });
        await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
        liarUrl = `http://127.0.0.1:${(liar.address() as AddressInfo).port}/simple/`;
        mirror = await startSourcedServer(liarUrl);
      });
      afterAll(async () => {
        await mirror?.server.destroy();
        await new Promise((resolve) => liar?.close(resolve));
      });

      test('the file’s download answers 502 (pip fails on it) and nothing is stored: no blob, no row, no page change', async () => {
        const page = await jsonPageAt(mirror.token, mirror.base, 'ext-core');
        expect(fileRows(page)).toEqual([`${built.extCore.wheel.filename} ${built.extLib.wheel.sha256}`]);
        const before = await take();
        const url = `${mirror.base}simple/ext-core/1.0.0/${built.extCore.wheel.filename}`;

        const r = await getWith(mirror.token, url);
        expectStatus('download of the mislisted file', r, 502);
        expect(r.text).toMatch(/Bad gateway/);
        expect(r.text).toContain(built.extCore.wheel.sha256);
        expect(r.text).toMatch(/nothing was stored/);
        expect(liarRequests).toContain(`/files/${built.extCore.wheel.filename}`);

        const pip = await pipDownload(mirror.indexUrl, 'ext-core');
        expectFailure(pip.run, mirror.server);
        expect(pip.run.stdout + pip.run.stderr, explain(pip.run)).toMatch(/502/);
        expect(pip.files).toEqual([]);

        expect(tmpFiles(mirror.server.dataDir)).toEqual([]);
        expect(blobFiles(mirror.server)).toEqual([]);
        expect(filesNamed(mirror.server, built.extCore.wheel.sha256)).toEqual([]);
        expect(await take()).toEqual(before);
        expect(await mirror.cp.packages(MIRROR_DOMAIN, MIRROR)).toEqual([]);
      });

      test('control: the file it lists correctly is fetched and retained (origin EXTERNAL)', async () => {
        const pip = await pipDownload(mirror.indexUrl, 'ext-lib');
        expectSuccess(pip.run, mirror.server);
        expect(pip.files).toEqual([built.extLib.wheel.filename]);
        expect(sha256(readFileSync(path.join(pip.dir, pip.files[0]!)))).toBe(built.extLib.wheel.sha256);
        expect(await mirror.cp.packages(MIRROR_DOMAIN, MIRROR)).toEqual(['ext-lib']);
        expect(await mirror.cp.versionOrigins(MIRROR_DOMAIN, MIRROR, 'ext-lib')).toEqual({ '1.0.0': externalOrigin });
        expect(blobFiles(mirror.server)).toEqual([blobLine(built.extLib.wheel)]);
      });
    });
  });

  describe('2. public:pypi from a file:// folder the suite creates', () => {
    describe('a wheelhouse (a flat folder of wheels and sdists)', () => {
      let house: SourcedServer;
      let folder: string;

      beforeAll(async () => {
        folder = path.join(ctx.work, 'wheelhouse');
        mkdirSync(folder);
        for (const f of built.houseLib.files) copyFileSync(f.path, path.join(folder, f.filename));
        house = await startSourcedServer(pathToFileURL(folder).toString());
      });
      afterAll(async () => {
        await house?.server.destroy();
      });

      test('the page shows the folder’s files (sizes, no hashes until fetched) at the repository’s own URLs', async () => {
        const page = await jsonPageAt(house.token, house.base, 'house-lib');
        expect((page.files as any[]).map((f) => `${f.filename} ${f.size}`).sort()).toEqual(
          readdirSync(folder).map((f) => `${f} ${readFileSync(path.join(folder, f)).length}`).sort(),
        );
        expect(page.versions).toEqual(['1.0.0']);
        expectOwnFileUrls(page, house.base);
        const missing = await getWith(house.token, `${house.base}simple/not-in-the-folder/`, { Accept: PIP_ACCEPT });
        expectStatus('a project the folder does not have', missing, 404);
      });

      test('pip installs house-lib, which only the folder has; the repository retains it (origin EXTERNAL)', async () => {
        const pip = await pipInstallToTarget('house', house.indexUrl, ['house-lib']);
        expectSuccess(pip.run, house.server);
        expect(pip.run.stdout).toMatch(/Successfully installed house-lib-1\.0\.0/);
        expectFromIndex(pip.report(), house.base, [built.houseLib.wheel]);
        const imported = await pip.python('import house_lib; print(house_lib.HOUSE)');
        expectSuccess(imported);
        expect(imported.stdout.trim()).toBe('wheelhouse');

        expect(await house.cp.versionOrigins(MIRROR_DOMAIN, MIRROR, 'house-lib')).toEqual({ '1.0.0': externalOrigin });
        expect(await house.cp.assets(MIRROR_DOMAIN, MIRROR, 'house-lib', '1.0.0')).toEqual(expectedAssets([built.houseLib.wheel]));
        // Now that it is stored, the page gives the wheel's sha256.
        const page = await jsonPageAt(house.token, house.base, 'house-lib');
        expect(fileRows(page)).toContain(`${built.houseLib.wheel.filename} ${built.houseLib.wheel.sha256}`);
      });

      test('with the folder gone, pip still installs house-lib from the repository', async () => {
        rmSync(folder, { recursive: true, force: true });
        const pip = await pipInstallToTarget('house-gone', house.indexUrl, ['house-lib']);
        expectSuccess(pip.run, house.server);
        expectFromIndex(pip.report(), house.base, [built.houseLib.wheel]);
        expect(blobFiles(house.server)).toEqual([blobLine(built.houseLib.wheel)]);
      });
    });

    describe('a PEP 503 tree with a yanked file', () => {
      let tree: SourcedServer;
      const REASON = 'broken build';

      beforeAll(async () => {
        const root = path.join(ctx.work, 'tree');
        const dir = path.join(root, 'tree-lib');
        mkdirSync(dir, { recursive: true });
        const [old, yanked] = [built.treeOld.wheel, built.treeYanked.wheel];
        for (const f of [old, yanked]) copyFileSync(f.path, path.join(dir, f.filename));
        writeFileSync(
          path.join(dir, 'index.html'),
          [
            '<!DOCTYPE html><html><head><title>Links for tree-lib</title></head><body>',
            `<a href="${old.filename}#sha256=${old.sha256}" data-requires-python="&gt;=3.8">${old.filename}</a><br/>`,
            `<a href="${yanked.filename}#sha256=${yanked.sha256}" data-requires-python="&gt;=3.8" data-yanked="${REASON}">${yanked.filename}</a><br/>`,
            '</body></html>',
          ].join('\n'),
        );
        tree = await startSourcedServer(pathToFileURL(root).toString());
      });
      afterAll(async () => {
        await tree?.server.destroy();
      });

      async function expectYankKept(what: string, base = tree.base) {
        const html = await getWith(tree.token, `${base}simple/tree-lib/`);
        expectStatus(`${what}: HTML page`, html, 200);
        const links = htmlLinks(html.text);
        const attrs = Object.fromEntries(links.map((l) => [l.text, l.attrs]));
        expect(Object.keys(attrs).sort(), what).toEqual([built.treeOld.wheel.filename, built.treeYanked.wheel.filename]);
        expect(attrs[built.treeYanked.wheel.filename]!['data-yanked'], `${what}: ${html.text}`).toBe(REASON);
        expect(attrs[built.treeOld.wheel.filename]!, `${what}: ${html.text}`).not.toHaveProperty('data-yanked');
        for (const a of Object.values(attrs)) expect(a['data-requires-python'], what).toBe('>=3.8');
        for (const l of links) expect(l.href.split('#sha256=')[1], what).toBe(l.text === built.treeOld.wheel.filename ? built.treeOld.wheel.sha256 : built.treeYanked.wheel.sha256);
        const page = await jsonPageAt(tree.token, base, 'tree-lib');
        const yanks = Object.fromEntries((page.files as any[]).map((f) => [f.filename, f.yanked]));
        expect(yanks, what).toEqual({ [built.treeOld.wheel.filename]: undefined, [built.treeYanked.wheel.filename]: REASON });
      }

      test('our page keeps the tree’s data-yanked (HTML) / yanked (JSON) on that file only, with its hash', async () => {
        await expectYankKept('before any download');
      });

      test('pip skips the yanked 1.1.0 for `tree-lib`, and installs it (warning, with the reason) when pinned', async () => {
        const latest = await pipInstallToTarget('tree', tree.indexUrl, ['tree-lib']);
        expectSuccess(latest.run, tree.server);
        expect(latest.run.stdout).toMatch(/Successfully installed tree-lib-1\.0\.0/);
        expectFromIndex(latest.report(), tree.base, [built.treeOld.wheel]);

        const pinned = await pipInstallToTarget('tree-pinned', tree.indexUrl, ['tree-lib==1.1.0']);
        expectSuccess(pinned.run, tree.server);
        expect(pinned.run.stdout).toMatch(/Successfully installed tree-lib-1\.1\.0/);
        expect(pinned.run.stderr, explain(pinned.run)).toMatch(/yanked/);
        expect(pinned.run.stderr, explain(pinned.run)).toContain(REASON);
        expectFromIndex(pinned.report(), tree.base, [built.treeYanked.wheel]);
      });

      test('once both files are stored, the page still shows the yank (PEP 592 kept on the retained copy)', async () => {
        expect(await tree.cp.versionOrigins(MIRROR_DOMAIN, MIRROR, 'tree-lib')).toEqual({ '1.0.0': externalOrigin, '1.1.0': externalOrigin });
        await expectYankKept('after both downloads');
      });

      test('a downstream repository that retains the yanked file from mirror, and a copy of the version, keep the yank', async () => {
        const DOWNSTREAM = 'downstream';
        const COPIED = 'copied';
        await tree.cp.createRepository(MIRROR_DOMAIN, DOWNSTREAM, [MIRROR]);
        await tree.cp.createRepository(MIRROR_DOMAIN, COPIED);
        const downstream = baseOn(tree.server, MIRROR_DOMAIN, DOWNSTREAM);
        await expectYankKept('downstream, served from mirror', downstream);
        // pip fetches 1.1.0 through downstream, which retains mirror's stored copy as its own.
        const pinned = await pipDownload(indexUrlOn(tree.server, MIRROR_DOMAIN, DOWNSTREAM, tree.token), 'tree-lib==1.1.0');
        expectSuccess(pinned.run, tree.server);
        expect(pinned.files).toEqual([built.treeYanked.wheel.filename]);
        expect(await tree.cp.versionStatuses(MIRROR_DOMAIN, DOWNSTREAM, 'tree-lib')).toEqual({ '1.1.0': 'Published' });
        await expectYankKept('downstream, after retaining 1.1.0', downstream);

        const copy = await tree.cp.copyVersions(MIRROR_DOMAIN, MIRROR, COPIED, 'tree-lib', ['1.0.0', '1.1.0']);
        expect(Object.keys(copy.successfulVersions).sort()).toEqual(['1.0.0', '1.1.0']);
        await expectYankKept('copied with CopyPackageVersions', baseOn(tree.server, MIRROR_DOMAIN, COPIED));
      });
    });
  });

  describe('3. dependency confusion: internal-lib 1.0 in team, 9.9 in the external source', () => {
    const GROUP = '/pypi//internal-~';
    const ours = () => built.internalOurs.wheel;
    const theirs = () => built.internalPublic.wheel;

    async function expectTeamGets(version: '1.0' | '9.9', what: string) {
      const pip = await pipInstallToTarget(`internal-${version}`, pipIndexUrl(TEAM), ['internal-lib']);
      expectSuccess(pip.run, ctx.server);
      expect(pip.run.stdout, what).toMatch(new RegExp(`Successfully installed internal-lib-${version.replace('.', '\\.')}\\b`));
      expectFromIndex(pip.report(), baseOf(TEAM), [version === '1.0' ? ours() : theirs()]);
      const imported = await pip.python('import internal_lib; print(internal_lib.ORIGIN)');
      expectSuccess(imported);
      expect(imported.stdout.trim(), what).toBe(version === '1.0' ? 'ours' : 'public');
    }

    /** team shows only our 1.0: JSON page, file URL of 9.9, pip pinned to 9.9. */
    async function expectOnlyOurs(what: string) {
      const page = await jsonPage(TEAM, 'internal-lib');
      expect(page.versions, what).toEqual(['1.0']);
      expect(fileRows(page), what).toEqual(distRows([ours()]));
      const file = await getWith(token, `${baseOf(TEAM)}simple/internal-lib/9.9/${theirs().filename}`);
      expectStatus(`${what}: team's file URL of 9.9`, file, 404);
      const pinned = await pipDownload(pipIndexUrl(TEAM), 'internal-lib==9.9');
      expectFailure(pinned.run, ctx.server);
      expect(pinned.run.stdout + pinned.run.stderr, explain(pinned.run)).toMatch(/No matching distribution found for internal-lib==9\.9/);
      await expectTeamGets('1.0', what);
    }

    test('set-up: twine uploads internal-lib 1.0 to team and 9.9 to public; shared’s page shows 9.9 (the source has it)', async () => {
      await upload(TEAM, built.internalOurs.files);
      await uploadToPublic(built.internalPublic);
      const shared = await jsonPage(SHARED, 'internal-lib');
      expect(shared.versions).toEqual(['9.9']);
      expect(fileRows(shared)).toEqual(distRows([theirs()]));
    });

    test('defaults (published to team: publish ALLOW, upstream BLOCK): pip on team installs 1.0, the page lists only 1.0', async () => {
      const p = await ctx.cp.describePackage(DOMAIN, TEAM, 'internal-lib');
      expect(p.originConfiguration.restrictions).toEqual({ publish: 'ALLOW', upstream: 'BLOCK' });
      expect(await ctx.cp.associatedPackageGroup(DOMAIN, 'internal-lib')).toBe('/*');
      await expectOnlyOurs('defaults');
    });

    test(`group ${GROUP} with EXTERNAL_UPSTREAM BLOCK keeps 1.0 after the package is reset to publish ALLOW / upstream ALLOW`, async () => {
      await ctx.cp.createPackageGroup(DOMAIN, GROUP);
      const group = await ctx.cp.updatePackageGroupOrigin(DOMAIN, GROUP, { EXTERNAL_UPSTREAM: 'BLOCK' });
      expect(group.originConfiguration.restrictions.EXTERNAL_UPSTREAM).toMatchObject({ mode: 'BLOCK', effectiveMode: 'BLOCK' });
      expect(await ctx.cp.associatedPackageGroup(DOMAIN, 'internal-lib')).toBe(GROUP);
      const reset = await ctx.cp.putOriginConfiguration(DOMAIN, TEAM, 'internal-lib', { publish: 'ALLOW', upstream: 'ALLOW' });
      expect(reset.restrictions).toEqual({ publish: 'ALLOW', upstream: 'ALLOW' });
      expect((await ctx.cp.describePackage(DOMAIN, TEAM, 'internal-lib')).originConfiguration.restrictions).toEqual({
        publish: 'ALLOW',
        upstream: 'ALLOW',
      });
      await expectOnlyOurs('group EXTERNAL_UPSTREAM BLOCK');
      // The group stops the connection itself: shared, which has it, no longer sees 9.9 either.
      const shared = await getWith(token, `${baseOf(SHARED)}simple/internal-lib/`, { Accept: PIP_ACCEPT });
      expectStatus('shared page internal-lib under the block', shared, 404);
      expect(await ctx.cp.versionStatuses(DOMAIN, TEAM, 'internal-lib')).toEqual({ '1.0': 'Published' });
      expect(await ctx.cp.packages(DOMAIN, SHARED)).not.toContain('internal-lib');
    });

    test('with the group’s EXTERNAL_UPSTREAM set to ALLOW, 9.9 becomes visible on team and pip installs it', async () => {
      const group = await ctx.cp.updatePackageGroupOrigin(DOMAIN, GROUP, { EXTERNAL_UPSTREAM: 'ALLOW' });
      expect(group.originConfiguration.restrictions.EXTERNAL_UPSTREAM).toMatchObject({ mode: 'ALLOW', effectiveMode: 'ALLOW' });
      const page = await jsonPage(TEAM, 'internal-lib');
      expect(page.versions).toEqual(['1.0', '9.9']);
      expect(fileRows(page)).toEqual(distRows([ours(), theirs()]));
      await expectTeamGets('9.9', 'group ALLOW');
      expect(await ctx.cp.versionOrigins(DOMAIN, TEAM, 'internal-lib')).toEqual({ '1.0': published(TEAM), '9.9': externalOrigin });
    });
  });

  describe('4. blocked publish: a 409 that says the origin configuration blocks it, nothing stored', () => {
    const REPO = 'guarded';
    const take = () => snapshot(ctx.server.dataDir, ctx.cp, [[DOMAIN, REPO]], { [DOMAIN]: token });

    async function expectUnchanged(before: StoreSnapshot, what: string) {
      expect(tmpFiles(ctx.server.dataDir), `${what}: files left in tmp/`).toEqual([]);
      expect(await take(), `${what}: the store changed`).toEqual(before);
    }

    function poetryDirs(name: string): PoetryDirs {
      const root = mkdtempSync(path.join(ctx.work, `${name}-`));
      const dirs = { home: path.join(root, 'home'), config: path.join(root, 'config'), cache: path.join(root, 'cache') };
      for (const d of Object.values(dirs)) mkdirSync(d);
      return dirs;
    }

    beforeAll(async () => {
      await ctx.cp.createRepository(DOMAIN, REPO);
      await upload(REPO, built.guardedOld.files);
    });

    test('PutPackageOriginConfiguration publish BLOCK on guarded-lib: twine upload of 1.1.0 → 409 naming the origin configuration', async () => {
      const conf = await ctx.cp.putOriginConfiguration(DOMAIN, REPO, 'guarded-lib', { publish: 'BLOCK', upstream: 'BLOCK' });
      expect(conf.restrictions).toEqual({ publish: 'BLOCK', upstream: 'BLOCK' });
      const before = await take();
      expect(Object.keys(before.packages)).toEqual([`${DOMAIN}/${REPO}/guarded-lib`]);

      const r = await twineUpload(baseOf(REPO), built.guardedNew.files.map((f) => f.path), token, ctx);
      expectFailure(r, ctx.server);
      const out = oneLine(r);
      expect(out, explain(r)).toMatch(/HTTPError: 409 Conflict/);
      expect(out, explain(r)).toContain('Publishing to package guarded-lib is blocked by its origin configuration (publish: BLOCK)');
      await expectUnchanged(before, 'twine upload under publish BLOCK');
      expect(filesNamed(ctx.server, built.guardedNew.wheel.sha256)).toEqual([]);
    });

    test('poetry publish of guarded-lib 1.2.0 (poetry build) → 409 naming the origin configuration; nothing stored', async () => {
      const dirs = poetryDirs('poetry-guarded');
      const project = path.join(ctx.work, 'guarded-poetry');
      writePoetryProject(project, {
        name: 'guarded-lib',
        version: '1.2.0',
        summary: 'guarded-lib built by poetry',
        readme: '# guarded-lib\n\nBuilt with poetry.\n',
        module: 'guarded_lib',
        code: 'VERSION = "1.2.0"\n',
      });
      const poetry = (args: string[]) => runTool(POETRY, args, { env: poetryEnv(dirs), cwd: project, timeoutMs: 240_000 });
      expectSuccess(await poetry(['build']), ctx.server);
      const dist = distsIn(path.join(project, 'dist'), 'guarded-lib', '1.2.0');
      expectSuccess(await poetry(['config', 'repositories.guarded', baseOf(REPO)]));
      expectSuccess(await poetry(['config', 'http-basic.guarded', 'aws', token]));
      const before = await take();

      const r = await poetry(['publish', '-r', 'guarded', '-n']);
      expectFailure(r, ctx.server);
      const out = oneLine(r);
      expect(out, explain(r)).toContain('Publishing guarded-lib (1.2.0) to guarded');
      expect(out, explain(r)).toMatch(/409/);
      expect(out, explain(r)).toContain('Publishing to package guarded-lib is blocked by its origin configuration (publish: BLOCK)');
      await expectUnchanged(before, 'poetry publish under publish BLOCK');
      for (const f of dist.files) expect(filesNamed(ctx.server, f.sha256), f.filename).toEqual([]);
    });

    test('a package group /pypi//frozen-~ with PUBLISH BLOCK: twine upload of a new frozen-lib → 409 naming the group', async () => {
      const GROUP = '/pypi//frozen-~';
      await ctx.cp.createPackageGroup(DOMAIN, GROUP);
      await ctx.cp.updatePackageGroupOrigin(DOMAIN, GROUP, { PUBLISH: 'BLOCK' });
      const before = await take();
      const r = await twineUpload(baseOf(REPO), built.frozen.files.map((f) => f.path), token, ctx);
      expectFailure(r, ctx.server);
      const out = oneLine(r);
      expect(out, explain(r)).toMatch(/HTTPError: 409 Conflict/);
      expect(out, explain(r)).toContain(`Publishing frozen-lib to guarded is blocked by package group ${GROUP} (PUBLISH: BLOCK)`);
      await expectUnchanged(before, 'twine upload under the group’s PUBLISH BLOCK');
      expect(await ctx.cp.packages(DOMAIN, REPO)).toEqual(['guarded-lib']);
      expect(filesNamed(ctx.server, built.frozen.wheel.sha256)).toEqual([]);
    });

    test('control: with publish ALLOW again, the same twine upload of guarded-lib 1.1.0 is stored', async () => {
      await ctx.cp.putOriginConfiguration(DOMAIN, REPO, 'guarded-lib', { publish: 'ALLOW', upstream: 'BLOCK' });
      await upload(REPO, built.guardedNew.files);
      expect(await ctx.cp.versionStatuses(DOMAIN, REPO, 'guarded-lib')).toEqual({ '1.0.0': 'Published', '1.1.0': 'Published' });
      expect(blobFiles(ctx.server)).toContain(blobLine(built.guardedNew.wheel));
    });
  });

  describe('5. DisposePackageVersions and CopyPackageVersions', () => {
    const LIFE = 'life';
    /** Holds dispo-lib 1.0.0's sdist alone: the same bytes as life's, so that blob is shared. */
    const KEEP = 'keep';
    const DEST = 'dest';
    const fileUrl = (repo: string, f: Dist) => {
      const { project, version } = distNameVersion(f.filename);
      return `${baseOf(repo)}simple/${project}/${version}/${f.filename}`;
    };

    beforeAll(async () => {
      for (const repo of [LIFE, KEEP, DEST]) await ctx.cp.createRepository(DOMAIN, repo);
      await upload(LIFE, built.dispo.files);
      await upload(KEEP, [built.dispo.sdist!]);
      await upload(LIFE, built.copy.files);
    });

    test('dispose dispo-lib 1.0.0 (wheel + sdist): its file URLs 404 for curl and pip; the wheel’s bytes are gone, the shared sdist’s stay', async () => {
      const { wheel, sdist } = { wheel: built.dispo.wheel, sdist: built.dispo.sdist! };
      for (const f of [wheel, sdist]) expect(await curlStatus(fileUrl(LIFE, f), token), f.filename).toBe('200');
      expect(blobFiles(ctx.server)).toEqual(expect.arrayContaining([blobLine(wheel), blobLine(sdist)]));

      const r = await ctx.cp.disposeVersions(DOMAIN, LIFE, 'dispo-lib', ['1.0.0']);
      expect(r.successfulVersions['1.0.0']).toMatchObject({ status: 'Disposed' });
      expect(r.failedVersions ?? {}).toEqual({});
      // The record stays, Disposed, without assets.
      expect(await ctx.cp.versionStatuses(DOMAIN, LIFE, 'dispo-lib')).toEqual({ '1.0.0': 'Disposed' });
      expect(await ctx.cp.assets(DOMAIN, LIFE, 'dispo-lib', '1.0.0')).toEqual([]);

      for (const f of [wheel, sdist]) expect(await curlStatus(fileUrl(LIFE, f), token), `curl ${f.filename}`).toBe('404');
      const direct = await pipDownload(pipIndexUrl(LIFE), withoutCredentials(fileUrl(LIFE, wheel)).replace('http://', `http://aws:${token}@`));
      expectFailure(direct.run, ctx.server);
      expect(direct.run.stdout + direct.run.stderr, explain(direct.run)).toMatch(/404/);
      const byName = await pipDownload(pipIndexUrl(LIFE), 'dispo-lib==1.0.0');
      expectFailure(byName.run, ctx.server);
      expect(byName.run.stdout + byName.run.stderr, explain(byName.run)).toMatch(/No matching distribution found for dispo-lib==1\.0\.0/);

      // The wheel's bytes are nowhere under the data dir; the sdist's blob is still referenced by keep.
      expect(filesNamed(ctx.server, wheel.sha256)).toEqual([]);
      expect(blobFiles(ctx.server)).toContain(blobLine(sdist));
      const kept = path.join(ctx.work, 'kept.tar.gz');
      expect(await curlStatus(fileUrl(KEEP, sdist), token, kept)).toBe('200');
      expect(sha256(readFileSync(kept))).toBe(sdist.sha256);
    });

    test('copy copy-lib 1.0.0 to dest: dest’s index serves the same bytes, pip installs from it, the blob folder holds one copy', async () => {
      const blobsBefore = blobFiles(ctx.server);
      for (const f of built.copy.files) expect(blobsBefore).toContain(blobLine(f));

      const r = await ctx.cp.copyVersions(DOMAIN, LIFE, DEST, 'copy-lib', ['1.0.0']);
      expect(r.successfulVersions['1.0.0']).toMatchObject({ status: 'Published' });
      expect(r.failedVersions ?? {}).toEqual({});
      expect(await ctx.cp.assets(DOMAIN, DEST, 'copy-lib', '1.0.0')).toEqual(expectedAssets(built.copy.files));

      const page = await jsonPage(DEST, 'copy-lib');
      expect(page.versions).toEqual(['1.0.0']);
      expect(fileRows(page)).toEqual(distRows(built.copy.files));
      expectOwnFileUrls(page, baseOf(DEST));
      for (const f of built.copy.files) {
        const got = await getWith(token, fileUrl(DEST, f));
        expectStatus(`dest ${f.filename}`, got, 200);
        expect(sha256(got.body), f.filename).toBe(f.sha256);
      }

      const pip = await pipInstallToTarget('copy', pipIndexUrl(DEST), ['copy-lib']);
      expectSuccess(pip.run, ctx.server);
      expectFromIndex(pip.report(), baseOf(DEST), [built.copy.wheel]);
      const imported = await pip.python('import copy_lib; print(copy_lib.COPIED)');
      expectSuccess(imported);
      expect(imported.stdout.trim()).toBe('yes');

      // Records copied, bytes shared: the blob folder is exactly as it was, one file per distinct file.
      expect(blobFiles(ctx.server)).toEqual(blobsBefore);
      for (const f of built.copy.files) expect(filesNamed(ctx.server, f.sha256), f.filename).toEqual([`blobs/${blobLine(f)}`]);
    });
  });
});
