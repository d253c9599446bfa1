// Starts the real server (the built dist/server/main.js, as `npm start` does) on a free port with its own
// DATA_DIR, and stops it. Suites that talk to the server over the network use this.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = path.join(root, 'dist', 'server', 'main.js');

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  port: number;
  dataDir: string;
  /** The server process's id (it changes on restart). */
  readonly pid: number;
  /** Stops with SIGTERM and waits for exit. */
  stop(): Promise<void>;
  /** Stops, then starts again on the same DATA_DIR and port. */
  restart(): Promise<void>;
  /** Stops and deletes the data dir. */
  destroy(): Promise<void>;
  /** Everything the process printed so far. */
  output(): string;
  /** The running process (a new one after restart). */
  process(): ChildProcess;
}

export interface ServerOptions {
  dataDir?: string;
  env?: Record<string, string>;
  args?: string[];
}

const READY = /listening on (http:\/\/\S+)/;

/**
 * The test runner's environment without the variables the server reads (FAULTS, AUTH, LOG_LEVEL...), read
 * from the configuration's source so the list cannot fall behind: a setting exported in the shell must not
 * change what a suite tests. A suite passes what it wants in `options.env`.
 */
const SERVER_VARIABLES = new Set(
  [...readFileSync(path.join(root, 'server', 'config.ts'), 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!),
);
const runnerEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVER_VARIABLES.has(name)));

async function launch(dataDir: string, port: number, options: ServerOptions, log: string[]) {
  const child = spawn(
    process.execPath,
    [MAIN, '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...(options.args ?? [])],
    { env: { ...runnerEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 15 s:\n${log.join('')}`)), 15_000);
    // Only the output since launch is searched, and only until the ready line: the request log follows it.
    const from = log.length;
    let ready = false;
    const onData = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (ready) return;
      const m = READY.exec(log.slice(from).join(''));
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve(m[1]!.replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log.join('')}`));
    });
  });
  return { child, url };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'ca-data-'));
  const log: string[] = [];
  let { child, url } = await launch(dataDir, 0, options, log);
  const port = Number(new URL(url).port);
  const server: RunningServer = {
    url,
    port,
    dataDir,
    get pid() {
      return child.pid!;
    },
    stop: () => stopChild(child),
    async restart() {
      await stopChild(child);
      ({ child, url } = await launch(dataDir, port, options, log));
    },
    async destroy() {
      await stopChild(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
    output: () => log.join(''),
    process: () => child,
  };
  return server;
}
