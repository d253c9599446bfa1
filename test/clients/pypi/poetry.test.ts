// poetry 1.3 against the PyPI endpoint: `poetry build` + `poetry publish -r dev` of a poetry-core project
// (repository URL and http-basic credentials from `poetry config`), then `poetry add demo-pkg` in a fresh
// project whose only source is the emulator (`poetry source add --default`), fully offline: an unreachable
// proxy catches any request to anything but 127.0.0.1.
//
// Needs: /usr/bin/poetry, /usr/bin/twine, /usr/bin/python3 with build/setuptools/wheel (Debian).
// poetry is slow: one server and one build per file, and only the steps the acceptance criteria name.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNT, PIP_ACCEPT, basic, expectedAssets, request } from './api.js';
import {
  DEMO_DEP,
  DEMO_PKG,
  buildAll,
  distsIn,
  readZipMember,
  writePoetryConsumer,
  writePoetryProject,
  type Built,
  type PoetrySpec,
} from './fixtures.js';
import {
  POETRY,
  checkClients,
  expectFailure,
  expectSuccess,
  explain,
  poetryEnv,
  runTool,
  twineUpload,
  usePypiServer,
  type PoetryDirs,
  type PypiSuite,
  type Ran,
} from './tools.js';

const clients = checkClients(['build', 'twine', 'poetry']);

const DOMAIN = 'poetry-domain';
const REPO = 'py';

const DEMO_POETRY: PoetrySpec = {
  name: 'demo-poetry',
  version: '1.0.0',
  summary: 'Built and published with poetry',
  readme: '# demo-poetry\n\nPublished with `poetry publish`.\n',
  module: 'demo_poetry',
  code: 'from demo_dep import VALUE\n\nDOUBLE = VALUE * 2\n',
  dependencies: { 'demo-dep': '>=1.0' },
};

/** The server, its control plane, the work dir and HOME: set by usePypiServer in the describe below. */
let ctx: PypiSuite;
let token: string;
let base: string;
let built: Record<'dep' | 'pkg', Built>;

