// The control plane as the real Python clients see it: boto3 (test/clients/python/control_plane_boto3.py) and
// the `aws codeartifact` CLI, both pointed at the emulator with nothing but an endpoint override.
//
// Needs python3 with boto3 and the `aws` CLI (awscli v1) on PATH. Without them the suite is skipped locally
// and FAILS on CI (CI=true).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import {
  PYTHON_SCRIPTS,
  checkPythonClients,
  cleanEnv,
  describeRun,
  findPython,
  makeTempHome,
  removeTempDir,
  run,
  type RunResult,
} from './python.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const TOKEN_RE = /^[A-Za-z0-9._~-]+$/;
const TWELVE_HOURS = 43_200;

const clients = checkPythonClients(['boto3'], ['aws']);

let server: RunningServer;
/** HOME of every python/aws process except the login tests (which get one each). */
let home: string;
/** Scratch files (assets to upload, downloads). */
let work: string;

async function setUp() {
  if (!clients.ok) throw new Error(`python clients missing (CI=true requires them): ${clients.missing.join(', ')}`);
  home = makeTempHome();
  work = mkdtempSync(path.join(tmpdir(), 'ca-cli-work-'));
  server = await startServer();
}

async function tearDown() {
  await server?.destroy();
  if (home) removeTempDir(home);
  if (work) removeTempDir(work);
}

const nowSeconds = () => Date.now() / 1000;

/** |actual - expected| <= tolerance, with a readable failure. */
function expectNear(what: string, actual: unknown, expected: number, tolerance = 120) {
  expect(typeof actual, `${what} should be an epoch-seconds number, got ${JSON.stringify(actual)}`).toBe('number');
  const delta = Math.abs((actual as number) - expected);
  expect(delta, `${what}: ${actual} is ${delta.toFixed(0)} s away from ${expected.toFixed(0)}`).toBeLessThanOrEqual(
    tolerance,
  );
}

function hashes(data: Buffer) {
  const h = (alg: string) => createHash(alg).update(data).digest('hex');
  return { MD5: h('md5'), 'SHA-1': h('sha1'), 'SHA-256': h('sha256'), 'SHA-512': h('sha512') };
}

// ------------------------------------------------------------------------------------------------------------
// boto3
// ------------------------------------------------------------------------------------------------------------

interface Boto3Report {
  scenario: string;
  ok: boolean;
  checks: number;
  failures: string[];
  results: Record<string, unknown>;
}

