// `kill <pid of npm start>` must not orphan the server. The start script execs node, so the server is npm's
// own child and gets the SIGTERM/SIGINT npm forwards; a SIGKILL cannot be forwarded, so the server notices
// it was re-parented and shuts down as on SIGTERM (main.ts, stopWithParent).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { exitOf, logLines, RawConnection, until } from './support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Gone, or a zombie nobody reaped yet: either way no longer running. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  return !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
}

function parentOf(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  return Number(readFileSync(stat, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
}

const started: { npm: ChildProcess; serverPid?: number; dataDir: string }[] = [];
afterEach(() => {
  for (const s of started.splice(0)) {
    for (const pid of [s.npm.pid, s.serverPid]) if (pid && running(pid)) process.kill(pid, 'SIGKILL');
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

async function npmStart() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ca-npm-start-'));
  const npm = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const entry: (typeof started)[number] = { npm, dataDir };
  started.push(entry);
  let output = '';
  npm.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  npm.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const listening = await until(
    'the server started by npm start',
    async () => logLines(output.split('\n').filter((l) => l.startsWith('{"')).join('\n')).find((l) => l.msg === 'listening'),
    30_000,
  );
  entry.serverPid = listening.pid;
  return { npm, serverPid: listening.pid, port: Number(new URL(String(listening.url)).port), output: () => output };
}

describe('npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    it(`kill -${signal.slice(3)} of the npm process stops the server too, cleanly`, async () => {
      const { npm, serverPid, port, output } = await npmStart();
      // exec in the start script: no shell between npm and node.
      const parent = parentOf(serverPid);
      if (parent !== undefined) expect(parent).toBe(npm.pid);
      const npmExit = exitOf(npm);
      npm.kill(signal);
      await npmExit;
      await until('the server process to end', async () => (running(serverPid) ? undefined : true), 8000);
      await expect(RawConnection.open(port)).rejects.toThrow(/ECONNREFUSED/);
      const lines = logLines(output().split('\n').filter((l) => l.startsWith('{"')).join('\n'));
      const stopping = lines.find((l) => l.msg === 'shutting down: finishing in-flight requests');
      expect(stopping?.reason).toBe(signal === 'SIGKILL' ? `parent process ${npm.pid} (npm) exited` : signal);
      expect(lines.at(-1)?.msg).toBe('stopped');
    });
  }
});
