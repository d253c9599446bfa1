// Shutdown and connection timeouts, against the real process: SIGTERM closes idle keep-alive connections at
// once (never-used ones and TLS tunnels too), lets an in-flight upload finish and answers it with
// Connection: close, says Connection: close to a request that arrives on a kept-alive connection during the
// drain, cuts what is left after --drain-timeout, and exits 0. An upload that keeps trickling is never cut
// for its total time, only for a silence longer than --idle-timeout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createServer } from 'node:http';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_TIMEOUTS } from '../../server/connections.js';
import { MAIN, startServer, type RunningServer } from '../support/server.js';
import { connectRaw } from '../support/tunnel.js';
import { exitOf, get, logLines, publishHead, RawConnection, sleep, until } from './support.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.destroy();
  server = undefined;
});

async function withRepository(args: string[]): Promise<RunningServer> {
  const s = await startServer({ args: ['--auth', 'off', ...args] });
  for (const path of ['/v1/domain?domain=ops', '/v1/repository?domain=ops&repository=main']) {
    const res = await fetch(`${s.url}${path}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
  }
  return s;
}

/** Whether a new TCP connection is accepted. */
function accepts(port: number): Promise<boolean> {
  return RawConnection.open(port).then(
    (c) => {
      c.socket.destroy();
      return true;
    },
    () => false,
  );
}

describe('shutdown', () => {
  it('closes idle keep-alive, never-used and tunnelled TLS connections at once, and exits 0 without waiting for the drain', async () => {
    server = await startServer();
    const used = await RawConnection.open(server.port);
    await used.write(get('/health'));
    const first = await used.response();
    expect(first.status).toBe(200);
    expect(first.headers.connection).toBe('keep-alive');
    const neverUsed = await RawConnection.open(server.port);

    const ca = readFileSync(path.join(server.dataDir, 'tls', 'ca.pem'));
    const host = 'codeartifact.us-east-1.amazonaws.com';
    const raw = await connectRaw(server.url, `${host}:443`);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: raw, servername: host, ca, ALPNProtocols: ['http/1.1'] }, () => resolve(s));
      s.once('error', reject);
    });
    const tunnelled = new RawConnection(secure);
    await tunnelled.write(get('/health', host));
    expect((await tunnelled.response()).status).toBe(200);

    const exited = exitOf(server.process());
    const signalledAt = Date.now();
    server.process().kill('SIGTERM');
    const closed = await Promise.all([used, neverUsed, tunnelled].map((c) => c.closesWithin(2000)));
    expect(closed).toEqual([true, true, true]);
    const exit = await exited;
    expect(exit.code).toBe(0);
    // The default drain is 30 s: nothing was in flight, so nothing waited for it.
    expect(exit.at - signalledAt).toBeLessThan(3000);
    const lines = logLines(server.output());
    expect(lines.find((l) => l.msg === 'shutting down: finishing in-flight requests')).toMatchObject({ reason: 'SIGTERM', inFlight: 0 });
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });

  it('exits on SIGTERM after the process reading its stdout has gone (every log write fails with EPIPE)', async () => {
    // A parent that starts the server with piped output, reads the ready line, prints the pid and exits: the
    // server's stdout and stderr are then pipes nobody reads (as after a CI step's wrapper dies).
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orphan-'));
    const parent = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, [${JSON.stringify(MAIN)}, '--port', '0', '--data-dir', ${JSON.stringify(dataDir)}], { stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.once('data', () => { console.log(c.pid); process.exit(0); });
      setTimeout(() => process.exit(1), 15000);`;
    const pid = Number(execFileSync(process.execPath, ['-e', parent], { encoding: 'utf8', timeout: 20_000 }).trim());
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      expect(alive()).toBe(true);
      process.kill(pid, 'SIGTERM');
      // Throws (the test fails) if it still runs 5 s after the signal.
      await until('the orphaned server to exit after SIGTERM', async () => (alive() ? undefined : true), 5000);
    } finally {
      if (alive()) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('lets an in-flight slow upload finish, answers it with Connection: close, refuses new connections meanwhile, then exits 0', async () => {
    server = await withRepository(['--drain-timeout', '20']);
    const body = Buffer.alloc(64 * 1024, 7);
    const upload = await RawConnection.open(server.port);
    await upload.write(publishHead('ops', 'main', '1.0.0', body));
    await upload.write(body.subarray(0, 16 * 1024));
    // Let the server read the request's head first: bytes still in the kernel's buffer at the signal are a
    // connection that never sent anything, as far as the server can tell, and it is closed at once.
    await sleep(300);

    const exited = exitOf(server.process());
    const signalledAt = Date.now();
    server.process().kill('SIGTERM');
    await sleep(500);
    expect(await accepts(server.port)).toBe(false);
    for (let offset = 16 * 1024; offset < body.length; offset += 16 * 1024) {
      await sleep(400);
      await upload.write(body.subarray(offset, offset + 16 * 1024));
    }
    const res = await upload.response();
    expect(res.status, res.body).toBe(200);
    expect(res.headers.connection).toBe('close');
    expect(await upload.closesWithin(2000)).toBe(true);
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(20_000);

    // It was stored: the store was closed cleanly after the upload's commit.
    await server.restart();
    const list = await fetch(
      `${server.url}/v1/package/versions?domain=ops&repository=main&format=generic&namespace=ops&package=slow`,
      { method: 'POST' },
    );
    expect(((await list.json()) as { versions: { version: string }[] }).versions.map((v) => v.version)).toEqual(['1.0.0']);
  });

  it('answers Connection: close to a request that arrives on a kept-alive connection during the drain', async () => {
    server = await startServer();
    const [a, b] = await Promise.all([RawConnection.open(server.port), RawConnection.open(server.port)]);
    for (const conn of [a, b]) {
      await conn.write(get('/health'));
      expect((await conn.response()).headers.connection).toBe('keep-alive');
      // The next request has begun (its first bytes are in) when the signal comes: the connection is not idle.
      await conn.write(`GET ${conn === a ? '/_local/ca.pem' : '/health'} HTTP/1.1\r\n`);
    }
    await sleep(100);
    const exited = exitOf(server.process());
    server.process().kill('SIGTERM');
    await sleep(500);
    expect([a.closedAt, b.closedAt]).toEqual([undefined, undefined]);
    for (const conn of [a, b]) await conn.write('Host: localhost\r\n\r\n');
    const [ca, health] = await Promise.all([a.response(), b.response()]);
    // Served as usual, but the client is told to go away.
    expect(ca.status).toBe(200);
    expect(ca.body).toMatch(/BEGIN CERTIFICATE/);
    expect(ca.headers.connection).toBe('close');
    // /health tells load balancers at once.
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({ status: 'stopping', reasons: ['shutting down (SIGTERM)'] });
    expect(health.headers.connection).toBe('close');
    expect(await Promise.all([a.closesWithin(2000), b.closesWithin(2000)])).toEqual([true, true]);
    expect((await exited).code).toBe(0);
  });

  it('cuts what is still running after --drain-timeout, then exits 0', async () => {
    server = await withRepository(['--drain-timeout', '2']);
    const body = Buffer.alloc(1024 * 1024, 1);
    const upload = await RawConnection.open(server.port);
    await upload.write(publishHead('ops', 'main', '2.0.0', body));
    let stop = false;
    const trickle = (async () => {
      for (let offset = 0; !stop && offset < body.length; offset += 1024) {
        await upload.write(body.subarray(offset, offset + 1024)).catch(() => (stop = true));
        await sleep(200);
      }
    })();
    await sleep(300);
    const exited = exitOf(server.process());
    const signalledAt = Date.now();
    server.process().kill('SIGTERM');
    expect(await upload.closesWithin(5000)).toBe(true);
    stop = true;
    await trickle;
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(1900);
    expect(exit.at - signalledAt).toBeLessThan(5000);
    expect(logLines(server.output()).find((l) => l.msg.startsWith('drain timeout'))).toMatchObject({ cut: 1 });
  });
});

describe('timeouts', () => {
  it('a server built as main.ts builds it has no total request time limit, and a bounded time for headers', () => {
    const http = createServer(SERVER_TIMEOUTS);
    expect(http.requestTimeout).toBe(0);
    expect(http.headersTimeout).toBe(60_000);
  });

  it('never cuts an upload that keeps progressing, however long it takes; cuts one silent for longer than --idle-timeout', async () => {
    server = await withRepository(['--idle-timeout', '2']);
    // 6 s of trickle, one chunk every 0.75 s: three times the idle timeout in total, never 2 s silent.
    const body = Buffer.alloc(8 * 1024, 3);
    const slow = await RawConnection.open(server.port);
    await slow.write(publishHead('ops', 'main', '3.0.0', body));
    const started = Date.now();
    for (let offset = 0; offset < body.length; offset += 1024) {
      await sleep(750);
      await slow.write(body.subarray(offset, offset + 1024));
    }
    const res = await slow.response();
    expect(Date.now() - started).toBeGreaterThan(5500);
    expect(res.status, res.body).toBe(200);

    // Half the body, then 3 s of silence: the connection is closed after 2 s of it, with no answer.
    const stalled = await RawConnection.open(server.port);
    await stalled.write(publishHead('ops', 'main', '4.0.0', body));
    await stalled.write(body.subarray(0, 4096));
    const silentFrom = Date.now();
    expect(await stalled.closesWithin(3000)).toBe(true);
    expect(stalled.closedAt! - silentFrom).toBeGreaterThanOrEqual(1800);
    await expect(stalled.response(100)).rejects.toThrow(/closed before a complete response/);
    const line = await until('the log line of the cut upload', async () =>
      logLines(server!.output()).find((l) => l.msg === 'request' && String(l.path).includes('version=4.0.0')),
    );
    expect(line).toMatchObject({ aborted: true, reason: 'idle timeout: no bytes from the client for 2 s' });

    // The version that was cut was not stored.
    const list = await fetch(
      `${server.url}/v1/package/versions?domain=ops&repository=main&format=generic&namespace=ops&package=slow`,
      { method: 'POST' },
    );
    expect(((await list.json()) as { versions: { version: string }[] }).versions.map((v) => v.version)).toEqual(['3.0.0']);
  });

  it('closes a keep-alive connection left idle, as before', async () => {
    server = await startServer({ args: ['--idle-timeout', '2'] });
    const conn = await RawConnection.open(server.port);
    await conn.write(get('/health'));
    expect((await conn.response()).status).toBe(200);
    // Node's keep-alive timeout (5 s) applies between requests.
    expect(await conn.closesWithin(8000)).toBe(true);
  });
});
