// CONNECT on the server's own HTTP port: the HTTPS proxy that lets tools which hardcode AWS's host names
// (poetry-plugin-code-artifact, old boto3, keyrings.codeartifact) reach this server with only HTTPS_PROXY and
// a CA bundle set. Only AWS CodeArtifact hosts on port 443 are tunnelled, and only into this server: the TLS
// is terminated here and nothing is ever dialled out, whatever the target.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseAwsHost } from '../../core/awsHosts.js';
import { log } from '../log.js';
import type { ServerCertificates } from '../tls/serverCertificates.js';
import { terminateTls } from '../tls/terminate.js';

export const SERVED_HOSTS =
  'codeartifact.{region}.amazonaws.com and {domain}-{owner}.d.codeartifact.{region}.amazonaws.com';

/** `host:port` of a CONNECT request (RFC 9110 authority-form), IPv6 literals in brackets. */
export function parseAuthority(target: string): { hostname: string; port: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:/@[\]]+):(\d{1,5})$/i.exec(target);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { hostname: m[1]!, port } : undefined;
}

/** Why a CONNECT target is refused, or undefined when it is one of ours. */
export function refusal(target: string): string | undefined {
  const authority = parseAuthority(target);
  if (!authority) return `CONNECT target '${target.slice(0, 300)}' is not host:port`;
  if (!parseAwsHost(authority.hostname))
    return `${authority.hostname} is not an AWS CodeArtifact host: this proxy only serves ${SERVED_HOSTS}, and never connects anywhere else`;
  if (authority.port !== 443) return `only port 443 is served for ${authority.hostname}, not ${authority.port}`;
  return undefined;
}

const STATUS_TEXT = { 400: 'Bad Request', 403: 'Forbidden', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Answers a CONNECT with an error and closes the connection (the headers every response carries included). */
export function refuse(socket: Socket, status: keyof typeof STATUS_TEXT, reason: string) {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `X-Content-Type-Options: nosniff\r\nContent-Security-Policy: default-src 'none'\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The CONNECT's line in the request log (the requests inside a tunnel get their own). */
function logConnect(target: string, status: number, started: number, reason?: string) {
  const line = { method: 'CONNECT', path: target.slice(0, 300), status, ms: Math.round((performance.now() - started) * 10) / 10 };
  if (status === 200) log.info(line, 'request');
  else if (status >= 500) log.error({ ...line, reason }, 'request');
  else log.warn({ ...line, reason }, 'request');
}

/** The 'connect' listener for `httpServer`. */
export function connectTunnels(httpServer: Server, certificates: ServerCertificates) {
  return (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const started = performance.now();
    socket.on('error', () => socket.destroy());
    const target = req.url ?? '';
    const reason = refusal(target);
    if (reason) {
      logConnect(target, 403, started, reason);
      return refuse(socket, 403, `CONNECT refused: ${reason}`);
    }
    const region = parseAwsHost(parseAuthority(target)!.hostname)!.region;
    socket.pause();
    certificates.contextFor(region).then(
      (context) => {
        if (socket.destroyed) return;
        // A client may send its first TLS bytes with the CONNECT itself; they belong to the tunnel.
        if (head.length) socket.unshift(head);
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        logConnect(target, 200, started);
        terminateTls(httpServer, certificates, socket, context);
      },
      (err: Error) => {
        logConnect(target, 500, started, `cannot make the TLS certificate for ${region}: ${err.message}`);
        refuse(socket, 500, `CONNECT failed: no certificate for ${region}`);
      },
    );
  };
}
