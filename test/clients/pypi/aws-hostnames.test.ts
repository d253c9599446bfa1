// Tools that hardcode AWS's host names, unmodified, reaching this server through its CONNECT proxy with only the
// variables GET /_local/env prints (HTTPS_PROXY, NO_PROXY and the CA bundle variables), dummy AWS keys,
// AWS_DEFAULT_REGION, a temp HOME and the null keyring: no endpoint override anywhere.
//   - boto3 (pyenv 1.43 and Debian's 1.26, which predates AWS_ENDPOINT_URL): client("codeartifact") as is;
//   - `aws codeartifact login --tool pip|twine` against a server with --endpoint-style aws, then plain pip and
//     `twine upload -r codeartifact`;
//   - poetry-plugin-code-artifact 0.0.2 (builds https://{domain}-{owner}.d.codeartifact.{region}.amazonaws.com
//     itself and gets its token through boto3): poetry add, poetry install, poetry publish --build;
//   - semgrep's poetry-codeartifact-plugin 1.0.3: a 401 from the AWS host, a token through boto3, the retry.
// The plugins are the wheels in ../shared/clients, installed for Debian's poetry into a PYTHONUSERBASE of their own.
//
// Needs: Debian's twine, poetry, python3-build and python3-boto3; pyenv python3 with pip, boto3 and awscli.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { findPython } from '../python.js';
import { ACCOUNT } from './api.js';
import {
  DEMO_DEP,
  DEMO_PKG,
  buildAll,
  distsIn,
  writePoetryConsumer,
  writePoetryProject,
  type Built,
  type SetuptoolsSpec,
} from './fixtures.js';
import {
  POETRY,
  SYSTEM_PATH,
  SYSTEM_PYTHON,
  TWINE,
  checkClients,
  expectFailure,
  expectSuccess,
  explain,
  runTool,
  twineUpload,
  usePypiServer,
  type PypiSuite,
  type Ran,
} from './tools.js';

const clients = checkClients(['build', 'twine', 'poetry', 'pip', 'venv', 'aws', 'system-boto3']);

const SHARED_CLIENTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'shared', 'clients');
const PLUGIN_WHEEL = path.join(SHARED_CLIENTS, 'poetry_plugin_code_artifact-0.0.2-py3-none-any.whl');
const SEMGREP_WHEEL = path.join(SHARED_CLIENTS, 'poetry_codeartifact_plugin-1.0.3-py3-none-any.whl');

// semgrep's plugin only matches domains of letters and dashes.
const DOMAIN = 'hosts-domain';
const REPO = 'team';
const REGION = 'us-east-1';
const AWS_HOST = `${DOMAIN}-${ACCOUNT}.d.codeartifact.${REGION}.amazonaws.com`;
const AWS_REPO_URL = `https://${AWS_HOST}/pypi/${REPO}/`;

const DEMO_PROXIED: SetuptoolsSpec = {
  name: 'demo-proxied',
  version: '1.0.0',
  summary: 'Uploaded by twine through the CONNECT proxy',
  readme: '# demo-proxied\n',
  module: 'demo_proxied',
  code: 'from demo_dep import VALUE\n\nGREETING = f"proxied {VALUE}"\n',
  dependencies: ['demo-dep>=1.0'],
  requiresPython: '>=3.8',
};

let ctx: PypiSuite;
let built: Record<'dep' | 'pkg' | 'proxied', Built>;
/** The variables GET /_local/env exports, parsed. */
let localEnv: Record<string, string>;

/** Only what a user would have: PATH, HOME, the /_local/env variables, dummy AWS keys, the null keyring. */
function userEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: extra.PATH ?? SYSTEM_PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    ...localEnv,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_DEFAULT_REGION: REGION,
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    ...extra,
  };
}

/** The pyenv python's bin dir first (its pip, aws, boto3), and pyenv's own variables so the shims work. */
function pyenvEnv(home: string, extra: Record<string, string> = {}) {
  const pyenv = Object.fromEntries(
    ['PYENV_ROOT', 'PYENV_VERSION'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]),
  );
  return userEnv(home, { ...pyenv, PATH: `${findPython()!.binDir}:${SYSTEM_PATH}`, ...extra });
}

function newHome(name: string): string {
  const home = mkdtempSync(path.join(ctx.work, `${name}-`));
  mkdirSync(path.join(home, '.config', 'pypoetry'), { recursive: true }); // semgrep's plugin writes auth.toml there
  return home;
}