function poetryDirs(name: string): PoetryDirs {
  const root = mkdtempSync(path.join(ctx.work, `${name}-`));
  const dirs = { home: path.join(root, 'home'), config: path.join(root, 'config'), cache: path.join(root, 'cache') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  return dirs;
}

function poetry(dirs: PoetryDirs, cwd: string, args: string[]): Promise<Ran> {
  return runTool(POETRY, args, { env: poetryEnv(dirs), cwd, timeoutMs: 240_000 });
}

describe.skipIf(clients.skip)('PyPI endpoint with poetry', () => {
  ctx = usePypiServer(clients, 'ca-pypi-poetry-');

  beforeAll(async () => {
    await ctx.cp.createDomain(DOMAIN);
    await ctx.cp.createRepository(DOMAIN, REPO);
    token = await ctx.cp.token(DOMAIN);
    base = await ctx.cp.endpoint(DOMAIN, REPO);
    built = await buildAll(ctx.work, ctx.home, { dep: DEMO_DEP, pkg: DEMO_PKG });
    // demo-dep and demo-pkg arrive with twine (covered in twine-pip.test.ts); poetry publishes its own project.
    const r = await twineUpload(base, [...built.dep.files, ...built.pkg.files].map((f) => f.path), token, ctx);
    expectSuccess(r, ctx.server);
  });

  describe('poetry publish', () => {
    let project: string;
    let dirs: PoetryDirs;
    let dist: Built;

    test('poetry build, then `poetry publish -r dev -n` with repositories.dev and http-basic.dev', async () => {
      dirs = poetryDirs('publish');
      project = path.join(ctx.work, 'demo-poetry');
      writePoetryProject(project, DEMO_POETRY);
      const build = await poetry(dirs, project, ['build']);
      expectSuccess(build, ctx.server);
      dist = distsIn(path.join(project, 'dist'), DEMO_POETRY.name, DEMO_POETRY.version);
      expect(dist.files.map((f) => f.filename)).toEqual(['demo_poetry-1.0.0-py3-none-any.whl', 'demo_poetry-1.0.0.tar.gz']);

      expectSuccess(await poetry(dirs, project, ['config', 'repositories.dev', base]));
      expectSuccess(await poetry(dirs, project, ['config', 'http-basic.dev', 'aws', token]));
      const r = await poetry(dirs, project, ['publish', '-r', 'dev', '-n']);
      expectSuccess(r, ctx.server);
      expect(r.stdout, explain(r)).toContain('Publishing demo-poetry (1.0.0) to dev');
      expect(r.stdout + r.stderr, explain(r)).not.toMatch(/HTTP Error|Redirect/i);
    });

    test('the control plane shows the version, both files with their hashes, the dependency and the README', async () => {
      expect(await ctx.cp.versionStatuses(DOMAIN, REPO, 'demo-poetry')).toEqual({ '1.0.0': 'Published' });
      expect(await ctx.cp.assets(DOMAIN, REPO, 'demo-poetry', '1.0.0')).toEqual(expectedAssets(dist.files));
      const deps = await ctx.cp.dependencies(DOMAIN, REPO, 'demo-poetry', '1.0.0');
      expect(deps.map((d) => [d.package, d.versionRequirement])).toEqual([['demo-dep', '>=1.0']]);
      // poetry-core writes the README as the METADATA body followed by one more newline; the body is the readme.
      expect((await ctx.cp.readme(DOMAIN, REPO, 'demo-poetry', '1.0.0'))?.trimEnd()).toBe(DEMO_POETRY.readme.trimEnd());
      const v = await ctx.cp.describeVersion(DOMAIN, REPO, 'demo-poetry', '1.0.0');
      expect(v.summary).toBe(DEMO_POETRY.summary);
    });

    test('the index lists both files with their sha256; PEP 658 metadata for the wheel is its METADATA', async () => {
      const r = await request(`${base}simple/demo-poetry/`, { headers: { Authorization: basic(token), Accept: PIP_ACCEPT } });
      expect(r.status, r.text).toBe(200);
      const page = JSON.parse(r.text);
      expect(page.versions).toEqual(['1.0.0']);
      const rows = (files: { filename: string; sha256: string; size: number }[]) =>
        files.map((f) => `${f.filename} ${f.sha256} ${f.size}`).sort();
      expect(rows(page.files.map((f: any) => ({ filename: f.filename, sha256: f.hashes.sha256, size: f.size })))).toEqual(
        rows(dist.files),
      );
      const meta = await request(`${base}simple/demo-poetry/1.0.0/${dist.wheel.filename}.metadata`, {
        headers: { Authorization: basic(token) },
      });
      expect(meta.status).toBe(200);
      expect(meta.body.equals(await readZipMember(dist.wheel.path, 'demo_poetry-1.0.0.dist-info/METADATA'))).toBe(true);
    });

    test('publishing the same files again succeeds without changing anything', async () => {
      const before = await ctx.cp.versions(DOMAIN, REPO, 'demo-poetry');
      expectSuccess(await poetry(dirs, project, ['publish', '-r', 'dev', '-n']), ctx.server);
      expect(await ctx.cp.versions(DOMAIN, REPO, 'demo-poetry')).toEqual(before);
      expect(await ctx.cp.assets(DOMAIN, REPO, 'demo-poetry', '1.0.0')).toEqual(expectedAssets(dist.files));
    });

    test('with a wrong token poetry publish fails (401) and stores nothing', async () => {
      const bad = poetryDirs('publish-bad');
      expectSuccess(await poetry(bad, project, ['config', 'repositories.dev', base]));
      expectSuccess(await poetry(bad, project, ['config', 'http-basic.dev', 'aws', `${token.slice(0, -6)}AAAAAA`]));
      const before = await ctx.cp.versions(DOMAIN, REPO, 'demo-poetry');
      const r = await poetry(bad, project, ['publish', '-r', 'dev', '-n']);
      expectFailure(r, ctx.server);
      expect(r.stdout + r.stderr, explain(r)).toMatch(/401/);
      expect(await ctx.cp.versions(DOMAIN, REPO, 'demo-poetry')).toEqual(before);
    });
  });

  describe('poetry add from the emulator as the default source', () => {
    test('`poetry add demo-pkg` resolves and installs demo-pkg and demo-dep offline, locking our hashes', async () => {
      const dirs = poetryDirs('add');
      const project = path.join(ctx.work, 'consumer');
      writePoetryConsumer(project);
      const source = `${base}simple/`;
      expectSuccess(await poetry(dirs, project, ['source', 'add', '--default', 'codeartifact', source]));
      expectSuccess(await poetry(dirs, project, ['config', 'http-basic.codeartifact', 'aws', token]));
      const pyproject = readFileSync(path.join(project, 'pyproject.toml'), 'utf8');
      expect(pyproject).toContain(`url = "${source}"`);
      expect(pyproject).toMatch(/^default = true$/m);

      const r = await poetry(dirs, project, ['add', 'demo-pkg', '-n']);
      expectSuccess(r, ctx.server);
      expect(r.stdout, explain(r)).toMatch(/Installing demo-dep \(1\.0\.0\)/);
      expect(r.stdout, explain(r)).toMatch(/Installing demo-pkg \(1\.0\.0\)/);

      // The lock file: both packages from our source, every file with the sha256 the index advertised.
      const lock = readFileSync(path.join(project, 'poetry.lock'), 'utf8');
      for (const b of [built.dep, built.pkg]) {
        const section = lock.split('[[package]]').find((s) => s.includes(`name = "${b.name}"`));
        expect(section, `${b.name} in poetry.lock:\n${lock}`).toBeDefined();
        expect(section).toContain(`version = "${b.version}"`);
        for (const f of b.files) expect(section).toContain(`{file = "${f.filename}", hash = "sha256:${f.sha256}"}`);
        // poetry drops the source URL's trailing slash (and adds `/<name>/` itself when it fetches).
        expect(section).toContain(`url = "${source.replace(/\/$/, '')}"`);
        expect(section).toMatch(/reference = "codeartifact"/);
      }
      expect(readFileSync(path.join(project, 'pyproject.toml'), 'utf8')).toMatch(/^demo-pkg = "\^1\.0\.0"$/m);

      const imported = await runTool(
        path.join(project, '.venv', 'bin', 'python'),
        ['-c', 'import demo_pkg; print(demo_pkg.answer())'],
        { env: poetryEnv(dirs), cwd: project },
      );
      expectSuccess(imported);
      expect(imported.stdout.trim()).toBe('42');
    });

    test('poetry add with the wrong domain’s source URL fails (the token is for another domain)', async () => {
      // A second domain, and the first domain's token against it: 403 on every page, so nothing resolves.
      await ctx.cp.createDomain('poetry-other');
      await ctx.cp.createRepository('poetry-other', REPO);
      const otherSource = `${ctx.server.url}/pypi/d/poetry-other-${ACCOUNT}/${REPO}/simple/`;
      const dirs = poetryDirs('add-403');
      const project = path.join(ctx.work, 'consumer-403');
      writePoetryConsumer(project);
      expectSuccess(await poetry(dirs, project, ['source', 'add', '--default', 'codeartifact', otherSource]));
      expectSuccess(await poetry(dirs, project, ['config', 'http-basic.codeartifact', 'aws', token]));
      const r = await poetry(dirs, project, ['add', 'demo-pkg', '-n']);
      expectFailure(r, ctx.server);
      // poetry 1.3 reports the 403 as "Authorization error accessing <url>".
      expect(r.stdout + r.stderr, explain(r)).toContain(`Authorization error accessing ${otherSource}demo-pkg/`);
      expect(r.stdout + r.stderr, explain(r)).toContain('Could not find a matching version of package demo-pkg');
    });
  });
});
