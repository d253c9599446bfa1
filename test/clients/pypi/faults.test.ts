// pip and twine against injected faults on the PyPI endpoint, rules set at run time through /_local/faults:
//   twine retries an upload answered 5xx, immediately, 5 attempts in all (twine 4.0 Repository.upload): it
//     recovers from two 503s and gives up after five, and a refused attempt stores nothing;
//   pip retries 500/503 (urllib3 Retry(total=5, backoff_factor=0.25, status_forcelist=[500, 503, 520, 527]),
//     honouring Retry-After on 503): an install recovers from 503s on its wheel downloads; one download survives
//     five 503s in a row and fails on the sixth.
// The server's counters (GET /_local/faults) and its log lines show each refused request.
//
// Needs: /usr/bin/twine, /usr/bin/python3 with build/setuptools/wheel (Debian), python3 with pip and venv.
// Missing locally: skipped. Missing on CI (CI=true): the suite fails.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ACCOUNT, expectedAssets } from './api.js';
import { DEMO_DEP, DEMO_PKG, buildAll, distOf, type Built } from './fixtures.js';
import {
  checkClients,
  expectFailure,
  expectSuccess,
  explain,
  makeVenv,
  pipEnv,
  python,
  runTool,
  twineUpload,
  usePypiServer,
  type PypiSuite,
} from './tools.js';

const clients = checkClients(['build', 'twine', 'pip', 'venv']);

const DOMAIN = 'faults';
const REPO = 'main';
const UPLOADS = 'uploads';

let ctx: PypiSuite;
let token: string;
let built: Record<'dep' | 'pkg', Built>;

const baseOf = (repo: string) => `${ctx.server.url}/pypi/d/${DOMAIN}-${ACCOUNT}/${repo}/`;
const pipIndexUrl = (repo: string) => `http://aws:${token}@127.0.0.1:${ctx.server.port}/pypi/d/${DOMAIN}-${ACCOUNT}/${repo}/simple/`;

interface RuleView {
  spec: string;
  matched: number;
  injected: number;
  injectedOn: number[];
}

async function setRules(rules: string[]) {
  const r = await fetch(`${ctx.server.url}/_local/faults`, { method: 'PUT', body: JSON.stringify({ rules }) });
  expect(r.status, await r.clone().text()).toBe(200);
}

async function rules(): Promise<RuleView[]> {
  return ((await (await fetch(`${ctx.server.url}/_local/faults`)).json()) as { rules: RuleView[] }).rules;
}

/** The targets of the fault lines the server printed since `from`. */
function faultTargets(from: number): string[] {
  return ctx.server
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"fault injected"'))
    .map((l) => (JSON.parse(l) as { target: string }).target);
}

/** `pip download --no-deps` of one requirement into a fresh dir (isolated, no cache). */
async function pipDownload(spec: string) {
  const dir = mkdtempSync(path.join(ctx.work, 'dl-'));
  const r = await runTool(
    python(),
    ['-m', 'pip', '--isolated', 'download', '--disable-pip-version-check', '--no-cache-dir', '--no-deps', '-d', dir, '--index-url', pipIndexUrl(REPO), spec],
    { env: pipEnv(ctx.home), cwd: ctx.work },
  );
  return { run: r, files: existsSync(dir) ? readdirSync(dir).sort() : [], dir };
}

