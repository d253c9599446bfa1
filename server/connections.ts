// How connections live and die: timeouts while serving, and the drain on shutdown.
//
// Timeouts. Node's requestTimeout (300 s for a whole request) would cut a 5 GiB upload at anything under
// 18 MB/s, so it is off; a connection is closed instead when it has been idle (no bytes in either direction)
// for --idle-timeout, unless the server itself is the one working (the request is fully received and its
// answer not begun). headersTimeout (60 s for the request line and headers) stays.
//
// Drain. `drain()` stops accepting on every listener, closes idle keep-alive connections at once (never-used
// ones and the TLS connections of CONNECT tunnels and of the HTTPS port included: they are all connections of
// the HTTP server), answers `Connection: close` on every response written from then on, closes each
// connection when its last response is done, and after --drain-timeout cuts what is left.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as TcpServer, Socket } from 'node:net';
import { log } from './log.js';

export interface ConnectionPolicy {
  /** 0: no idle limit. */
  idleTimeoutMs: number;
  drainTimeoutMs: number;
}

export interface Connections {
  /** Another listener whose connections end up in the HTTP server (the HTTPS port): closed with it. */
  alsoFor(server: TcpServer): void;
  /** Why the server is shutting down, once it is. */
  stopping(): string | undefined;
  /** Starts the drain (once); resolves when every connection is closed, by its client, by us, or cut. */
  drain(reason: string): Promise<{ cut: number }>;
  /** Cuts every connection now (a second signal during the drain). */
  cutAll(): number;
}

/** Options for node:http's createServer that go with manageConnections. */
export const SERVER_TIMEOUTS = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 } as const;

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/** Call before the app's 'request' listener is added. */
export function manageConnections(http: Server, policy: ConnectionPolicy): Connections {
  const others: TcpServer[] = [];
  let reason: string | undefined;
  let draining: Promise<{ cut: number }> | undefined;
  const sockets = new Set<Socket>();
  const responses = new Set<ServerResponse>();
  /** Each connection's latest request: the one being received, or answered. */
  const latest = new WeakMap<Socket, Exchange>();

  const track = (socket: Socket) => {
    // A connection that arrives while draining (a tunnel whose TLS set-up was under way) is not served.
    if (reason) return void socket.destroy();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  http.on('connection', track);

  // Registered before the app's listener: it runs first.
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (reason) res.setHeader('Connection', 'close');
    responses.add(res);
    latest.set(req.socket, { req, res });
    res.once('close', () => {
      responses.delete(res);
      // A response that went out before the drain began kept its connection alive: close it now that it is
      // idle (after Node has finished with the response).
      if (reason) setImmediate(() => http.closeIdleConnections());
    });
  });

  http.setTimeout(policy.idleTimeoutMs);
  http.on('timeout', (socket: Socket) => {
    const exchange = latest.get(socket);
    const serverIsWorking =
      exchange && exchange.req.complete && !exchange.res.headersSent && !exchange.res.writableEnded;
    if (serverIsWorking) return;
    if (exchange && !exchange.res.writableEnded) {
      const locals = ((exchange.res as ServerResponse & { locals?: Record<string, unknown> }).locals ??= {});
      locals.reason = `idle timeout: no bytes ${exchange.req.complete ? 'read by the client' : 'from the client'} for ${policy.idleTimeoutMs / 1000} s`;
    }
    socket.destroy();
  });

  function cutAll(): number {
    const cut = sockets.size;
    for (const socket of sockets) socket.destroy();
    http.closeAllConnections();
    return cut;
  }

  function drain(why: string): Promise<{ cut: number }> {
    if (draining) return draining;
    reason = why;
    log.info(
      { reason: why, inFlight: responses.size, connections: sockets.size, drainTimeoutMs: policy.drainTimeoutMs },
      'shutting down: finishing in-flight requests',
    );
    for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = Promise.all(
      [http, ...others].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    // server.close() closed the idle keep-alive connections (Node >= 19), but Node counts a connection that
    // never sent a byte as busy (so that headersTimeout covers it): close those too, TLS ones mid-handshake
    // included. One whose first request has begun gets its answer, with Connection: close.
    http.closeIdleConnections();
    for (const socket of sockets) if (!latest.has(socket) && socket.bytesRead === 0) socket.destroy();
    let cut = 0;
    const timer = setTimeout(() => {
      cut = cutAll();
      if (cut) log.warn({ cut, drainTimeoutMs: policy.drainTimeoutMs }, 'drain timeout: cut the connections still open');
    }, policy.drainTimeoutMs);
    timer.unref();
    draining = closed.then(() => {
      clearTimeout(timer);
      return { cut };
    });
    return draining;
  }

  return {
    alsoFor(server) {
      others.push(server);
      server.on('connection', track);
    },
    stopping: () => reason,
    drain,
    cutAll,
  };
}
