// TLS terminated in-process: a raw socket carrying a client's TLS (a CONNECT tunnel, or the HTTPS port) is
// wrapped, and the decrypted stream is handed to the HTTP server as one more connection, so the same app,
// keep-alive, timeouts and shutdown apply to it as to plain HTTP.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { parseAwsHost } from '../../core/awsHosts.js';
import type { ServerCertificates } from './serverCertificates.js';

/** A client that opens a tunnel and never completes the handshake must not hold the socket forever. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export function terminateTls(
  httpServer: Server,
  certificates: ServerCertificates,
  raw: Socket,
  context: SecureContext,
): TLSSocket {
  const tls = new TLSSocket(raw, {
    isServer: true,
    secureContext: context,
    // HTTP/1.1 only: the app is an HTTP/1.1 server, and every client we serve speaks it.
    ALPNProtocols: ['http/1.1'],
    // The name the client asked for picks the region's certificate; a name that is not an AWS CodeArtifact
    // host gets the tunnel's own, which the client will then refuse, as it should.
    SNICallback: (servername, done) => {
      const region = parseAwsHost(servername)?.region;
      if (!region) return done(null, context);
      certificates.contextFor(region).then(
        (ctx) => done(null, ctx),
        (err: Error) => done(err, undefined),
      );
    },
  });
  const timer = setTimeout(() => tls.destroy(), HANDSHAKE_TIMEOUT_MS);
  timer.unref();
  tls.once('secure', () => clearTimeout(timer));
  tls.once('close', () => {
    clearTimeout(timer);
    raw.destroy();
  });
  // A failed handshake (wrong trust, plain HTTP on the TLS port, a reset) ends this connection only.
  tls.on('error', () => tls.destroy());
  raw.on('error', () => tls.destroy());
  httpServer.emit('connection', tls);
  return tls;
}
