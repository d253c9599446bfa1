// The real PyPI clients the acceptance suites drive, where they live, whether they are installed, the isolated
// environments they run in, and the setup every suite starts with (usePypiServer: work dir, server, control plane).
//
// twine, poetry and `build` come from Debian (apt: twine python3-poetry python3-build python3-setuptools
// python3-wheel) and run on /usr/bin/python3: `python3 -m twine` / `-m build` fail on a pyenv python, so the
// absolute paths are used. pip and the AWS CLI are the ones of the `python3` on PATH (pyenv here).
//
// Isolation matters more than anything else here: this machine's root pip config and PIP_FIND_LINKS point pip
// at local wheel folders, so a pip run that is not isolated could "succeed" without ever touching the server.
// Every child gets a minimal environment (../python.ts cleanEnv: nothing from the developer's shell, so no
// PIP_FIND_LINKS), a temporary HOME, and, where pip is concerned, --isolated or PIP_CONFIG_FILE=/dev/null.
// An unreachable HTTP proxy (127.0.0.1:9, connection refused) with NO_PROXY=127.0.0.1 is set as a trap: a client
// that tries to reach anything but the emulator (pypi.org, files.pythonhosted.org) fails at once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { OFFLINE_TRAP } from '../../support/offline.js';
import { startServer, type RunningServer, type ServerOptions } from '../../support/server.js';
import {
  IN_CI,
  cleanEnv,
  describeRun,
  findPython,
  hasCommand,
  removeTempDir,
  run,
  type RunOptions,
  type RunResult,
} from '../python.js';
import { ControlPlane } from './api.js';

export { IN_CI };

export const TWINE = '/usr/bin/twine';
export const POETRY = '/usr/bin/poetry';
/** Debian's interpreter, which has build, setuptools and wheel. */
export const SYSTEM_PYTHON = '/usr/bin/python3';
/** PATH for the Debian tools: no pyenv shims in front, so nothing picks up the pyenv interpreter. */
export const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin';

