// Fault injection against the real server process with @aws-sdk/client-codeartifact: rules given as flags at
// start, the SDK's view of an injected error (its class, status, retryAfterSeconds from Retry-After), its
// standard retries recovering (the server's counters show each retry), and two runs with the same seed failing
// exactly the same requests (outcomes, counters and log lines), another seed failing others.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Codeartifact, ServiceQuotaExceededException, ThrottlingException } from '@aws-sdk/client-codeartifact';
import { MAIN, startServer, type RunningServer } from '../support/server.js';
import { CREDENTIALS, REGION, expectError } from './helpers.js';

const SEED = 1234;
const PROBABLE = [
  'op=ListDomains,error=InternalServerException,prob=0.4',
  'route=GET /pypi/**/simple/,status=503,prob=0.3',
];

let server: RunningServer;

const sdk = (maxAttempts: number) => new Codeartifact({ endpoint: server.url, region: REGION, credentials: CREDENTIALS, maxAttempts });

async function faults(): Promise<{ seed: number; rules: Array<Record<string, any>> }> {
  const r = await fetch(`${server.url}/_local/faults`);
  expect(r.status).toBe(200);
  return (await r.json()) as { seed: number; rules: Array<Record<string, any>> };
}

async function putFaults(body: unknown) {
  const r = await fetch(`${server.url}/_local/faults`, { method: 'PUT', body: JSON.stringify(body) });
  expect(r.status, await r.clone().text()).toBe(200);
}

/** The fault lines the server printed since `from` (an offset in its output): rule, match and target. */
function faultLines(from: number): string[] {
  return server
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"fault injected"'))
    .map((l) => JSON.parse(l) as { rule: number; match: number; target: string; effect: string })
    .map((e) => `${e.rule}#${e.match} ${e.target} ${e.effect}`);
}

/** 30 ListDomains without retries and 30 project-list GETs, interleaved: '.' answered, 'X' failed. */
async function probableRun(): Promise<{ outcome: string; counters: unknown; lines: string[] }> {
  const from = server.output().length;
  const client = sdk(1);
  const outcome: string[] = [];
  for (let i = 0; i < 30; i++) {
    const op = await client.listDomains({}).then(
      () => '.',
      (e: Error) => (e.name === 'InternalServerException' ? 'X' : `?${e.name}`),
    );
    const page = await fetch(`${server.url}/pypi/d/nowhere-000000000000/main/simple/`);
    await page.arrayBuffer();
    outcome.push(`${op}${page.status === 503 ? 'X' : page.status === 401 ? '.' : `?${page.status}`}`);
  }
  const view = await faults();
  // The log lines are written before the answer; give stdout a moment to reach the test.
  await new Promise((r) => setTimeout(r, 200));
  return { outcome: outcome.join(' '), counters: view, lines: faultLines(from) };
}

beforeAll(async () => {
  server = await startServer({
    args: ['--fault', 'op=ListDomains,error=ThrottlingException,every=2,retryAfter=2', '--fault-seed', String(SEED)],
  });
});

afterAll(async () => {
  await server?.destroy();
});

