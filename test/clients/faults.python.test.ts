// boto3's own retries against injected ThrottlingExceptions (test/clients/python/faults_boto3.py): with
// `Config(retries={'mode': 'standard', 'max_attempts': 5})` every call recovers, and the server's counters
// (GET /_local/faults) show each retry it received; past its attempts boto3 gives up with the modeled error,
// Retry-After and retryAfterSeconds as AWS sends them.
//
// Needs python3 with boto3 on PATH. Without it the suite is skipped locally and FAILS on CI (CI=true).
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
} from './python.js';

const clients = checkPythonClients(['boto3']);

let server: RunningServer;
let home: string;

interface Call {
  ok: boolean;
  retryAttempts: number;
  code?: string;
  status?: number;
  retryAfter?: string;
  retryAfterSeconds?: number;
  message?: string;
}

async function boto3Calls(calls: number, maxAttempts: number): Promise<Call[]> {
  const script = path.join(PYTHON_SCRIPTS, 'faults_boto3.py');
  const args = [script, '--endpoint', server.url, '--calls', String(calls), '--mode', 'standard', '--max-attempts', String(maxAttempts)];
  const r = await run(findPython()!.python, args, { env: cleanEnv({ home }), timeoutMs: 110_000 });
  const what = `${describeRun('faults_boto3.py', r)}\n--- server ---\n${server.output().slice(-3000)}`;
  expect(r.code, what).toBe(0);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { calls: Call[] }).calls;
}

async function faults(): Promise<{ rules: Array<{ matched: number; injected: number; injectedOn: number[] }> }> {
  return (await (await fetch(`${server.url}/_local/faults`)).json()) as never;
}

async function setRules(rules: string[]) {
  const r = await fetch(`${server.url}/_local/faults`, { method: 'PUT', body: JSON.stringify({ rules }) });
  expect(r.status, await r.clone().text()).toBe(200);
}

describe.skipIf(clients.skip)('boto3 retries against injected faults', () => {
  beforeAll(async () => {
    if (!clients.ok) throw new Error(`python clients missing (CI=true requires them): ${clients.missing.join(', ')}`);
    home = makeTempHome();
    // The rule comes from the command line, as a user would start a retry test.
    server = await startServer({ args: ['--fault', 'op=ListDomains,error=ThrottlingException,every=2,retryAfter=0'] });
  });
  afterAll(async () => {
    await server?.destroy();
    if (home) removeTempDir(home);
  });

  test("standard mode, max_attempts 5: every 2nd ListDomains throttled, every call succeeds, one retry each", async () => {
    const calls = await boto3Calls(6, 5);
    expect(calls.every((c) => c.ok), JSON.stringify(calls)).toBe(true);
    // Match 1 answered; then each call is throttled once (2, 4, 6, ...) and its retry answered (3, 5, 7, ...).
    expect(calls.map((c) => c.retryAttempts)).toEqual([0, 1, 1, 1, 1, 1]);
    expect((await faults()).rules[0]).toMatchObject({ matched: 11, injected: 5, injectedOn: [2, 4, 6, 8, 10] });
  });

  test('standard mode, max_attempts 5: five throttles in a row are absorbed by one call’s five retries', async () => {
    await setRules(['op=ListDomains,error=ThrottlingException,count=5,retryAfter=0']);
    const [call] = await boto3Calls(1, 5);
    expect(call).toEqual({ ok: true, retryAttempts: 5 });
    expect((await faults()).rules[0]).toMatchObject({ matched: 6, injected: 5 });
  });

  test('past its attempts boto3 raises the ThrottlingException: 429, Retry-After, retryAfterSeconds, message', async () => {
    await setRules(['op=ListDomains,error=ThrottlingException,count=3,retryAfter=2']);
    const [failed, next] = await boto3Calls(2, 2);
    expect(failed).toEqual({
      ok: false,
      code: 'ThrottlingException',
      status: 429,
      retryAfter: '2',
      retryAfterSeconds: 2,
      retryAttempts: 2,
      message: 'Injected fault (rule 1: op=ListDomains,error=ThrottlingException,retryAfter=2,count=3)',
    });
    expect(next).toEqual({ ok: true, retryAttempts: 0 });
    expect((await faults()).rules[0]).toMatchObject({ matched: 4, injected: 3, injectedOn: [1, 2, 3] });
  });

  test('boto3 retries an injected InternalServerException too (a 500 is transient to it)', async () => {
    await setRules(['op=ListDomains,error=InternalServerException,count=2']);
    const [call] = await boto3Calls(1, 5);
    expect(call).toEqual({ ok: true, retryAttempts: 2 });
  });
});