/** A PYTHONUSERBASE holding one plugin wheel, for Debian's poetry (whose project venvs skip the user site). */
async function pluginUserBase(wheel: string, name: string): Promise<string> {
  const base = mkdtempSync(path.join(ctx.work, `userbase-${name}-`));
  const r = await runTool(
    SYSTEM_PYTHON,
    ['-m', 'pip', 'install', '--no-deps', '--no-index', '--disable-pip-version-check', '--target', path.join(base, 'lib', 'python3.11', 'site-packages'), wheel],
    { env: { PATH: SYSTEM_PATH, HOME: base, PIP_CONFIG_FILE: '/dev/null' }, timeoutMs: 60_000 },
  );
  expectSuccess(r);
  return base;
}

interface PoetryRun {
  home: string;
  userBase: string;
}

function poetry(run: PoetryRun, cwd: string, args: string[]): Promise<Ran> {
  return runTool(POETRY, [...args, '-n'], {
    env: userEnv(run.home, {
      PYTHONUSERBASE: run.userBase,
      POETRY_CONFIG_DIR: path.join(run.home, '.config', 'pypoetry'),
      POETRY_CACHE_DIR: path.join(run.home, '.cache', 'pypoetry'),
      POETRY_VIRTUALENVS_IN_PROJECT: 'true',
    }),
    cwd,
    timeoutMs: 240_000,
  });
}

/** A pyproject.toml with one poetry-plugin-code-artifact source named `dev` (the keys its code reads). */
const PLUGIN_SOURCE = [
  '[[tool.poetry-plugin-code-artifact.sources]]',
  'name = "dev"',
  `aws-codeartifact-domain = "${DOMAIN}"`,
  `aws-codeartifact-owner = "${ACCOUNT}"`,
  `aws-codeartifact-region = "${REGION}"`,
  `aws-codeartifact-repository = "${REPO}"`,
  '',
].join('\n');

function consumerProject(dir: string, extraToml: string): string {
  writePoetryConsumer(dir, 'consumer', extraToml);
  return dir;
}

function lockedSources(project: string): Record<string, string> {
  const lock = readFileSync(path.join(project, 'poetry.lock'), 'utf8');
  const out: Record<string, string> = {};
  for (const section of lock.split('[[package]]').slice(1)) {
    const name = /^name = "([^"]+)"/m.exec(section)?.[1];
    const url = /^url = "([^"]+)"/m.exec(section)?.[1];
    if (name) out[name] = url ?? '(none)';
  }
  return out;
}