export const KEYRING_OFF = { PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring' };

export { OFFLINE_TRAP };

export type Client = 'pip' | 'venv' | 'build' | 'twine' | 'poetry' | 'aws' | 'curl' | 'system-boto3';

function has(client: Client): boolean {
  const py = findPython();
  switch (client) {
    case 'pip':
      return !!py && runsOk(py.python, ['-m', 'pip', '--version']);
    case 'venv':
      return !!py && runsOk(py.python, ['-c', 'import venv, ensurepip']);
    case 'build':
      return existsSync(SYSTEM_PYTHON) && runsOk(SYSTEM_PYTHON, ['-c', 'import build, setuptools, wheel']);
    case 'twine':
      return existsSync(TWINE) && hasCommand(TWINE);
    case 'poetry':
      return existsSync(POETRY) && hasCommand(POETRY);
    case 'aws':
      return hasCommand('aws');
    case 'curl':
      return hasCommand('curl');
    case 'system-boto3':
      return existsSync(SYSTEM_PYTHON) && runsOk(SYSTEM_PYTHON, ['-c', 'import boto3']);
  }
}

function runsOk(command: string, args: string[]): boolean {
  // hasCommand runs `command --version`; this one runs the given arguments.
  const r = spawnSync(command, args, { env: cleanEnv() as NodeJS.ProcessEnv, timeout: 60_000 });
  return r.status === 0;
}

export interface Availability {
  ok: boolean;
  missing: Client[];
  /** Skip only locally, and only when something is truly missing; on CI (CI=true) the suite runs and fails. */
  skip: boolean;
}

export function checkClients(clients: Client[]): Availability {
  const missing = clients.filter((c) => !has(c));
  return { ok: missing.length === 0, missing, skip: missing.length > 0 && !IN_CI };
}

/** Call first in beforeAll: on CI a missing client is a failure, never a silent skip. */
export function requireClients(a: Availability): void {
  if (!a.ok)
    throw new Error(
      `PyPI clients missing: ${a.missing.join(', ')}. Install: apt-get install twine python3-poetry python3-build ` +
        'python3-setuptools python3-wheel python3-boto3 python3-pip (and python3 with pip/venv, awscli, curl on PATH)',
    );
}

// ------------------------------------------------------------------------------------------------------------
// The setup every suite starts with
// ------------------------------------------------------------------------------------------------------------

export interface PypiSuite {
  server: RunningServer;
  /** The control plane of `server`. */
  cp: ControlPlane;
  /** A temporary directory for builds, downloads and projects; removed after the suite. */
  work: string;
  /** `work`/home: the HOME the clients run with. */
  home: string;
}

/**
 * Registers the hooks a suite starts with; call it first thing in the suite's describe. beforeAll: the clients
 * must be there (requireClients), then a temporary work dir prefixed `workPrefix` with an empty home/ in it, a
 * server, and a control-plane client for it. afterAll: the server and the work dir are removed. The suite's own
 * beforeAll, registered after this call, runs after it. The returned object is filled in by beforeAll: read its
 * fields in hooks and tests only. `serverOptions` may be a function, called in beforeAll once the work dir exists
 * (for a server whose flags depend on something set up first, e.g. another server to use as an external source).
 */
export function usePypiServer(
  clients: Availability,
  workPrefix: string,
  serverOptions: ServerOptions | ((suite: PypiSuite) => ServerOptions | Promise<ServerOptions>) = {},
): PypiSuite {
  const suite = {} as PypiSuite;
  beforeAll(async () => {
    requireClients(clients);
    suite.work = mkdtempSync(path.join(tmpdir(), workPrefix));
    suite.home = path.join(suite.work, 'home');
    mkdirSync(suite.home);
    suite.server = await startServer(typeof serverOptions === 'function' ? await serverOptions(suite) : serverOptions);
    suite.cp = new ControlPlane(suite.server.url);
  });
  afterAll(async () => {
    await suite.server?.destroy();
    if (suite.work) removeTempDir(suite.work);
  });
  return suite;
}

// ------------------------------------------------------------------------------------------------------------
// Environments
// ------------------------------------------------------------------------------------------------------------

/** pip of the pyenv python, fully isolated from every pip config file and PIP_* variable. */
export function pipEnv(home: string, extra: Record<string, string | undefined> = {}) {
  return cleanEnv({ home, extra: { PIP_CONFIG_FILE: '/dev/null', PIP_FIND_LINKS: undefined, ...OFFLINE_TRAP, ...extra } });
}

/** twine and `python3 -m build` (Debian). */
export function systemToolEnv(home: string, extra: Record<string, string | undefined> = {}) {
  return cleanEnv({ home, extra: { PATH: SYSTEM_PATH, ...KEYRING_OFF, ...OFFLINE_TRAP, ...extra } });
}

export interface PoetryDirs {
  home: string;
  config: string;
  cache: string;
}

export function poetryEnv(dirs: PoetryDirs, extra: Record<string, string | undefined> = {}) {
  return systemToolEnv(dirs.home, {
    POETRY_CONFIG_DIR: dirs.config,
    POETRY_CACHE_DIR: dirs.cache,
    POETRY_VIRTUALENVS_IN_PROJECT: 'true',
    POETRY_NO_INTERACTION: '1',
    ...extra,
  });
}

// ------------------------------------------------------------------------------------------------------------
// Running
// ------------------------------------------------------------------------------------------------------------

export interface Ran extends RunResult {
  /** The command line, for messages. */
  cmd: string;
}

export async function runTool(command: string, args: string[], options: RunOptions): Promise<Ran> {
  const r = await run(command, args, { timeoutMs: 150_000, ...options });
  return { ...r, cmd: [command, ...args].join(' ') };
}

/** Everything a failure message needs: the command, its output, and the end of the server's log. */
export function explain(r: Ran, server?: RunningServer): string {
  return `${describeRun(r.cmd, r)}${server ? `\n--- server log (tail) ---\n${server.output().slice(-3000)}` : ''}`;
}

export function expectSuccess(r: Ran, server?: RunningServer): void {
  expect(r.code, explain(r, server)).toBe(0);
}

export function expectFailure(r: Ran, server?: RunningServer): void {
  expect(r.timedOut, explain(r, server)).toBe(false);
  expect(r.code, explain(r, server)).not.toBe(0);
}

/**
 * `twine upload` of `files` to `repositoryUrl` as aws:<token>, non-interactive, with the HOME and from the work
 * dir of `dirs`.
 */
export function twineUpload(
  repositoryUrl: string,
  files: string[],
  token: string,
  dirs: { home: string; work: string },
): Promise<Ran> {
  return runTool(
    TWINE,
    [
      'upload',
      '--repository-url',
      repositoryUrl,
      '-u',
      'aws',
      '-p',
      token,
      '--non-interactive',
      '--disable-progress-bar',
      ...files,
    ],
    { env: systemToolEnv(dirs.home), cwd: dirs.work },
  );
}

/** A fresh venv made by the pyenv python3 (`python3 -m venv DIR`); returns its bin dir. */
export async function makeVenv(dir: string, home: string): Promise<string> {
  const py = findPython();
  if (!py) throw new Error('python3 not found');
  const r = await runTool(py.python, ['-m', 'venv', dir], { env: pipEnv(home), timeoutMs: 120_000 });
  expectSuccess(r);
  return `${dir}/bin`;
}

/** The pyenv python (for `-m pip download` checks that need no venv). */
export function python(): string {
  const py = findPython();
  if (!py) throw new Error('python3 not found');
  return py.python;
}

// ------------------------------------------------------------------------------------------------------------
// pip's --report
// ------------------------------------------------------------------------------------------------------------

export interface PipReportItem {
  metadata: { name: string; version: string };
  download_info: { url: string; archive_info?: { hash?: string; hashes?: Record<string, string> } };
}

/** pip's --report: where every installed distribution came from, and its hash. */
export function readPipReport(file: string): PipReportItem[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { install: PipReportItem[] }).install;
}

/** A report's URL without the aws:TOKEN@ pip was given. */
export function withoutCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}