async function boto3Scenario(scenario: string, prefix: string): Promise<{ run: RunResult; report: Boto3Report }> {
  const py = findPython()!;
  const script = path.join(PYTHON_SCRIPTS, 'control_plane_boto3.py');
  const r = await run(py.python, [script, '--endpoint', server.url, '--scenario', scenario, '--prefix', prefix], {
    env: cleanEnv({ home }),
    cwd: work,
    timeoutMs: 110_000,
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let report: Boto3Report;
  try {
    report = JSON.parse(last) as Boto3Report;
  } catch {
    throw new Error(`the boto3 script printed no JSON report\n${describeRun(scenario, r)}\n--- server ---\n${server.output()}`);
  }
  return { run: r, report };
}

function expectReportOk(r: RunResult, report: Boto3Report) {
  // All failed checks at once, one per line, so a single run shows everything that is wrong.
  expect(report.failures, `boto3 ${report.scenario} failures:\n${report.failures.join('\n')}\n${r.stderr}`).toEqual([]);
  expect(r.code, describeRun(report.scenario, r)).toBe(0);
  expect(report.ok).toBe(true);
  expect(report.checks).toBeGreaterThan(10);
}

describe.skipIf(clients.skip)('python clients against the control plane', () => {
  beforeAll(setUp);
  afterAll(tearDown);

  describe('boto3 against the emulator', () => {
    test('the whole life cycle: domain, repositories, token, endpoint, generic package, deletes', async () => {
      const { run: r, report } = await boto3Scenario('flow', 'py');
      expectReportOk(r, report);
      const res = report.results;
      expect(res.domainArn).toBe(`arn:aws:codeartifact:${REGION}:${ACCOUNT}:domain/py-flow`);
      expect(res.repositoryArn).toBe(`arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/py-flow/main-repo`);
      expect(res.pypiEndpoint).toBe(`${server.url}/pypi/d/py-flow-${ACCOUNT}/main-repo/`);
      expect(res.tokenLength).toBeGreaterThanOrEqual(20);
      expect(Object.keys(res.hashes as object).sort()).toEqual(['MD5', 'SHA-1', 'SHA-256', 'SHA-512']);
    });

    test('errors arrive as the modeled exceptions (client.exceptions.*)', async () => {
      const { run: r, report } = await boto3Scenario('errors', 'py');
      expectReportOk(r, report);
      expect(report.results.notFoundMessage).toEqual(expect.any(String));
      expect(report.results.conflictMessage).toEqual(expect.any(String));
      expect(report.results.validationMessage).toEqual(expect.any(String));
    });

    test('paginators collect every item over several pages (PageSize=2)', async () => {
      const { run: r, report } = await boto3Scenario('paginate', 'py');
      expectReportOk(r, report);
      expect(report.results.pages).toBeGreaterThanOrEqual(3);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  // aws CLI (v1)
  // ------------------------------------------------------------------------------------------------------------

  interface AwsOptions {
    /** Add --endpoint-url (default true). */
    endpoint?: boolean;
    /** HOME for this invocation (default: the suite's). */
    home?: string;
    extraEnv?: Record<string, string | undefined>;
  }

  function aws(args: string[], options: AwsOptions = {}): Promise<RunResult> {
    const full = args.includes('--output') ? [...args] : [...args, '--output', 'json'];
    if (options.endpoint !== false) full.push('--endpoint-url', server.url);
    return run('aws', full, {
      env: cleanEnv({ home: options.home ?? home, extra: options.extraEnv }),
      cwd: work,
      timeoutMs: 60_000,
    });
  }

  /** Runs `aws codeartifact <args>`, expects exit 0 and returns the parsed JSON it printed. */
  async function ca(...args: string[]): Promise<any> {
    const r = await aws(['codeartifact', ...args]);
    const cmd = `aws codeartifact ${args.join(' ')}`;
    expect(r.code, `${describeRun(cmd, r)}\n--- server log tail ---\n${server.output().slice(-3000)}`).toBe(0);
    const text = r.stdout.trim();
    if (text === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`not JSON: ${describeRun(cmd, r)}`);
    }
  }

  /** Runs `aws codeartifact <args>`, expects exit 255 and the CLI's error line for this code and operation. */
  async function caError(code: string, operation: string, ...args: string[]): Promise<string> {
    const r = await aws(['codeartifact', ...args]);
    const cmd = `aws codeartifact ${args.join(' ')}`;
    expect(r.code, describeRun(cmd, r)).toBe(255);
    const m = new RegExp(`An error occurred \\((\\w+)\\) when calling the (\\w+) operation: (.*)`).exec(r.stderr);
    expect(m, `no CLI error line in: ${describeRun(cmd, r)}`).not.toBeNull();
    expect({ code: m![1], operation: m![2] }, r.stderr).toEqual({ code, operation });
    expect(m![3]!.trim().length, `empty error message: ${r.stderr}`).toBeGreaterThan(0);
    return m![3]!;
  }

  describe('aws codeartifact CLI against the emulator', () => {
    const domain = 'cli-flow';
    const up = 'cli-upstream';
    const repo = 'cli-main';
    const gen = ['--domain', domain, '--repository', repo, '--format', 'generic', '--namespace', 'ns', '--package', 'p'];
    const content = Buffer.concat([Buffer.from('generic asset via the CLI \u00e9\n'), randomBytes(5000)]);
    const assetName = 'bundle-1.0.0.bin';
    let assetFile: string;
    let revision: string;

    test('create-domain and create-repository (description, upstream)', async () => {
      const t0 = nowSeconds();
      const d = (await ca('create-domain', '--domain', domain)).domain;
      expect(d).toMatchObject({
        name: domain,
        owner: ACCOUNT,
        arn: `arn:aws:codeartifact:${REGION}:${ACCOUNT}:domain/${domain}`,
        status: 'Active',
        repositoryCount: 0,
        assetSizeBytes: 0,
      });
      // cli_timestamp_format=wire: the raw JSON number goes straight through.
      expectNear('domain.createdTime', d.createdTime, t0);

      const u = (await ca('create-repository', '--domain', domain, '--repository', up, '--description', 'upstream'))
        .repository;
      expect(u).toMatchObject({ name: up, domainName: domain, description: 'upstream' });

      const m = (
        await ca(
          'create-repository',
          '--domain', domain,
          '--domain-owner', ACCOUNT,
          '--repository', repo,
          '--description', 'Main repository, via the CLI',
          '--upstreams', `repositoryName=${up}`,
        )
      ).repository;
      expect(m).toMatchObject({
        name: repo,
        domainName: domain,
        domainOwner: ACCOUNT,
        administratorAccount: ACCOUNT,
        arn: `arn:aws:codeartifact:${REGION}:${ACCOUNT}:repository/${domain}/${repo}`,
        description: 'Main repository, via the CLI',
        upstreams: [{ repositoryName: up }],
      });
      expectNear('repository.createdTime', m.createdTime, t0);
    });

    test('describe-domain, describe-repository, list-domains, list-repositories-in-domain', async () => {
      const d = (await ca('describe-domain', '--domain', domain)).domain;
      expect(d).toMatchObject({
        name: domain,
        owner: ACCOUNT,
        arn: `arn:aws:codeartifact:${REGION}:${ACCOUNT}:domain/${domain}`,
        repositoryCount: 2,
        assetSizeBytes: 0,
      });
      const r = (await ca('describe-repository', '--domain', domain, '--repository', repo)).repository;
      expect(r).toMatchObject({ name: repo, upstreams: [{ repositoryName: up }] });
      const domains = (await ca('list-domains')).domains as { name: string; createdTime: unknown }[];
      const mine = domains.find((x) => x.name === domain);
      expect(mine, JSON.stringify(domains)).toBeDefined();
      expect(typeof mine!.createdTime).toBe('number');
      const repos = (await ca('list-repositories-in-domain', '--domain', domain)).repositories as { name: string }[];
      expect(repos.map((x) => x.name).sort()).toEqual([repo, up].sort());
    });

    test('list-domains: the CLI paginates (--page-size, --max-items / --starting-token)', async () => {
      const names = ['cli-pg-a', 'cli-pg-b', 'cli-pg-c'];
      for (const n of names) await ca('create-domain', '--domain', n);
      try {
        // --page-size 2: several requests, one merged result.
        const all = ((await ca('list-domains', '--page-size', '2')).domains as { name: string }[]).map((d) => d.name);
        expect(all.filter((n) => names.includes(n)).sort()).toEqual(names);
        expect(all).toContain(domain);
        expect(new Set(all).size).toBe(all.length);
        // --max-items 2: the first two and a NextToken to resume from.
        const first = await ca('list-domains', '--max-items', '2', '--page-size', '2');
        expect(first.domains).toHaveLength(2);
        expect(first.NextToken).toEqual(expect.any(String));
        const rest = await ca('list-domains', '--starting-token', first.NextToken, '--page-size', '2');
        const resumed = [...first.domains, ...rest.domains].map((d: { name: string }) => d.name);
        expect(resumed).toEqual(all);
      } finally {
        for (const n of names) await aws(['codeartifact', 'delete-domain', '--domain', n]);
      }
    });

    test('get-authorization-token: URL-safe token, 12 h default, --duration-seconds 900, 300 is rejected', async () => {
      const t0 = nowSeconds();
      const t = await ca('get-authorization-token', '--domain', domain);
      expect(t.authorizationToken).toMatch(TOKEN_RE);
      expectNear('expiration (default)', t.expiration, t0 + TWELVE_HOURS);

      const t15 = await ca('get-authorization-token', '--domain', domain, '--domain-owner', ACCOUNT, '--duration-seconds', '900');
      expect(t15.authorizationToken).toMatch(TOKEN_RE);
      expectNear('expiration (900 s)', t15.expiration, t0 + 900);

      await caError('ValidationException', 'GetAuthorizationToken', 'get-authorization-token', '--domain', domain, '--duration-seconds', '300');
    });

    test('AWS_ENDPOINT_URL works in place of --endpoint-url', async () => {
      const r = await aws(
        ['codeartifact', 'get-authorization-token', '--domain', domain, '--query', 'authorizationToken', '--output', 'text'],
        { endpoint: false, extraEnv: { AWS_ENDPOINT_URL: server.url } },
      );
      expect(r.code, describeRun('AWS_ENDPOINT_URL=… aws codeartifact get-authorization-token', r)).toBe(0);
      expect(r.stdout.trim()).toMatch(TOKEN_RE);
    });

    test('get-repository-endpoint --format pypi', async () => {
      const e = await ca('get-repository-endpoint', '--domain', domain, '--repository', repo, '--format', 'pypi');
      expect(e.repositoryEndpoint).toBe(`${server.url}/pypi/d/${domain}-${ACCOUNT}/${repo}/`);
    });

    test('publish-package-version (generic) from a file', async () => {
      assetFile = path.join(work, 'asset.bin');
      writeFileSync(assetFile, content);
      const sha = createHash('sha256').update(content).digest('hex');
      const p = await ca(
        'publish-package-version', ...gen,
        '--package-version', '1.0.0',
        '--asset-content', assetFile,
        '--asset-name', assetName,
        '--asset-sha256', sha,
      );
      expect(p).toMatchObject({
        format: 'generic',
        namespace: 'ns',
        package: 'p',
        version: '1.0.0',
        status: 'Published',
        asset: { name: assetName, size: content.length, hashes: hashes(content) },
      });
      expect(p.versionRevision).toEqual(expect.any(String));
      revision = p.versionRevision;
      const d = (await ca('describe-domain', '--domain', domain)).domain;
      expect(d.assetSizeBytes).toBe(content.length);
    });

    test('list-packages, list-package-versions, describe-package-version, list-package-version-assets', async () => {
      const pk = await ca('list-packages', '--domain', domain, '--repository', repo);
      expect(pk.packages).toEqual([
        expect.objectContaining({ format: 'generic', namespace: 'ns', package: 'p' }),
      ]);

      const v = await ca('list-package-versions', ...gen);
      expect(v).toMatchObject({ format: 'generic', namespace: 'ns', package: 'p', defaultDisplayVersion: '1.0.0' });
      expect(v.versions).toEqual([expect.objectContaining({ version: '1.0.0', status: 'Published', revision })]);

      const t0 = nowSeconds();
      const pv = (await ca('describe-package-version', ...gen, '--package-version', '1.0.0')).packageVersion;
      expect(pv).toMatchObject({
        format: 'generic',
        namespace: 'ns',
        packageName: 'p',
        version: '1.0.0',
        status: 'Published',
        revision,
      });
      expectNear('publishedTime', pv.publishedTime, t0);

      const la = await ca('list-package-version-assets', ...gen, '--package-version', '1.0.0');
      expect(la.versionRevision).toBe(revision);
      expect(la.assets).toEqual([{ name: assetName, size: content.length, hashes: hashes(content) }]);
    });

    test('get-package-version-asset writes the identical bytes to OUTFILE', async () => {
      const out = path.join(work, 'downloaded.bin');
      const g = await ca('get-package-version-asset', ...gen, '--package-version', '1.0.0', '--asset', assetName, out);
      expect(g).toEqual({ assetName, packageVersion: '1.0.0', packageVersionRevision: revision });
      const got = readFileSync(out);
      expect(got.length).toBe(content.length);
      expect(got.equals(content), 'downloaded bytes differ from the uploaded ones').toBe(true);
    });

    test('update-package-versions-status', async () => {
      const u = await ca('update-package-versions-status', ...gen, '--versions', '1.0.0', '--target-status', 'Unlisted');
      expect(u.successfulVersions).toEqual({ '1.0.0': expect.objectContaining({ status: 'Unlisted' }) });
      expect(u.failedVersions ?? {}).toEqual({});
      const pv = (await ca('describe-package-version', ...gen, '--package-version', '1.0.0')).packageVersion;
      expect(pv.status).toBe('Unlisted');
      // Unlisted versions can still be fetched by exact version.
      const out = path.join(work, 'unlisted.bin');
      await ca('get-package-version-asset', ...gen, '--package-version', '1.0.0', '--asset', assetName, out);
      expect(readFileSync(out).equals(content)).toBe(true);
    });

    test('delete-package-versions', async () => {
      const small = path.join(work, 'v2.txt');
      writeFileSync(small, 'version two\n');
      await ca(
        'publish-package-version', ...gen,
        '--package-version', '2.0.0',
        '--asset-content', small,
        '--asset-name', 'v2.txt',
        '--asset-sha256', createHash('sha256').update('version two\n').digest('hex'),
      );
      const dv = await ca('delete-package-versions', ...gen, '--versions', '2.0.0');
      expect(dv.successfulVersions).toEqual({ '2.0.0': expect.objectContaining({ status: 'Deleted' }) });
      expect(dv.failedVersions ?? {}).toEqual({});
      const v = await ca('list-package-versions', ...gen);
      expect((v.versions as { version: string }[]).map((x) => x.version)).toEqual(['1.0.0']);
    });

    test('errors: unknown domain, wrong sha256, invalid domain name', async () => {
      const msg = await caError('ResourceNotFoundException', 'DescribeDomain', 'describe-domain', '--domain', 'no-such-domain');
      expect(msg.length).toBeGreaterThan(0);
      await caError(
        'ValidationException', 'PublishPackageVersion',
        'publish-package-version', ...gen,
        '--package-version', '3.0.0',
        '--asset-content', assetFile,
        '--asset-name', 'wrong.bin',
        '--asset-sha256', createHash('sha256').update('not the content').digest('hex'),
      );
      const v = await ca('list-package-versions', ...gen);
      expect((v.versions as { version: string }[]).map((x) => x.version)).toEqual(['1.0.0']);
      await caError('ValidationException', 'CreateDomain', 'create-domain', '--domain', 'Bad_Name');
      await caError('ConflictException', 'CreateDomain', 'create-domain', '--domain', domain);
    });

    test('delete-package, delete-repository, delete-domain', async () => {
      const dp = await ca('delete-package', ...gen);
      expect(dp.deletedPackage).toMatchObject({ format: 'generic', namespace: 'ns', package: 'p' });
      expect((await ca('list-packages', '--domain', domain, '--repository', repo)).packages).toEqual([]);

      const dr = (await ca('delete-repository', '--domain', domain, '--repository', repo)).repository;
      expect(dr).toMatchObject({ name: repo, domainName: domain });
      await ca('delete-repository', '--domain', domain, '--repository', up);
      await caError('ResourceNotFoundException', 'DescribeRepository', 'describe-repository', '--domain', domain, '--repository', repo);

      const dd = (await ca('delete-domain', '--domain', domain)).domain;
      expect(dd).toMatchObject({ name: domain });
      await caError('ResourceNotFoundException', 'DescribeDomain', 'describe-domain', '--domain', domain);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  // aws codeartifact login (pip, twine): only the files it writes; installing/uploading is the PyPI suite's job.
  // ------------------------------------------------------------------------------------------------------------

  describe('aws codeartifact login', () => {
    const domain = 'cli-login';
    const repo = 'pypi-repo';
    const endpoint = () => `${server.url}/pypi/d/${domain}-${ACCOUNT}/${repo}/`;
    const homes: string[] = [];

    beforeAll(async () => {
      await ca('create-domain', '--domain', domain);
      await ca('create-repository', '--domain', domain, '--repository', repo);
    });

    afterAll(() => {
      for (const h of homes) removeTempDir(h);
    });

    async function login(tool: string, ...extra: string[]) {
      const h = makeTempHome('ca-login-home-');
      homes.push(h);
      // PATH from cleanEnv has the interpreter's bin dir first, so the `pip` the CLI runs is the pyenv one;
      // PIP_CONFIG_FILE and the other PIP_* settings of the parent shell are not passed.
      const r = await aws(['codeartifact', 'login', '--tool', tool, '--domain', domain, '--repository', repo, ...extra], {
        home: h,
      });
      return { home: h, r };
    }

    test('--tool pip writes global.index-url = http://aws:TOKEN@host/pypi/d/DOMAIN-OWNER/REPO/simple/', async () => {
      const { home: h, r } = await login('pip');
      expect(r.code, describeRun('aws codeartifact login --tool pip', r)).toBe(0);
      expect(r.stdout).toContain(`Successfully configured pip to use AWS CodeArtifact repository ${endpoint()}`);
      expect(r.stdout).toMatch(/Login expires in 12 hours at/);

      const conf = path.join(h, '.config', 'pip', 'pip.conf');
      expect(existsSync(conf), `${conf} was not written`).toBe(true);
      const text = readFileSync(conf, 'utf8');
      const m = /^index-url\s*=\s*(\S+)\s*$/m.exec(text);
      expect(m, text).not.toBeNull();
      const port = server.port;
      const re = new RegExp(
        `^http://aws:([A-Za-z0-9._~-]+)@127\\.0\\.0\\.1:${port}/pypi/d/${domain}-${ACCOUNT}/${repo}/simple/$`,
      );
      expect(m![1]).toMatch(re);
      expect(text).toMatch(/^\[global\]/m);
    });

    test('--tool twine writes ~/.pypirc (mode 0600) with the repository endpoint and the token', async () => {
      const { home: h, r } = await login('twine', '--domain-owner', ACCOUNT, '--duration-seconds', '900');
      expect(r.code, describeRun('aws codeartifact login --tool twine', r)).toBe(0);
      expect(r.stdout).toContain(`Successfully configured twine to use AWS CodeArtifact repository ${endpoint()}`);
      expect(r.stdout).toMatch(/Login expires in 15 minutes at/);

      const rc = path.join(h, '.pypirc');
      expect(existsSync(rc), `${rc} was not written`).toBe(true);
      expect(statSync(rc).mode & 0o777).toBe(0o600);
      const text = readFileSync(rc, 'utf8');
      const section = text.split(/^\[codeartifact\]\s*$/m)[1] ?? '';
      const get = (key: string) => new RegExp(`^${key}\\s*[=:]\\s*(.*?)\\s*$`, 'm').exec(section)?.[1];
      expect(text).toMatch(/^\[distutils\]/m);
      expect(text).toMatch(/index-servers\s*=[\s\S]*\bcodeartifact\b/);
      expect(get('repository'), text).toBe(endpoint());
      expect(get('username'), text).toBe('aws');
      expect(get('password'), text).toMatch(TOKEN_RE);
    });
  });
});
