// The PyPI endpoint with the real clients, end to end: packages built offline with `python3 -m build`, uploaded
// with twine, read back through the control plane and the simple index, installed with pip into fresh venvs;
// version status (Unlisted, Archived) as pip sees it; the virtual-host URL form through curl; and
// `aws codeartifact login --tool twine|pip` followed by plain twine and pip commands.
//
// Needs: /usr/bin/twine, /usr/bin/python3 with build/setuptools/wheel (Debian), python3 (+pip, venv), aws, curl.
// Missing locally: skipped. Missing on CI (CI=true): the suite fails.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { cleanEnv } from '../python.js';
import {
  ACCOUNT,
  PIP_ACCEPT,
  basic,
  expectStatus,
  expectedAssets,
  htmlLinks,
  multipart,
  postForm,
  request,
  uploadFields,
  type HttpResult,
} from './api.js';
import {
  DEMO_DEP,
  DEMO_PKG,
  buildAll,
  distOf,
  readZipMember,
  sha256,
  type Built,
  type Dist,
} from './fixtures.js';
import {
  OFFLINE_TRAP,
  TWINE,
  checkClients,
  expectFailure,
  expectSuccess,
  explain,
  makeVenv,
  pipEnv,
  python,
  runTool,
  systemToolEnv,
  twineUpload,
  usePypiServer,
  type PypiSuite,
  type Ran,
  readPipReport,
  withoutCredentials,
  type PipReportItem,
} from './tools.js';

const clients = checkClients(['build', 'twine', 'pip', 'venv', 'aws', 'curl']);

const DOMAIN = 'my-domain';
const REPO = 'main';
const STATUS_REPO = 'status';
const VHOST_REPO = 'vhost';
const REGION = 'us-east-1';
const VHOST = `${DOMAIN}-${ACCOUNT}.d.codeartifact.${REGION}.localhost.test`;

/** The server, its control plane, the work dir and HOME: set by usePypiServer in the describe below. */
let ctx: PypiSuite;
let token: string;
/** {url}/pypi/d/my-domain-000000000000/main/ */
let base: string;
let built: Record<'dep' | 'pkg' | 'cli' | 'status1' | 'status2' | 'status3', Built>;

const baseOf = (repo: string) => `${ctx.server.url}/pypi/d/${DOMAIN}-${ACCOUNT}/${repo}/`;
/** The index URL as pip takes it: credentials in the URL, 127.0.0.1 only. */
const pipIndexUrl = (repo: string, tok = token) =>
  `http://aws:${tok}@127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${repo}/simple/`;

function get(url: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return request(url, { headers: { Authorization: basic(token), ...headers } });
}

/** The PEP 691 JSON page of a project. */
async function jsonPage(repo: string, project: string): Promise<any> {
  const r = await get(`${baseOf(repo)}simple/${project}/`, { Accept: PIP_ACCEPT });
  expectStatus(`JSON page ${project}`, r, 200);
  expect(r.headers['content-type']).toMatch(/^application\/vnd\.pypi\.simple\.v1\+json/);
  return JSON.parse(r.text);
}

const SERVED = ['Published', 'Unlisted'];

/**
 * The control plane and the index tell the same story for a package: the page lists exactly the Published
 * versions and their assets (name, sha256, size); every asset of a Published or Unlisted version downloads with
 * those bytes; Archived (and other) versions' files are 404. No Published version: the page is 404.
 */
async function expectIndexAgrees(repo: string, pkg: string) {
  const versions = await ctx.cp.versions(DOMAIN, repo, pkg);
  const rows: string[] = [];
  for (const v of versions) {
    const assets = await ctx.cp.assets(DOMAIN, repo, pkg, v.version);
    for (const a of assets) {
      if (v.status === 'Published') rows.push(`${a.name} ${a.hashes['SHA-256']} ${a.size}`);
      const url = `${baseOf(repo)}simple/${pkg}/${v.version}/${a.name}`;
      const r = await get(url);
      expectStatus(`${v.status} ${url}`, r, SERVED.includes(v.status) ? 200 : 404);
      if (r.status === 200) expect(sha256(r.body), url).toBe(a.hashes['SHA-256']);
    }
  }
  const published = versions.filter((v) => v.status === 'Published').map((v) => v.version);
  const r = await get(`${baseOf(repo)}simple/${pkg}/`, { Accept: PIP_ACCEPT });
  if (published.length === 0) return expectStatus(`${pkg} page with nothing Published`, r, 404);
  expectStatus(`${pkg} page`, r, 200);
  const page = JSON.parse(r.text);
  expect([...page.versions].sort(), `${pkg} versions`).toEqual([...published].sort());
  expect(page.files.map((f: any) => `${f.filename} ${f.hashes.sha256} ${f.size}`).sort(), `${pkg} files`).toEqual(rows.sort());
}