describe.skipIf(clients.skip)('pip and twine recover from injected faults', () => {
  ctx = usePypiServer(clients, 'ca-pypi-faults-');

  beforeAll(async () => {
    await ctx.cp.createDomain(DOMAIN);
    await ctx.cp.createRepository(DOMAIN, REPO);
    await ctx.cp.createRepository(DOMAIN, UPLOADS);
    token = await ctx.cp.token(DOMAIN);
    built = await buildAll(ctx.work, ctx.home, { dep: DEMO_DEP, pkg: DEMO_PKG });
  });

  describe('twine upload', () => {
    test('two 503s on upload: twine retries and uploads every file; the refused attempts stored nothing', async () => {
      await setRules(['route=POST /pypi/**,status=503,count=2']);
      const from = ctx.server.output().length;
      const files = built.dep.files.map((f) => f.path);
      const r = await twineUpload(baseOf(UPLOADS), files, token, ctx);
      expectSuccess(r, ctx.server);
      const out = (r.stdout + r.stderr).replace(/\s+/g, ' ');
      expect(out).toContain('Received "503: Service Unavailable" Package upload appears to have failed. Retry 1 of 5.');
      expect(out).toContain('Retry 2 of 5.');
      expect(out).not.toContain('Retry 3 of 5.');
      // The first file: two refusals, then accepted; the second file at once.
      expect((await rules())[0]).toMatchObject({ matched: 4, injected: 2, injectedOn: [1, 2] });
      expect(faultTargets(from)).toEqual([`POST /pypi/d/${DOMAIN}-${ACCOUNT}/${UPLOADS}/`, `POST /pypi/d/${DOMAIN}-${ACCOUNT}/${UPLOADS}/`]);
      expect(await ctx.cp.assets(DOMAIN, UPLOADS, 'demo-dep', '1.0.0')).toEqual(expectedAssets(built.dep.files));
    });

    test('five 503s in a row: twine gives up after its fifth attempt, non-zero, and nothing is stored', async () => {
      await setRules(['route=POST /pypi/**,status=503']);
      const r = await twineUpload(baseOf(UPLOADS), [built.pkg.wheel.path], token, ctx);
      expectFailure(r, ctx.server);
      expect((r.stdout + r.stderr).replace(/\s+/g, ' ')).toContain('Retry 5 of 5.');
      expect((r.stdout + r.stderr)).toMatch(/503/);
      expect((await rules())[0]).toMatchObject({ matched: 5, injected: 5 });
      expect(await ctx.cp.packages(DOMAIN, UPLOADS)).toEqual(['demo-dep']);
    });
  });

  describe('pip', () => {
    beforeAll(async () => {
      await setRules([]);
      const r = await twineUpload(baseOf(REPO), [built.dep.wheel.path, built.pkg.wheel.path], token, ctx);
      expectSuccess(r, ctx.server);
    });

    test('503 (Retry-After 1 s) on the first two wheel downloads: pip install in a fresh venv succeeds', async () => {
      await setRules(['route=GET /pypi/**/*.whl,status=503,count=2']);
      const from = ctx.server.output().length;
      const venv = await makeVenv(path.join(ctx.work, 'venv-faults'), ctx.home);
      const report = path.join(ctx.work, 'pip-faults-report.json');
      const started = Date.now();
      const r = await runTool(
        `${venv}/pip`,
        ['--isolated', 'install', '--disable-pip-version-check', '--no-cache-dir', '--index-url', pipIndexUrl(REPO), '--report', report, 'demo-pkg'],
        { env: pipEnv(ctx.home), cwd: ctx.work },
      );
      expectSuccess(r, ctx.server);
      expect(r.stdout).toMatch(/Successfully installed demo-dep-1\.0\.0 demo-pkg-1\.0\.0/);
      // pip waited the Retry-After of each refusal (its own backoff would be 0 s, then 0.5 s).
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      // Two wheels, two refusals, two retries; the .metadata files (PEP 658) were not matched.
      const [rule] = await rules();
      expect(rule, explain(r, ctx.server)).toMatchObject({ matched: 4, injected: 2, injectedOn: [1, 2] });
      const targets = faultTargets(from);
      expect(targets).toHaveLength(2);
      for (const t of targets) expect(t).toMatch(new RegExp(`^GET /pypi/d/${DOMAIN}-${ACCOUNT}/${REPO}/simple/demo-(pkg|dep)/1\\.0\\.0/demo_(pkg|dep)-1\\.0\\.0-py3-none-any\\.whl$`));
      const installed = (JSON.parse(readFileSync(report, 'utf8')) as { install: Array<{ download_info: { archive_info: { hashes: { sha256: string } } } }> }).install;
      expect(installed.map((i) => i.download_info.archive_info.hashes.sha256).sort()).toEqual([built.dep.wheel.sha256, built.pkg.wheel.sha256].sort());
      const imported = await runTool(`${venv}/python`, ['-c', 'import demo_pkg; print(demo_pkg.answer())'], { env: pipEnv(ctx.home) });
      expectSuccess(imported);
      expect(imported.stdout.trim()).toBe('42');
    });

    test('pip tolerates five 503s in a row on one download; the sixth makes it fail', async () => {
      await setRules(['route=GET /pypi/**/*.whl,status=503,count=5,retryAfter=0']);
      const ok = await pipDownload('demo-dep');
      expectSuccess(ok.run, ctx.server);
      expect(ok.files).toEqual([built.dep.wheel.filename]);
      expect(distOf(path.join(ok.dir, built.dep.wheel.filename)).sha256).toBe(built.dep.wheel.sha256);
      expect((await rules())[0]).toMatchObject({ matched: 6, injected: 5 });

      await setRules(['route=GET /pypi/**/*.whl,status=503,count=6,retryAfter=0']);
      const failed = await pipDownload('demo-dep');
      expectFailure(failed.run, ctx.server);
      expect(failed.run.stdout + failed.run.stderr).toMatch(/too many 503 error responses/);
      expect(failed.files).toEqual([]);
      expect((await rules())[0]).toMatchObject({ matched: 6, injected: 6 });
    });
  });
});