describe.skipIf(clients.skip)('tools that hardcode AWS host names, through the CONNECT proxy', () => {
  ctx = usePypiServer(clients, 'ca-aws-hosts-', { args: ['--endpoint-style', 'aws'] });

  beforeAll(async () => {
    for (const wheel of [PLUGIN_WHEEL, SEMGREP_WHEEL])
      if (!existsSync(wheel)) throw new Error(`missing ${wheel}: the real plugin wheels come from ../shared/clients`);
    const env = await fetch(`${ctx.server.url}/_local/env`).then((r) => r.text());
    localEnv = Object.fromEntries([...env.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(localEnv)).toContain('HTTPS_PROXY');

    await ctx.cp.createDomain(DOMAIN);
    await ctx.cp.createRepository(DOMAIN, REPO);
    built = await buildAll(ctx.work, ctx.home, { dep: DEMO_DEP, pkg: DEMO_PKG, proxied: DEMO_PROXIED });
    // demo-dep and demo-pkg are there beforehand, uploaded over plain HTTP to the path-style URL.
    const pathStyle = `${ctx.server.url}/pypi/d/${DOMAIN}-${ACCOUNT}/${REPO}/`;
    const up = await twineUpload(pathStyle, [...built.dep.files, ...built.pkg.files].map((f) => f.path), await ctx.cp.token(DOMAIN), ctx);
    expectSuccess(up, ctx.server);
  });

  describe('boto3 with no endpoint', () => {
    const script = [
      'import boto3',
      'c = boto3.client("codeartifact")',
      'print(boto3.__version__, c.meta.endpoint_url)',
      'print(",".join(d["name"] for d in c.list_domains()["domains"]))',
    ].join('\n');

    test.each([
      ['pyenv boto3', () => findPython()!.python, pyenvEnv],
      ["Debian's boto3 1.26 (no AWS_ENDPOINT_URL support)", () => SYSTEM_PYTHON, userEnv],
    ])('%s: client("codeartifact").list_domains() reaches this server', async (_name, interpreter, env) => {
      const r = await runTool(interpreter(), ['-c', script], { env: env(newHome('boto3')), timeoutMs: 60_000 });
      expectSuccess(r, ctx.server);
      const [versionLine, names] = r.stdout.trim().split('\n');
      expect(versionLine).toContain(`https://codeartifact.${REGION}.amazonaws.com`);
      expect(names!.split(',')).toContain(DOMAIN);
    });
  });

  describe('aws codeartifact login with --endpoint-style aws, then plain twine and pip', () => {
    let home: string;
    const login = (tool: string) =>
      runTool('aws', ['codeartifact', 'login', '--tool', tool, '--domain', DOMAIN, '--repository', REPO], {
        env: pyenvEnv(home),
        cwd: ctx.work,
        timeoutMs: 60_000,
      });

    test('login --tool twine writes AWS’s URL; `twine upload -r codeartifact` uploads through the tunnel', async () => {
      home = newHome('login');
      const r = await login('twine');
      expectSuccess(r, ctx.server);
      expect(r.stdout).toContain(`Successfully configured twine to use AWS CodeArtifact repository ${AWS_REPO_URL}`);
      expect(readFileSync(path.join(home, '.pypirc'), 'utf8')).toContain(`repository = ${AWS_REPO_URL}`);

      const project = path.join(ctx.work, 'proxied-project');
      mkdirSync(path.join(project, 'dist'), { recursive: true });
      for (const f of built.proxied.files) copyFileSync(f.path, path.join(project, 'dist', f.filename));
      const up = await runTool(TWINE, ['upload', '-r', 'codeartifact', '--non-interactive', '--disable-progress-bar', 'dist/*'], {
        env: userEnv(home),
        cwd: project,
      });
      expectSuccess(up, ctx.server);
      // twine wraps its output at the terminal width, even inside a URL.
      expect((up.stdout + up.stderr).replace(/\s+/g, '')).toContain(`Uploadingdistributionsto${AWS_REPO_URL}`);
      expect(await ctx.cp.versionStatuses(DOMAIN, REPO, 'demo-proxied')).toEqual({ '1.0.0': 'Published' });
      const assets = await ctx.cp.assets(DOMAIN, REPO, 'demo-proxied', '1.0.0');
      expect(assets.map((a) => `${a.name} ${a.hashes['SHA-256']}`).sort()).toEqual(
        built.proxied.files.map((f) => `${f.filename} ${f.sha256}`).sort(),
      );
    });

    test('login --tool pip writes AWS’s index URL; a plain `pip install` in a fresh venv installs through it', async () => {
      const r = await login('pip');
      expectSuccess(r, ctx.server);
      const conf = readFileSync(path.join(home, '.config', 'pip', 'pip.conf'), 'utf8');
      expect(conf).toMatch(new RegExp(`^index-url = https://aws:[^@\\s]+@${AWS_HOST.replace(/\./g, '\\.')}/pypi/${REPO}/simple/$`, 'm'));

      const venv = path.join(ctx.work, 'venv-login');
      expectSuccess(await runTool(findPython()!.python, ['-m', 'venv', venv], { env: pyenvEnv(home) }));
      // Not isolated (the login's config must be read), but HOME is the login's and no PIP_* variable but
      // PIP_CERT is set, so the machine's wheel folders are out of reach.
      const install = await runTool(`${venv}/bin/pip`, ['install', '--no-cache-dir', 'demo-proxied'], { env: pyenvEnv(home) });
      expectSuccess(install, ctx.server);
      expect(install.stdout).toContain(`Looking in indexes: https://aws:****@${AWS_HOST}/pypi/${REPO}/simple/`);
      expect(install.stdout).not.toMatch(/Looking in links/);
      expect(install.stdout).toMatch(/Successfully installed demo-dep-1\.0\.0 demo-proxied-1\.0\.0/);
      const imported = await runTool(`${venv}/bin/python`, ['-c', 'import demo_proxied; print(demo_proxied.GREETING)'], {
        env: pyenvEnv(home),
      });
      expect(imported.stdout.trim()).toBe('proxied 42');
    });
  });

  describe('poetry-plugin-code-artifact 0.0.2', () => {
    let run: PoetryRun;
    let project: string;

    beforeAll(async () => {
      run = { home: newHome('plugin'), userBase: await pluginUserBase(PLUGIN_WHEEL, 'plugin') };
      project = consumerProject(path.join(ctx.work, 'plugin-consumer'), PLUGIN_SOURCE);
    });

    test('pitfall: poetry 1.3 asks pypi.org for a dependency not named with --source, and the proxy refuses it', async () => {
      const r = await poetry(run, project, ['add', 'demo-pkg', '--source', 'dev']);
      expectFailure(r, ctx.server);
      // demo-pkg itself was found through the plugin's source; its dependency went to pypi.org, refused.
      expect(r.stdout + r.stderr, explain(r)).toMatch(/pypi\.org.*Tunnel connection failed: 403/s);
      expect(readFileSync(path.join(project, 'pyproject.toml'), 'utf8')).not.toContain('demo-pkg');
    });

    test('`poetry add demo-pkg demo-dep --source dev` resolves both from the AWS URL it builds itself', async () => {
      const r = await poetry(run, project, ['add', 'demo-pkg', 'demo-dep', '--source', 'dev']);
      expectSuccess(r, ctx.server);
      expect(r.stdout, explain(r)).toMatch(/Installing demo-dep \(1\.0\.0\)/);
      expect(r.stdout, explain(r)).toMatch(/Installing demo-pkg \(1\.0\.0\)/);
      const simple = `${AWS_REPO_URL}simple`;
      expect(lockedSources(project)).toEqual({ 'demo-dep': simple, 'demo-pkg': simple });
      const lock = readFileSync(path.join(project, 'poetry.lock'), 'utf8');
      for (const f of [...built.dep.files, ...built.pkg.files]) expect(lock).toContain(`hash = "sha256:${f.sha256}"`);
    });

    test('`poetry install` into a fresh venv installs from the lock file through the tunnel', async () => {
      spawnSync('rm', ['-rf', path.join(project, '.venv')]);
      const r = await poetry(run, project, ['install']);
      expectSuccess(r, ctx.server);
      const imported = await runTool(path.join(project, '.venv', 'bin', 'python'), ['-c', 'import demo_pkg; print(demo_pkg.answer())'], {
        env: userEnv(run.home),
      });
      expectSuccess(imported);
      expect(imported.stdout.trim()).toBe('42');
    });

    test('`poetry publish -r dev --build` uploads a new package that the control plane then lists', async () => {
      const pub = path.join(ctx.work, 'plugin-publisher');
      writePoetryProject(pub, {
        name: 'demo-plugin-pub',
        version: '0.3.0',
        summary: 'Published by poetry-plugin-code-artifact',
        readme: '# demo-plugin-pub\n',
        module: 'demo_plugin_pub',
        code: 'X = 1\n',
      });
      writeFileSync(path.join(pub, 'pyproject.toml'), `${readFileSync(path.join(pub, 'pyproject.toml'), 'utf8')}\n${PLUGIN_SOURCE}`);
      const r = await poetry(run, pub, ['publish', '-r', 'dev', '--build']);
      expectSuccess(r, ctx.server);
      expect(r.stdout, explain(r)).toContain('Publishing demo-plugin-pub (0.3.0) to dev');
      expect(await ctx.cp.packages(DOMAIN, REPO)).toContain('demo-plugin-pub');
      const dist = distsIn(path.join(pub, 'dist'), 'demo-plugin-pub', '0.3.0');
      const assets = await ctx.cp.assets(DOMAIN, REPO, 'demo-plugin-pub', '0.3.0');
      expect(assets.map((a) => `${a.name} ${a.hashes['SHA-256']}`).sort()).toEqual(
        dist.files.map((f) => `${f.filename} ${f.sha256}`).sort(),
      );
    });
  });

  describe("semgrep's poetry-codeartifact-plugin 1.0.3", () => {
    test('`poetry add` from a source on the AWS host: 401, a token through boto3, the retry succeeds', async () => {
      const run = { home: newHome('semgrep'), userBase: await pluginUserBase(SEMGREP_WHEEL, 'semgrep') };
      const project = consumerProject(
        path.join(ctx.work, 'semgrep-consumer'),
        ['[[tool.poetry.source]]', 'name = "codeartifact"', `url = "${AWS_REPO_URL}simple/"`, 'default = true', ''].join('\n'),
      );
      const r = await poetry(run, project, ['add', 'demo-pkg']);
      expectSuccess(r, ctx.server);
      expect(r.stdout, explain(r)).toContain(
        `Getting new CodeArtifact authorization token for repo codeartifact (domain='${DOMAIN}', domain_owner='${ACCOUNT}')`,
      );
      expect(r.stdout).toMatch(/Installing demo-dep \(1\.0\.0\)/);
      expect(r.stdout).toMatch(/Installing demo-pkg \(1\.0\.0\)/);
      expect(lockedSources(project)).toEqual({ 'demo-dep': `${AWS_REPO_URL}simple`, 'demo-pkg': `${AWS_REPO_URL}simple` });
    });
  });
});
