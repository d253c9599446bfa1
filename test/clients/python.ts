// Runs the real Python-side clients (python3 with boto3, the `aws` CLI, pip, twine, ...) from vitest with a
// clean, reproducible environment: a throw-away HOME, dummy AWS credentials, and nothing from the developer's
// shell (AWS_PROFILE, AWS_CONFIG_FILE, PIP_* settings, ...) leaking in.
//
// Generic on purpose: `run(command, args, {env, cwd, timeoutMs})` → {code, stdout, stderr}. Client suites
// (control plane, PyPI) share it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/clients/python: the Python scripts the client suites run. */
export const PYTHON_SCRIPTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python');

/** True on CI, where a missing client must fail the suite instead of skipping it. */
export const IN_CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');

export interface RunResult {
  /** Exit code; null when the process was killed by a signal (e.g. on timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  /** The complete environment of the child (see cleanEnv); process.env is NOT inherited. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Kill the process (SIGKILL) after this many ms. Default 120 s. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed. */
  input?: string | Buffer;
}

/** Runs `command args...` and collects its output. Never rejects for a non-zero exit; check `code`. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const env = Object.fromEntries(
    Object.entries(options.env ?? cleanEnv()).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
    child.stdin.on('error', () => {}); // the child may exit without reading its stdin
    child.stdin.end(options.input ?? '');
  });
}

/** One line for assertion messages: how a process ended and what it printed. */
export function describeRun(cmd: string, r: RunResult): string {
  return `${cmd} → code ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Variables passed through from the parent because the toolchain needs them to find itself. */
const PASS_THROUGH = ['PYENV_ROOT', 'PYENV_VERSION', 'LANG', 'LC_ALL', 'TMPDIR', 'SYSTEMROOT'];

export interface PythonToolchain {
  /** Absolute path of the interpreter `python3` on PATH resolves to (through pyenv shims). */
  python: string;
  /** Its bin directory; put first on PATH so `pip`, `aws`, ... are that interpreter's. */
  binDir: string;
  /** The parent's PATH with binDir in front. */
  path: string;
}

let toolchain: PythonToolchain | null | undefined;

/** Finds python3 on the parent's PATH (null when there is none). Cached. */
export function findPython(): PythonToolchain | null {
  if (toolchain !== undefined) return toolchain;
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 30_000 });
  const python = r.status === 0 ? r.stdout.trim() : '';
  if (!python) return (toolchain = null);
  const binDir = path.dirname(python);
  toolchain = { python, binDir, path: [binDir, process.env.PATH ?? ''].filter(Boolean).join(path.delimiter) };
  return toolchain;
}

/** Whether `python -c 'import <module>'` works with the found interpreter. */
export function hasPythonModule(module: string): boolean {
  const py = findPython();
  if (!py) return false;
  const r = spawnSync(py.python, ['-c', `import ${module}`], { env: cleanEnv(), timeout: 60_000 });
  return r.status === 0;
}

/** Whether `command --version` runs (with the clean environment). */
export function hasCommand(command: string, versionArg = '--version'): boolean {
  const r = spawnSync(command, [versionArg], { env: cleanEnv(), timeout: 60_000 });
  return r.status === 0;
}

export interface CleanEnvOptions {
  /** HOME for the child (make one with makeTempHome()); default: a path that does not exist. */
  home?: string;
  /** Added last; `undefined` removes a variable. */
  extra?: Record<string, string | undefined>;
}

/**
 * A minimal environment for python/aws/pip children: PATH (the found interpreter's bin dir first), pyenv's
 * variables, the given HOME, and dummy AWS credentials for us-east-1. Nothing else is inherited: no AWS_PROFILE,
 * AWS_CONFIG_FILE, AWS_ENDPOINT_URL, PIP_* or XDG_* from the developer's shell.
 */
export function cleanEnv(options: CleanEnvOptions = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of PASS_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name];
  env.PATH = findPython()?.path ?? process.env.PATH ?? '';
  env.HOME = options.home ?? path.join(tmpdir(), 'ca-clients-no-home');
  env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  env.AWS_SECRET_ACCESS_KEY = 'secret';
  env.AWS_DEFAULT_REGION = 'us-east-1';
  env.AWS_EC2_METADATA_DISABLED = 'true';
  env.AWS_PAGER = '';
  env.PYTHONUNBUFFERED = '1';
  env.PYTHONDONTWRITEBYTECODE = '1';
  env.PYTHONIOENCODING = 'utf-8';
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  env.PIP_NO_INPUT = '1';
  return { ...env, ...options.extra };
}

/** A fresh, empty directory to use as HOME; remove it with removeTempDir. */
export function makeTempHome(prefix = 'ca-home-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface PythonClientsAvailability {
  ok: boolean;
  /** Why not, when !ok. */
  missing: string[];
  /** Whether a suite needing them skips: locally when they are missing, never on CI (it fails there instead). */
  skip: boolean;
}

/** Checks python3 (+ the given modules) and the given commands. */
export function checkPythonClients(modules: string[] = [], commands: string[] = []): PythonClientsAvailability {
  const missing: string[] = [];
  if (!findPython()) missing.push('python3');
  else {
    for (const m of modules) if (!hasPythonModule(m)) missing.push(`python module ${m}`);
    for (const c of commands) if (!hasCommand(c)) missing.push(`command ${c}`);
  }
  return { ok: missing.length === 0, missing, skip: missing.length > 0 && !IN_CI };
}
