// The request log, read from the real process's stdout: one JSON line per request with method, path,
// status, duration, bytes and request id; the reason of every package-endpoint 4xx and the control plane's
// error code; the virtual host; never a token, whether it came in Authorization, in URL userinfo or in a
// query string. --log-level filters it; the ready line is printed whatever the level.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.js';
import { connectRaw } from '../support/tunnel.js';
import { logLines, RawConnection, until, type LogLine } from './support.js';

let server: RunningServer;
let token: string;
const OWNER = '000000000000';
const PROJECT = `/pypi/d/acme-${OWNER}/team/simple/demo-pkg/`;
const SECRETS = ['SECRET-BASIC-1234', 'SECRET-USERINFO-5678', 'SECRET-QUERY-9012'];

async function control(path: string) {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  return { res, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startServer();
  expect((await control('/v1/domain?domain=acme')).res.status).toBe(200);
  expect((await control('/v1/repository?domain=acme&repository=team')).res.status).toBe(200);
  token = (await control('/v1/authorization-token?domain=acme')).body.authorizationToken as string;
});
afterAll(() => server.destroy());

/** The log line of the request whose response carried `requestId`. */
async function lineOf(res: Response | { headers: Record<string, string> }): Promise<LogLine> {
  const id = res instanceof Response ? res.headers.get('x-amzn-requestid') : res.headers['x-amzn-requestid'];
  expect(id).toBeTruthy();
  return until(`the log line of request ${id}`, async () =>
    logLines(server.output()).find((l) => l.msg === 'request' && l.requestId === id),
  );
}

describe('request log', () => {
  it('writes one line per request: method, path, status, ms, bytes, request id', async () => {
    const res = await fetch(`${server.url}/health`);
    const line = await lineOf(res);
    expect(line).toMatchObject({ level: 'info', method: 'GET', path: '/health', status: 200, bytes: 15 });
    expect(line.ms).toEqual(expect.any(Number));
    expect(typeof line.time).toBe('string');
    expect(logLines(server.output()).filter((l) => l.requestId === line.requestId)).toHaveLength(1);
  });

  it('gives the reason of each package-endpoint 4xx', async () => {
    const missing = await lineOf(await fetch(`${server.url}${PROJECT}`));
    expect(missing).toMatchObject({
      level: 'warn',
      status: 401,
      reason: 'Authentication required: use the token from GetAuthorizationToken',
    });

    const basic = Buffer.from(`aws:${SECRETS[0]}`).toString('base64');
    const invalid = await lineOf(await fetch(`${server.url}${PROJECT}`, { headers: { authorization: `Basic ${basic}` } }));
    expect(invalid).toMatchObject({ status: 401, reason: 'The authorization token is not valid' });

    const notFound = await lineOf(await fetch(`${server.url}${PROJECT}`, { headers: { authorization: `Bearer ${token}` } }));
    expect(notFound).toMatchObject({ status: 404, reason: 'Project not found: demo-pkg in repository team', bytes: expect.any(Number) });

    const noRepo = await lineOf(
      await fetch(`${server.url}/pypi/d/acme-${OWNER}/nope/simple/`, { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(noRepo).toMatchObject({ status: 404, reason: 'Repository not found: acme/nope' });
  });

  it('gives the control plane’s error code and message', async () => {
    const { res } = await control('/v1/domain?domain=acme');
    expect(res.status).toBe(409);
    expect(await lineOf(res)).toMatchObject({
      status: 409,
      error: 'ConflictException',
      reason: expect.stringContaining('acme'),
    });
  });

  it('names the virtual host a request came to', async () => {
    const host = `acme-${OWNER}.d.codeartifact.us-east-1.localhost`;
    const conn = await RawConnection.open(server.port);
    await conn.write(`GET /pypi/team/simple/ HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    const res = await conn.response();
    conn.socket.destroy();
    expect(res.status).toBe(200);
    expect(await lineOf(res)).toMatchObject({ status: 200, vhost: host, path: '/pypi/team/simple/' });
  });

  it('never writes a token: not from Authorization, URL userinfo or a query string', async () => {
    // What an HTTP_PROXY client sends for http://aws:TOKEN@host/...: the absolute form, userinfo included.
    const conn = await RawConnection.open(server.port);
    await conn.write(
      `GET http://aws:${SECRETS[1]}@127.0.0.1:${server.port}${PROJECT}?token=${SECRETS[2]}&x=1 HTTP/1.1\r\n` +
        `Host: 127.0.0.1:${server.port}\r\nAuthorization: Bearer ${SECRETS[1]}\r\n\r\n`,
    );
    const res = await conn.response();
    conn.socket.destroy();
    expect(res.status).toBe(401);
    const line = await lineOf(res);
    expect(line.path).toBe(`http://127.0.0.1:${server.port}${PROJECT}?token=REDACTED&x=1`);

    const everything = server.output();
    for (const secret of [...SECRETS, token, Buffer.from(`aws:${SECRETS[0]}`).toString('base64')])
      expect(everything, secret).not.toContain(secret);
    expect(everything).not.toMatch(/"authorization"|"headers"/i);
  });

  it('logs CONNECT requests, refusals with their reason', async () => {
    await expect(connectRaw(server.url, 'example.com:443')).rejects.toMatchObject({ status: 403 });
    const line = await until('the CONNECT line', async () =>
      logLines(server.output()).find((l) => l.method === 'CONNECT' && l.path === 'example.com:443'),
    );
    expect(line).toMatchObject({ level: 'warn', status: 403, reason: expect.stringContaining('not an AWS CodeArtifact host') });
  });
});

describe('--log-level', () => {
  it('warn: failures only; silent: nothing but the ready line', async () => {
    const warn = await startServer({ args: ['--log-level', 'warn'] });
    const silent = await startServer({ env: { LOG_LEVEL: 'silent' } });
    try {
      for (const s of [warn, silent]) {
        expect((await fetch(`${s.url}/health`)).status).toBe(200);
        expect((await fetch(`${s.url}/nope`)).status).toBe(404);
      }
      await until('the 404 line', async () => logLines(warn.output()).find((l) => l.status === 404));
      expect(logLines(warn.output()).map((l) => [l.level, l.status])).toEqual([['warn', 404]]);
      expect(logLines(warn.output())[0]).toMatchObject({ reason: 'Not found: GET /nope' });
      expect(silent.output()).toMatch(/^codeartifact-local listening on http:\/\/\S+ /);
      expect(logLines(silent.output())).toEqual([]);
    } finally {
      await Promise.all([warn.destroy(), silent.destroy()]);
    }
  });
});
