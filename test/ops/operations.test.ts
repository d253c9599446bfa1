// Operations, against the real process: a data dir that cannot be used is refused with one line before
// anything listens; /health is {"status":"ok"} while healthy and 503 with the reasons when not, and heals.
//
// Unwritable as root: tests run as root here, where chmod does not stop a write. So the existing-but-
// unwritable case runs the server as another user (uid/gid 65534, "nobody") against a folder it may read but
// not write, which is also what a Docker bind mount owned by someone else looks like; run as a normal user,
// the test chmods the folder instead. "Cannot be created" is a path whose parent is a regular file.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startServer, type RunningServer } from '../support/server.js';
import { logLines, until } from './support.js';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'ca-ops-'));
  chmodSync(scratch, 0o755); // another user must be able to reach what is inside
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.destroy();
  server = undefined;
});

const asRoot = process.getuid?.() === 0;

function start(dataDir: string, asUser?: number) {
  return spawnSync(process.execPath, [MAIN, '--port', '0', '--data-dir', dataDir], {
    encoding: 'utf8',
    timeout: 15_000,
    ...(asUser !== undefined ? { uid: asUser, gid: asUser } : {}),
  });
}

describe('an unusable data dir', () => {
  it('that exists but cannot be written: one line, exit 1, nothing listened', () => {
    const dataDir = path.join(scratch, 'read-only');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o555);
    const run = start(dataDir, asRoot ? 65534 : undefined);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Cannot start: data dir ${dataDir} is not writable by this process \\(uid \\d+\\): EACCES: permission denied$`));
  });

  it('that cannot be created (its parent is a file): one line, exit 1', () => {
    const file = path.join(scratch, 'a-file');
    writeFileSync(file, 'not a folder');
    const run = start(path.join(file, 'data'));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([`Cannot start: cannot create data dir ${path.join(file, 'data')}: ENOTDIR: not a directory`]);
  });

  it('whose blobs/ is a file: one line naming it, exit 1', () => {
    const dataDir = path.join(scratch, 'blobs-is-a-file');
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'blobs'), '');
    const run = start(dataDir);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([`Cannot start: cannot create blob folder ${path.join(dataDir, 'blobs')}: EEXIST: file already exists`]);
  });
});

async function health(url: string) {
  const res = await fetch(`${url}/health`);
  return { status: res.status, text: await res.text() };
}

describe('/health', () => {
  it('is {"status":"ok"} while healthy, 503 with the reason while tmp/ is unwritable, ok again after repair', async () => {
    server = await startServer();
    expect(await health(server.url)).toEqual({ status: 200, text: '{"status":"ok"}' });

    const tmp = path.join(server.dataDir, 'tmp');
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(tmp, 'a file where a folder should be');
    const degraded = await until('/health to report degraded', async () => {
      const h = await health(server!.url);
      return h.status === 503 ? h : undefined;
    });
    expect(JSON.parse(degraded.text)).toEqual({
      status: 'degraded',
      reasons: ['tmp/ is not writable (ENOTDIR: not a directory): uploads and publishes fail'],
    });

    rmSync(tmp, { force: true });
    mkdirSync(tmp);
    const healed = await until('/health to be ok again', async () => {
      const h = await health(server!.url);
      return h.status === 200 ? h : undefined;
    });
    expect(healed.text).toBe('{"status":"ok"}');
    // The 503s were logged with their reason.
    const line = logLines(server.output()).find((l) => l.path === '/health' && l.status === 503);
    expect(line).toMatchObject({ level: 'error', reason: 'tmp/ is not writable (ENOTDIR: not a directory): uploads and publishes fail' });
  });

  it('reports a disk with less free space than --min-free-disk', async () => {
    server = await startServer({ args: ['--min-free-disk', '1048576GiB'] });
    const h = await health(server.url);
    expect(h.status).toBe(503);
    expect(JSON.parse(h.text)).toEqual({
      status: 'degraded',
      reasons: [expect.stringMatching(/^only \d+ MiB free on the data dir's disk \(less than 1073741824 MiB\)$/)],
    });
  });
});
