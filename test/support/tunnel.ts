// A Node client for the server's CONNECT proxy, as HTTPS_PROXY clients use it: CONNECT host:443 on the server's
// HTTP port, then TLS to the AWS host name inside the tunnel, verified against a CA file. TunnelAgent makes
// https.request go through it with keep-alive, so a test (or the bench) can count tunnels per request.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface TunnelOptions {
  /** The server, e.g. http://127.0.0.1:8080. */
  proxyUrl: string;
  /** The AWS host name to tunnel to (port 443). */
  host: string;
  /** PEM the server's certificate must chain to. */
  ca: string | Buffer;
  /** ALPN offer; default ['http/1.1']. */
  alpn?: string[];
  /** SNI; default `host`. */
  servername?: string;
}

export class ConnectRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`CONNECT refused: ${status} ${body.trim()}`);
  }
}

/** CONNECT `target` and resolve with the raw tunnel socket, or reject with the refusal (status and body). */
export function connectRaw(proxyUrl: string, target: string): Promise<Socket> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: proxy.hostname, port: proxy.port, method: 'CONNECT', path: target, agent: false });
    req.once('connect', (res, socket, head) => {
      if (res.statusCode === 200) return resolve(socket);
      // The refusal's body follows the head on the same socket (its first bytes may come with the head).
      const chunks: Buffer[] = [head];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.once('close', () => reject(new ConnectRefused(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      socket.once('error', () => {});
    });
    req.once('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`CONNECT ${target}: timeout`)));
    req.end();
  });
}

/** A verified TLS connection to `host` through the server's proxy. */
export async function openTunnel(options: TunnelOptions): Promise<tls.TLSSocket> {
  const raw = await connectRaw(options.proxyUrl, `${options.host}:443`);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      socket: raw,
      servername: options.servername ?? options.host,
      ca: options.ca,
      ALPNProtocols: options.alpn ?? ['http/1.1'],
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** https.Agent whose connections are tunnels through the server: `tunnels` counts how many were opened. */
export class TunnelAgent extends https.Agent {
  tunnels = 0;

  constructor(
    private readonly proxyUrl: string,
    private readonly ca: string | Buffer,
    options: https.AgentOptions = {},
  ) {
    super({ keepAlive: true, ...options });
  }

  // The callback form of createConnection: the Agent waits for the tunnel, then pools the socket as usual.
  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    this.tunnels++;
    openTunnel({ proxyUrl: this.proxyUrl, host: options.host ?? options.hostname ?? '', ca: this.ca }).then(
      (socket) => callback?.(null, socket),
      (err: Error) => callback?.(err, undefined as never),
    );
    return undefined;
  }
}

export interface TunnelResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The TLS socket it came over (to check reuse and the peer certificate). */
  socket: tls.TLSSocket;
}

/** One HTTPS request through `agent`. */
export function httpsVia(
  agent: TunnelAgent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<TunnelResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { agent, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const socket = res.socket as tls.TLSSocket; // taken now: a kept-alive socket goes back to the pool at 'end'
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          socket,
        }),
      );
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.end(options.body);
  });
}