describe('fault rules at start', () => {
  it.each([
    [['--fault', 'op=ListDomains,error=ThrottlingException,every=0'], {}, /^Invalid --fault 'op=ListDomains,error=ThrottlingException,every=0': every must be/],
    [['--fault', 'route=GET /pypi/**,status=503', '--fault', 'op=Nope,latency=1'], {}, /^Invalid --fault 'op=Nope,latency=1': op: no control-plane operation matches 'Nope'/],
    [[], { FAULTS: 'op=ListDomains,latency=1;route=GET /v1/domains,status=503' }, /^Invalid FAULTS: 'route=GET \/v1\/domains,status=503': route: control-plane requests/],
    [[], { FAULT_SEED: 'seven' }, /^Invalid FAULT_SEED: seven/],
  ])('a bad spec or seed (%j %j): one line on stderr, exit code 2, nothing served', (args, env, line) => {
    const r = spawnSync(process.execPath, [MAIN, '--port', '0', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, ...env } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(line);
    expect(r.stdout).not.toMatch(/listening/);
  });
});

describe('fault injection with the JS SDK', () => {
  it('the rules given with --fault and --fault-seed are in place at start, and said so in a line', async () => {
    expect(server.output()).toContain(
      `fault injection on (seed ${SEED}): op=ListDomains,error=ThrottlingException,retryAfter=2,every=2; see ${server.url}/_local/faults`,
    );
    expect(await faults()).toEqual({
      seed: SEED,
      rules: [
        {
          rule: 1,
          spec: 'op=ListDomains,error=ThrottlingException,retryAfter=2,every=2',
          op: 'ListDomains',
          error: 'ThrottlingException',
          retryAfter: 2,
          every: 2,
          matched: 0,
          injected: 0,
          injectedOn: [],
        },
      ],
    });
  });

  it('without retries the SDK sees a ThrottlingException: 429, retryAfterSeconds from Retry-After, the message', async () => {
    const client = sdk(1);
    await client.listDomains({});
    const err = await expectError(client.listDomains({}), 'ThrottlingException');
    expect(err).toBeInstanceOf(ThrottlingException);
    expect((err as unknown as ThrottlingException).retryAfterSeconds).toBe(2);
    expect(err.$metadata.httpStatusCode).toBe(429);
    expect(err.message).toBe('Injected fault (rule 1: op=ListDomains,error=ThrottlingException,retryAfter=2,every=2)');
    expect((await faults()).rules[0]).toMatchObject({ matched: 2, injected: 1, injectedOn: [2] });
  });

  it('with its standard retries every call succeeds, and the server saw one retry per throttled call', async () => {
    await putFaults({ rules: ['op=ListDomains,error=ThrottlingException,every=2,retryAfter=0'] });
    const client = sdk(3);
    const attempts: number[] = [];
    for (let i = 0; i < 4; i++) attempts.push((await client.listDomains({})).$metadata.attempts ?? 0);
    // Match 1 answered; 2 throttled, 3 answered; 4 throttled, 5 answered; ...
    expect(attempts).toEqual([1, 2, 2, 2]);
    expect((await faults()).rules[0]).toMatchObject({ matched: 7, injected: 3, injectedOn: [2, 4, 6] });
  });

  it('any modeled error the operation declares reaches the SDK as its own class', async () => {
    await putFaults({ rules: ['op=CreateDomain,error=ServiceQuotaExceededException,count=1'] });
    const client = sdk(1);
    const err = await expectError(client.createDomain({ domain: 'quota-test' }), 'ServiceQuotaExceededException');
    expect(err).toBeInstanceOf(ServiceQuotaExceededException);
    // The fault came before the operation ran; the next call is not hit (count=1) and creates the domain.
    expect((await client.listDomains({})).domains ?? []).toEqual([]);
    await client.createDomain({ domain: 'quota-test' });
    await client.deleteDomain({ domain: 'quota-test' });
  });

  it('two runs with the same seed fail exactly the same requests; another seed fails others', async () => {
    // Run 1: the rules set at start, in a fresh process.
    await server.stop();
    server = await startServer({ dataDir: server.dataDir, args: [...PROBABLE.flatMap((f) => ['--fault', f]), '--fault-seed', String(SEED)] });
    const first = await probableRun();
    // Run 2: the same flags, another process.
    await server.restart();
    const second = await probableRun();

    expect(first.outcome).toMatch(/X/); // something failed...
    expect(first.outcome).toMatch(/\./); // ...and something did not
    expect(second.outcome).toBe(first.outcome);
    expect(second.counters).toEqual(first.counters);
    expect(first.lines.length).toBeGreaterThan(0);
    expect(second.lines).toEqual(first.lines);
    // One log line per injected fault.
    const view = first.counters as { rules: Array<{ injected: number }> };
    expect(first.lines).toHaveLength(view.rules.reduce((n, r) => n + r.injected, 0));

    // Run 3: the same rules through PUT (counters start again) with the same seed: the same again.
    await putFaults({ seed: SEED, rules: PROBABLE });
    expect((await probableRun()).outcome).toBe(first.outcome);
    // Another seed: other requests.
    await putFaults({ seed: SEED + 1, rules: PROBABLE });
    expect((await probableRun()).outcome).not.toBe(first.outcome);
  });
});