/** `pip download --no-deps` of one requirement or URL into a fresh dir (isolated, pyenv pip, no venv needed). */
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

/** Each installed item came from the emulator's file URL for that wheel, with that wheel's sha256. */
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

describe.skipIf(clients.skip)('PyPI endpoint with twine, pip, curl and aws codeartifact login', () => {
  ctx = usePypiServer(clients, 'ca-pypi-twine-pip-');

  beforeAll(async () => {
    await ctx.cp.createDomain(DOMAIN);
    for (const repo of [REPO, STATUS_REPO, VHOST_REPO]) await ctx.cp.createRepository(DOMAIN, repo);
    token = await ctx.cp.token(DOMAIN);
    base = await ctx.cp.endpoint(DOMAIN, REPO);
    const status = (version: string) => ({
      name: 'demo-status',
      version,
      summary: `demo-status ${version}`,
      readme: `# demo-status ${version}\n`,
      module: 'demo_status',
      code: `VERSION = ${JSON.stringify(version)}\n`,
      wheelOnly: true,
    });
    built = await buildAll(ctx.work, ctx.home, {
      dep: DEMO_DEP,
      pkg: DEMO_PKG,
      cli: {
        name: 'demo-cli',
        version: '1.0.0',
        summary: 'Uploaded after aws codeartifact login --tool twine',
        readme: '# demo-cli\n\nUploaded with `twine upload -r codeartifact`.\n',
        module: 'demo_cli',
        code: 'from demo_dep import VALUE\n\nGREETING = f"hello {VALUE}"\n',
        dependencies: ['demo-dep>=1.0'],
        requiresPython: '>=3.8',
      },
      status1: status('1.0.0'),
      status2: status('2.0.0'),
      status3: status('3.0.0'),
    });
  });

  test('GetRepositoryEndpoint hands out the path-style PyPI base', () => {
    expect(base).toBe(`${ctx.server.url}/pypi/d/${DOMAIN}-${ACCOUNT}/${REPO}/`);
  });

  test('the sample packages built offline: sdist + wheel each, demo-pkg requiring demo-dep>=1.0', async () => {
    expect(built.dep.files.map((f) => f.filename)).toEqual(['demo_dep-1.0.0-py3-none-any.whl', 'demo-dep-1.0.0.tar.gz']);
    expect(built.pkg.files.map((f) => f.filename)).toEqual(['demo_pkg-1.0.0-py3-none-any.whl', 'demo-pkg-1.0.0.tar.gz']);
    const metadata = (await readZipMember(built.pkg.wheel.path, 'demo_pkg-1.0.0.dist-info/METADATA')).toString();
    // setuptools 66 writes the Metadata 2.1 form `demo-dep (>=1.0)`.
    expect(metadata).toMatch(/^Requires-Dist: demo-dep \(?>=1\.0\)?$/m);
  });

  describe('twine upload → control plane → simple index', () => {
    test('twine uploads demo-dep and demo-pkg (wheels and sdists) to the endpoint URL', async () => {
      const files = [...built.dep.files, ...built.pkg.files].map((f) => f.path);
      const r = await twineUpload(base, files, token, ctx);
      expectSuccess(r, ctx.server);
      for (const f of files) expect(r.stdout + r.stderr).toContain(`Uploading ${path.basename(f)}`);
      await expectIndexAgrees(REPO, 'demo-dep');
      await expectIndexAgrees(REPO, 'demo-pkg');
    });

    test('the control plane lists both packages, one Published version each', async () => {
      expect(await ctx.cp.packages(DOMAIN, REPO)).toEqual(['demo-dep', 'demo-pkg']);
      for (const pkg of ['demo-dep', 'demo-pkg']) {
        const versions = await ctx.cp.versions(DOMAIN, REPO, pkg);
        expect(versions.map((v) => [v.version, v.status])).toEqual([['1.0.0', 'Published']]);
      }
    });

    test('assets: both files per version, sizes and MD5/SHA-1/SHA-256/SHA-512 of the dist files', async () => {
      for (const b of [built.dep, built.pkg]) {
        expect(await ctx.cp.assets(DOMAIN, REPO, b.name, b.version)).toEqual(expectedAssets(b.files));
        for (const f of b.files)
          expect(sha256(await ctx.cp.assetBytes(DOMAIN, REPO, b.name, b.version, f.filename)), f.filename).toBe(f.sha256);
      }
    });

    test('dependencies come from the wheel: demo-pkg → demo-dep >=1.0; demo-dep has none', async () => {
      const deps = await ctx.cp.dependencies(DOMAIN, REPO, 'demo-pkg', '1.0.0');
      expect(deps).toHaveLength(1);
      expect(deps[0]).toMatchObject({ package: 'demo-dep', versionRequirement: '>=1.0' });
      expect(deps[0]!.namespace ?? null).toBeNull();
      expect(await ctx.cp.dependencies(DOMAIN, REPO, 'demo-dep', '1.0.0')).toEqual([]);
    });

    test('readme is the long description; summary the description', async () => {
      expect(await ctx.cp.readme(DOMAIN, REPO, 'demo-pkg', '1.0.0')).toBe(DEMO_PKG.readme);
      expect(await ctx.cp.readme(DOMAIN, REPO, 'demo-dep', '1.0.0')).toBe(DEMO_DEP.readme);
      const v = await ctx.cp.describeVersion(DOMAIN, REPO, 'demo-pkg', '1.0.0');
      expect(v).toMatchObject({ packageName: 'demo-pkg', version: '1.0.0', summary: DEMO_PKG.summary, status: 'Published' });
    });

    test('project list (HTML and JSON) names exactly the uploaded projects', async () => {
      const html = await get(`${base}simple/`);
      expectStatus('simple/', html, 200);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(htmlLinks(html.text).map((l) => l.text).sort()).toEqual(['demo-dep', 'demo-pkg']);
      for (const l of htmlLinks(html.text)) expect(new URL(l.href, `${base}simple/`).href).toBe(`${base}simple/${l.text}/`);
      const json = await get(`${base}simple/`, { Accept: 'application/vnd.pypi.simple.v1+json' });
      expectStatus('simple/ JSON', json, 200);
      const list = JSON.parse(json.text);
      expect(list.meta['api-version']).toMatch(/^1\.\d+$/);
      expect(list.projects.map((p: { name: string }) => p.name).sort()).toEqual(['demo-dep', 'demo-pkg']);
    });

    test('project page (PEP 503 HTML) agrees with the control plane: every file, #sha256, requires-python, PEP 658', async () => {
      for (const b of [built.dep, built.pkg]) {
        const r = await get(`${base}simple/${b.name}/`);
        expectStatus(`simple/${b.name}/`, r, 200);
        expect(r.headers['content-type']).toMatch(/^text\/html/);
        const links = htmlLinks(r.text);
        const assets = await ctx.cp.assets(DOMAIN, REPO, b.name, b.version);
        expect(links.map((l) => l.text).sort()).toEqual(assets.map((a) => a.name).sort());
        for (const l of links) {
          const f = b.files.find((x) => x.filename === l.text)!;
          const [href, fragment] = l.href.split('#');
          expect(fragment).toBe(`sha256=${f.sha256}`);
          expect(new URL(href!, `${base}simple/${b.name}/`).href).toBe(`${base}simple/${b.name}/${b.version}/${f.filename}`);
          expect(l.attrs['data-requires-python']).toBe('>=3.8');
          if (f.kind === 'wheel') expect(l.attrs['data-core-metadata']).toMatch(/^sha256=[0-9a-f]{64}$/);
          else expect(l.attrs['data-core-metadata']).toBeUndefined();
        }
      }
    });

    test('project page (PEP 691 JSON, pip Accept) agrees with the control plane', async () => {
      for (const b of [built.dep, built.pkg]) {
        const page = await jsonPage(REPO, b.name);
        expect(page.name).toBe(b.name);
        expect(page.meta['api-version']).toMatch(/^1\.([1-9]|\d{2,})$/);
        const published = (await ctx.cp.versions(DOMAIN, REPO, b.name)).filter((v) => v.status === 'Published');
        expect(page.versions).toEqual(published.map((v) => v.version));
        const assets = await ctx.cp.assets(DOMAIN, REPO, b.name, b.version);
        expect(page.files.map((f: any) => f.filename).sort()).toEqual(assets.map((a) => a.name).sort());
        for (const file of page.files) {
          const asset = assets.find((a) => a.name === file.filename)!;
          expect(file.hashes).toEqual({ sha256: asset.hashes['SHA-256'] });
          expect(file.size).toBe(asset.size);
          expect(file['requires-python']).toBe('>=3.8');
          expect(file['upload-time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/);
          expect(new URL(file.url, `${base}simple/${b.name}/`).href).toBe(`${base}simple/${b.name}/${b.version}/${file.filename}`);
          if (file.filename.endsWith('.whl')) expect(file['core-metadata']).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
          else expect(file['core-metadata']).toBeUndefined();
        }
      }
    });

    test('PEP 658: {wheel}.metadata is the wheel’s METADATA, with the advertised hash', async () => {
      for (const b of [built.dep, built.pkg]) {
        const page = await jsonPage(REPO, b.name);
        const file = page.files.find((f: any) => f.filename === b.wheel.filename);
        const r = await get(`${base}simple/${b.name}/${b.version}/${b.wheel.filename}.metadata`);
        expectStatus('metadata', r, 200);
        const inWheel = await readZipMember(b.wheel.path, `${b.name.replace(/-/g, '_')}-${b.version}.dist-info/METADATA`);
        expect(r.body.equals(inWheel), `served:\n${r.text}\nin wheel:\n${inWheel}`).toBe(true);
        expect(sha256(r.body)).toBe(file['core-metadata'].sha256);
      }
    });

    test('files: the exact bytes, ETag "<sha256>", byte ranges', async () => {
      for (const f of built.pkg.files) {
        const url = `${base}simple/demo-pkg/1.0.0/${f.filename}`;
        const r = await get(url);
        expectStatus(url, r, 200);
        expect(r.body.equals(f.bytes)).toBe(true);
        expect(r.headers.etag).toBe(`"${f.sha256}"`);
        const part = await get(url, { Range: 'bytes=10-109' });
        expectStatus(`${url} Range`, part, 206);
        expect(part.body.equals(f.bytes.subarray(10, 110))).toBe(true);
        expect(part.headers['content-range']).toBe(`bytes 10-109/${f.size}`);
      }
    });

    test('non-normalized names and missing slashes redirect (301); nothing acceptable → 406', async () => {
      const cases: [string, string][] = [
        ['simple/Demo_Pkg/', 'simple/demo-pkg/'],
        ['simple/demo.pkg/', 'simple/demo-pkg/'],
        ['simple/demo-pkg', 'simple/demo-pkg/'],
        ['simple', 'simple/'],
      ];
      for (const [from, to] of cases) {
        const r = await get(`${base}${from}`);
        expectStatus(from, r, 301);
        expect(new URL(r.headers.location!, `${base}${from}`).href, from).toBe(`${base}${to}`);
      }
      const r = await get(`${base}simple/demo-pkg/`, { Accept: 'application/xml' });
      expectStatus('Accept: application/xml', r, 406);
      expect((await get(`${base}simple/no-such-project/`)).status).toBe(404);
    });

    test('twine re-uploading identical files succeeds and changes nothing', async () => {
      const before = await ctx.cp.versions(DOMAIN, REPO, 'demo-pkg');
      const r = await twineUpload(base, built.pkg.files.map((f) => f.path), token, ctx);
      expectSuccess(r, ctx.server);
      expect(await ctx.cp.versions(DOMAIN, REPO, 'demo-pkg')).toEqual(before);
      expect(await ctx.cp.assets(DOMAIN, REPO, 'demo-pkg', '1.0.0')).toEqual(expectedAssets(built.pkg.files));
    });
  });

  describe('pip install', () => {
    test('pip --isolated installs demo-pkg into a fresh venv; demo-dep comes from the index too', async () => {
      const venv = await makeVenv(path.join(ctx.work, 'venv-pip'), ctx.home);
      const report = path.join(ctx.work, 'pip-report.json');
      const r = await runTool(
        `${venv}/pip`,
        [
          '--isolated',
          'install',
          '--disable-pip-version-check',
          '--no-cache-dir',
          '--index-url',
          pipIndexUrl(REPO),
          '--report',
          report,
          'demo-pkg',
        ],
        { env: pipEnv(ctx.home), cwd: ctx.work },
      );
      expectSuccess(r, ctx.server);
      expect(r.stdout).toContain(`Looking in indexes: http://aws:****@127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${REPO}/simple/`);
      expect(r.stdout).not.toMatch(/Looking in links/);
      expect(r.stdout).toMatch(/Successfully installed demo-dep-1\.0\.0 demo-pkg-1\.0\.0/);
      expectFromIndex(readPipReport(report), REPO, [built.dep.wheel, built.pkg.wheel]);

      const imported = await runTool(
        `${venv}/python`,
        ['-c', 'import demo_pkg, demo_dep, sys; print(demo_pkg.answer()); print(demo_dep.__file__.startswith(sys.prefix))'],
        { env: pipEnv(ctx.home), cwd: ctx.work },
      );
      expectSuccess(imported);
      expect(imported.stdout.trim().split('\n')).toEqual(['42', 'True']);
    });
  });

  describe('version status: Unlisted and Archived, as the index and pip see them', () => {
    let statusBase: string;
    const wheel = (n: 1 | 2 | 3) => built[`status${n}`].wheel;
    const fileUrl = (n: 1 | 2 | 3) => `${statusBase}simple/demo-status/${n}.0.0/${wheel(n).filename}`;
    const pipFileUrl = (n: 1 | 2 | 3) => `${pipIndexUrl(STATUS_REPO)}demo-status/${n}.0.0/${wheel(n).filename}`;
    const listed = async () => {
      const page = await jsonPage(STATUS_REPO, 'demo-status');
      return { versions: page.versions as string[], files: (page.files as { filename: string }[]).map((f) => f.filename) };
    };
    const htmlFiles = async () => htmlLinks((await get(`${statusBase}simple/demo-status/`)).text).map((l) => l.text);

    test('three versions uploaded with twine are all listed', async () => {
      statusBase = baseOf(STATUS_REPO);
      const r = await twineUpload(statusBase, [1, 2, 3].map((n) => wheel(n as 1 | 2 | 3).path), token, ctx);
      expectSuccess(r, ctx.server);
      expect(await ctx.cp.versionStatuses(DOMAIN, STATUS_REPO, 'demo-status')).toEqual({
        '1.0.0': 'Published',
        '2.0.0': 'Published',
        '3.0.0': 'Published',
      });
      expect((await listed()).versions).toEqual(['1.0.0', '2.0.0', '3.0.0']);
      await expectIndexAgrees(STATUS_REPO, 'demo-status');
    });

    test('Unlisted 2.0.0: gone from the pages, still served by exact URL; pip cannot resolve it by name', async () => {
      const res = await ctx.cp.updateStatus(DOMAIN, STATUS_REPO, 'demo-status', ['2.0.0'], 'Unlisted');
      expect(res.successfulVersions['2.0.0'].status).toBe('Unlisted');
      expect(await ctx.cp.versionStatuses(DOMAIN, STATUS_REPO, 'demo-status')).toMatchObject({ '2.0.0': 'Unlisted' });

      expect(await listed()).toEqual({ versions: ['1.0.0', '3.0.0'], files: [wheel(1).filename, wheel(3).filename] });
      expect(await htmlFiles()).toEqual([wheel(1).filename, wheel(3).filename]);
      await expectIndexAgrees(STATUS_REPO, 'demo-status');
      const file = await get(fileUrl(2));
      expectStatus('Unlisted file', file, 200);
      expect(file.body.equals(wheel(2).bytes)).toBe(true);
      expectStatus('Unlisted .metadata', await get(`${fileUrl(2)}.metadata`), 200);

      const byName = await pipDownload(pipIndexUrl(STATUS_REPO), 'demo-status==2.0.0');
      expectFailure(byName.run, ctx.server);
      expect(byName.run.stderr).toContain('No matching distribution found for demo-status==2.0.0');
      expect(byName.run.stderr).toMatch(/from versions: 1\.0\.0, 3\.0\.0\)/);

      const byUrl = await pipDownload(pipIndexUrl(STATUS_REPO), pipFileUrl(2));
      expectSuccess(byUrl.run, ctx.server);
      expect(byUrl.files).toEqual([wheel(2).filename]);
      expect(distOf(path.join(byUrl.dir, wheel(2).filename)).sha256).toBe(wheel(2).sha256);
    });

    test('Archived 3.0.0: neither listed nor served; pip resolves the newest listed version instead', async () => {
      await ctx.cp.updateStatus(DOMAIN, STATUS_REPO, 'demo-status', ['3.0.0'], 'Archived');
      expect(await ctx.cp.versionStatuses(DOMAIN, STATUS_REPO, 'demo-status')).toEqual({
        '1.0.0': 'Published',
        '2.0.0': 'Unlisted',
        '3.0.0': 'Archived',
      });
      expect(await listed()).toEqual({ versions: ['1.0.0'], files: [wheel(1).filename] });
      expect(await htmlFiles()).toEqual([wheel(1).filename]);
      await expectIndexAgrees(STATUS_REPO, 'demo-status');
      expectStatus('Archived file', await get(fileUrl(3)), 404);
      expectStatus('Archived .metadata', await get(`${fileUrl(3)}.metadata`), 404);
      // The assets stay in the store (the control plane still lists them).
      expect((await ctx.cp.assets(DOMAIN, STATUS_REPO, 'demo-status', '3.0.0')).map((a) => a.name)).toEqual([wheel(3).filename]);

      const latest = await pipDownload(pipIndexUrl(STATUS_REPO), 'demo-status');
      expectSuccess(latest.run, ctx.server);
      expect(latest.files).toEqual([wheel(1).filename]);
      const archived = await pipDownload(pipIndexUrl(STATUS_REPO), pipFileUrl(3));
      expectFailure(archived.run, ctx.server);
      expect(archived.run.stderr).toMatch(/404/);
    });

    test('Unlisted → Published again: 2.0.0 is listed and resolved once more', async () => {
      await ctx.cp.updateStatus(DOMAIN, STATUS_REPO, 'demo-status', ['2.0.0'], 'Published');
      expect(await listed()).toEqual({ versions: ['1.0.0', '2.0.0'], files: [wheel(1).filename, wheel(2).filename] });
      await expectIndexAgrees(STATUS_REPO, 'demo-status');
      const latest = await pipDownload(pipIndexUrl(STATUS_REPO), 'demo-status');
      expectSuccess(latest.run, ctx.server);
      expect(latest.files).toEqual([wheel(2).filename]);
    });

    test('no listed version left: the project page is 404 and the project list omits it', async () => {
      await ctx.cp.updateStatus(DOMAIN, STATUS_REPO, 'demo-status', ['1.0.0', '2.0.0'], 'Archived');
      expectStatus('all archived', await get(`${statusBase}simple/demo-status/`), 404);
      await expectIndexAgrees(STATUS_REPO, 'demo-status');
      const list = JSON.parse((await get(`${statusBase}simple/`, { Accept: PIP_ACCEPT })).text);
      expect(list.projects).toEqual([]);
      // The control plane still knows the package and every version.
      expect(await ctx.cp.versionStatuses(DOMAIN, STATUS_REPO, 'demo-status')).toEqual({
        '1.0.0': 'Archived',
        '2.0.0': 'Archived',
        '3.0.0': 'Archived',
      });
    });
  });

  describe('virtual-host form: Host {domain}-{owner}.d.codeartifact.{region}.… and /pypi/{repo}/', () => {
    const curl = (args: string[]) =>
      runTool('curl', ['--noproxy', '*', '-sS', '--resolve', `${VHOST}:${ctx.server.port}:127.0.0.1`, ...args], {
        env: cleanEnv({ home: ctx.home }),
        cwd: ctx.work,
        timeoutMs: 30_000,
      });
    const vhostBase = () => `http://${VHOST}:${ctx.server.port}/pypi/${VHOST_REPO}/`;

    test('curl uploads a wheel through the virtual host (multipart POST)', async () => {
      const w = built.dep.wheel;
      const form = uploadFields(w, 'demo-dep', '1.0.0');
      const args = ['-u', `aws:${token}`, '-o', '-', '-w', '\n%{http_code}'];
      for (const [k, v] of form) args.push('--form-string', `${k}=${v}`);
      args.push('-F', `content=@${w.path};type=application/octet-stream`, vhostBase());
      const r = await curl(args);
      expectSuccess(r, ctx.server);
      expect(r.stdout.trim().split('\n').pop(), explain(r, ctx.server)).toBe('200');
      expect(await ctx.cp.assets(DOMAIN, VHOST_REPO, 'demo-dep', '1.0.0')).toEqual(expectedAssets([w]));
      await expectIndexAgrees(VHOST_REPO, 'demo-dep');
    });

    test('curl fetches the project page (HTML and JSON) and the file through the virtual host', async () => {
      const w = built.dep.wheel;
      const html = await curl(['-u', `aws:${token}`, '-f', `${vhostBase()}simple/demo-dep/`]);
      expectSuccess(html, ctx.server);
      const links = htmlLinks(html.stdout);
      expect(links.map((l) => [l.text, l.href])).toEqual([[w.filename, `1.0.0/${w.filename}#sha256=${w.sha256}`]]);

      const json = await curl(['-u', `aws:${token}`, '-f', '-H', `Accept: ${PIP_ACCEPT}`, `${vhostBase()}simple/demo-dep/`]);
      expectSuccess(json, ctx.server);
      expect(JSON.parse(json.stdout)).toMatchObject({ name: 'demo-dep', versions: ['1.0.0'], files: [{ filename: w.filename, hashes: { sha256: w.sha256 } }] });

      const out = path.join(ctx.work, `vhost-${w.filename}`);
      const file = await curl(['-u', `aws:${token}`, '-f', '-o', out, `${vhostBase()}simple/demo-dep/1.0.0/${w.filename}`]);
      expectSuccess(file, ctx.server);
      expect(distOf(out).sha256).toBe(w.sha256);
    });

    test('a Host header alone (node http) routes to the same repository; the page equals the path-style one', async () => {
      const viaHost = await request(`http://127.0.0.1:${ctx.server.port}/pypi/${VHOST_REPO}/simple/demo-dep/`, {
        headers: { Host: `${VHOST}:${ctx.server.port}`, Authorization: basic(token) },
      });
      expectStatus('Host header page', viaHost, 200);
      const pathStyle = await get(`${baseOf(VHOST_REPO)}simple/demo-dep/`);
      expect(viaHost.text).toBe(pathStyle.text);
      const noAuth = await request(`http://127.0.0.1:${ctx.server.port}/pypi/${VHOST_REPO}/simple/demo-dep/`, {
        headers: { Host: `${VHOST}:${ctx.server.port}` },
      });
      expectStatus('Host header without token', noAuth, 401);
    });
  });

  describe('aws codeartifact login, then plain twine and pip', () => {
    let loginHome: string;
    const aws = (tool: string) =>
      runTool(
        'aws',
        ['codeartifact', 'login', '--tool', tool, '--domain', DOMAIN, '--repository', REPO, '--endpoint-url', ctx.server.url],
        { env: cleanEnv({ home: loginHome, extra: OFFLINE_TRAP }), cwd: ctx.work, timeoutMs: 60_000 },
      );

    test('login --tool twine writes ~/.pypirc; `twine upload -r codeartifact dist/*` uploads demo-cli', async () => {
      loginHome = mkdtempSync(path.join(ctx.work, 'login-home-'));
      const login = await aws('twine');
      expectSuccess(login, ctx.server);
      expect(login.stdout).toContain(`Successfully configured twine to use AWS CodeArtifact repository ${base}`);
      const pypirc = readFileSync(path.join(loginHome, '.pypirc'), 'utf8');
      expect(pypirc).toMatch(/^\[codeartifact\]$/m);
      expect(pypirc).toContain(`repository = ${base}`);
      expect(pypirc).toMatch(/^username = aws$/m);
      const password = /^password = (\S+)$/m.exec(pypirc)?.[1];
      expect(password).toBeDefined();

      // Literally `twine upload -r codeartifact dist/*` in a project directory (twine expands the glob).
      const cli = built.cli;
      const project = path.join(ctx.work, 'demo-cli-project');
      mkdirSync(path.join(project, 'dist'), { recursive: true });
      for (const f of cli.files) copyFileSync(f.path, path.join(project, 'dist', f.filename));
      const r = await runTool(
        TWINE,
        ['upload', '-r', 'codeartifact', '--non-interactive', '--disable-progress-bar', 'dist/*'],
        { env: systemToolEnv(loginHome), cwd: project },
      );
      expectSuccess(r, ctx.server);
      expect((r.stdout + r.stderr).replace(/\s+/g, ' ')).toContain(`Uploading distributions to ${base}`);
      expect(await ctx.cp.versionStatuses(DOMAIN, REPO, 'demo-cli')).toEqual({ '1.0.0': 'Published' });
      expect(await ctx.cp.assets(DOMAIN, REPO, 'demo-cli', '1.0.0')).toEqual(expectedAssets(cli.files));
      const deps = await ctx.cp.dependencies(DOMAIN, REPO, 'demo-cli', '1.0.0');
      expect(deps.map((d) => [d.package, d.versionRequirement])).toEqual([['demo-dep', '>=1.0']]);
      await expectIndexAgrees(REPO, 'demo-cli');
    });

    test('login --tool pip writes the user pip.conf; a plain `pip install demo-cli` in a fresh venv uses it', async () => {
      const login = await aws('pip');
      expectSuccess(login, ctx.server);
      const pipConf = readFileSync(path.join(loginHome, '.config', 'pip', 'pip.conf'), 'utf8');
      const indexUrl = /^index-url = (\S+)$/m.exec(pipConf)?.[1];
      expect(indexUrl, pipConf).toBeDefined();
      const u = new URL(indexUrl!);
      expect(u.username).toBe('aws');
      expect(withoutCredentials(indexUrl!)).toBe(`${base}simple/`);

      const venv = await makeVenv(path.join(ctx.work, 'venv-login'), loginHome);
      const report = path.join(ctx.work, 'pip-login-report.json');
      // Not isolated: no PIP_CONFIG_FILE, no PIP_FIND_LINKS (cleanEnv passes neither), HOME = the login's.
      const r = await runTool(`${venv}/pip`, ['install', '--no-cache-dir', '--report', report, 'demo-cli'], {
        env: cleanEnv({ home: loginHome, extra: OFFLINE_TRAP }),
        cwd: ctx.work,
      });
      expectSuccess(r, ctx.server);
      expect(r.stdout).toContain(`Looking in indexes: http://aws:****@127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${REPO}/simple/`);
      expect(r.stdout).not.toMatch(/Looking in links/);
      expectFromIndex(readPipReport(report), REPO, [built.cli.wheel, built.dep.wheel]);
      const imported = await runTool(`${venv}/python`, ['-c', 'import demo_cli; print(demo_cli.GREETING)'], {
        env: cleanEnv({ home: loginHome }),
      });
      expectSuccess(imported);
      expect(imported.stdout.trim()).toBe('hello 42');
    });
  });

  test('the hand-made form helper matches what twine sends (sanity: a raw upload of a new file is accepted)', async () => {
    // Guards the rejection suite: its raw forms are only meaningful if a correct raw form is accepted.
    const w = built.status1.wheel;
    const body = multipart(uploadFields(w, 'demo-status', '1.0.0'), { data: w.bytes, filename: w.filename });
    const r = await postForm(base, basic(token), body);
    expectStatus('raw upload', r, 200);
    expect(await ctx.cp.assets(DOMAIN, REPO, 'demo-status', '1.0.0')).toEqual(expectedAssets([w]));
    await expectIndexAgrees(REPO, 'demo-status');
  });
});
