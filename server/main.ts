#!/usr/bin/env node
// CLI entry and composition root.
//   npm start (node dist/server/main.js [flags])   opens DATA_DIR (refusing one it cannot write), listens,
//                                                  prints one ready line, logs JSON lines, and on SIGTERM/SIGINT
//                                                  drains (connections.ts), closes the store and exits 0
//   node dist/server/main.js env [flags]            prints the shell lines for tools that hardcode AWS hosts
//   node dist/server/main.js fsck [flags]           checks (and with --repair fixes) rows against blobs
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { fsck, formatFsckReport, fsckHasDamage } from '../core/maintenance/fsck.js';
import { DEFAULT_SWEEP } from '../core/maintenance/sweep.js';
import { ExternalSourceConfigError, openExternalSources, openStore } from '../storage/open.js';
import { StorageUnavailableError, type Store } from '../storage/ports.js';
import { createReadPath } from '../core/readPath/readPath.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';
import { manageConnections, SERVER_TIMEOUTS } from './connections.js';
import { createLogger, flushLog, log, setLogger } from './log.js';
import { connectTunnels, refuse } from './proxy/connect.js';
import { clientEnvScript } from './proxy/clientEnv.js';
import { CertificateAuthorityError } from './tls/authority.js';
import { openLocalTls, type LocalTls } from './tls/localTls.js';
import { startSweeper } from './sweeper.js';
import { terminateTls } from './tls/terminate.js';
import { warmViewsSoon } from './views.js';

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function fail(message: string, code = 1): never {
  console.error(message);
  process.exit(code);
}

function listen(server: Server | TcpServer, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve) => {
    server.once('error', (err) => fail(`cannot listen on ${host}:${port} (${what}): ${err.message}`));
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function openTls(config: ServerConfig): Promise<LocalTls> {
  return openLocalTls(config.dataDir, { certFile: config.tlsCaCert, keyFile: config.tlsCaKey }).catch((err: Error) =>
    fail(err instanceof CertificateAuthorityError ? `TLS: ${err.message}` : `TLS set-up failed: ${err.stack ?? err}`),
  );
}

/** `env`: the same lines GET /_local/env answers, for a server on this data dir and port. */
async function printClientEnv(config: ServerConfig) {
  const tls = await openTls(config);
  process.stdout.write(clientEnvScript({ proxyUrl: `http://${urlHost(config.host)}:${config.port}`, bundleFile: tls.bundleFile }));
}

/**
 * `fsck`: exit 0 when rows and blobs agree (after repairs, with --repair), 1 when something is wrong.
 * --grace S: leftovers younger than S seconds are left alone (a server may be writing them); 0 when stopped.
 * Claims count as leftovers too: a live writer holds one only between receiving its bytes and writing its row
 * (milliseconds), so one older than the grace belongs to a writer that died, and with --grace 0 (no server
 * running) every claim does. The server's own sweep keeps its longer claim expiry.
 */
async function runFsck(options: { dataDir: string; repair: boolean; verifyHashes: boolean; graceSeconds: number }) {
  const store = openStoreOrFail(options.dataDir);
  try {
    const report = await fsck(store, new Date(), {
      repair: options.repair,
      verifyHashes: options.verifyHashes,
      sweep: {
        staleAfterMs: options.graceSeconds * 1000,
        claimExpiryMs: Math.min(DEFAULT_SWEEP.claimExpiryMs, options.graceSeconds * 1000),
      },
    });
    process.stdout.write(formatFsckReport(report));
    const unrepaired = options.repair ? 0 : report.orphanBlobs.length + report.temporaryFiles;
    process.exitCode = fsckHasDamage(report) || unrepaired > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}

/** The store, or one line saying why the data dir cannot be used (before anything listens). */
function openStoreOrFail(dataDir: string): Store {
  try {
    return openStore(dataDir);
  } catch (err) {
    if (err instanceof StorageUnavailableError) return fail(`Cannot start: ${err.message}`);
    return fail(`Cannot start: the store in ${dataDir} does not open: ${(err as Error).message}`);
  }
}

/**
 * `npm start` runs the server through npm, which forwards SIGTERM and SIGINT (the start script execs node,
 * so no shell sits in between) but cannot forward a SIGKILL: when npm dies, the server is re-parented.
 * Under npm, notice that and shut down as on SIGTERM instead of living on, orphaned, holding the port.
 * Run directly (a supervisor, Docker), the server never does this.
 */
function stopWithParent(stop: (reason: string) => void): void {
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop(`parent process ${parent} (npm) exited`);
  }, 500);
  timer.unref();
}

async function serve(config: ServerConfig) {
  setLogger(createLogger(config.logLevel));
  const store = openStoreOrFail(config.dataDir);
  const tls = await openTls(config);
  const externals = await openExternalSources(config.externalSources, { timeoutMs: config.externalTimeoutMs }).catch((err: Error) =>
    fail(err instanceof ExternalSourceConfigError ? `--external ${err.message}` : `external sources: ${err.message}`, 2),
  );
  const readPath = createReadPath(store, externals, { listingTtlMs: config.externalListingTtlMs, log: (line) => log.warn(line) });
  const server = createServer(SERVER_TIMEOUTS);
  const connections = manageConnections(server, { idleTimeoutMs: config.idleTimeoutMs, drainTimeoutMs: config.drainTimeoutMs });
  const tunnels = connectTunnels(server, tls.certificates);
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (connections.stopping()) return refuse(socket, 503, 'CONNECT refused: the server is shutting down');
    tunnels(req, socket, head);
  });
  const port = await listen(server, config.port, config.host, 'HTTP');

  // The optional direct TLS port: raw connections are terminated like CONNECT tunnels, into the same server.
  let httpsServer: TcpServer | undefined;
  let httpsPort: number | undefined;
  if (config.httpsPort !== undefined) {
    const fallback = await tls.certificates.contextFor(config.region); // for clients that send no server name
    httpsServer = createTcpServer({ pauseOnConnect: true }, (raw) => terminateTls(server, tls.certificates, raw, fallback));
    connections.alsoFor(httpsServer);
    httpsPort = await listen(httpsServer, config.httpsPort, config.host, 'HTTPS');
  }

  const listening = `http://${urlHost(config.host)}:${port}`;
  const final = { ...config, port, publicUrl: config.publicUrl || listening };
  const clientEnv = { proxyUrl: listening, bundleFile: tls.bundleFile };
  server.on('request', createApp(store, final, { localTls: { caPem: tls.ca.certPem, clientEnv }, stopping: connections.stopping, readPath }));
  // The ready line after every log line of the start (the log writes a turn at a time).
  flushLog();
  if (config.faults.rules.length > 0)
    console.log(
      `fault injection on (seed ${config.faults.seed}): ${config.faults.rules.map((r) => r.spec).join('; ')}; ` +
        `see ${listening}/_local/faults`,
    );
  console.log(
    `codeartifact-local listening on ${listening} (data: ${config.dataDir}, public URL: ${final.publicUrl}` +
      `${httpsPort !== undefined ? `, HTTPS port: ${httpsPort}` : ''}, TLS bundle: ${tls.bundleFile}` +
      `${tls.ca.created ? ', new local CA' : ''}); for AWS host names: eval "$(curl -s ${listening}/_local/env)"`,
  );

  log.info(
    { url: listening, publicUrl: final.publicUrl, dataDir: config.dataDir, httpsPort, logLevel: config.logLevel },
    'listening',
  );

  warmViewsSoon(['pypi/project']);
  const stopSweeper = startSweeper(store, config.sweepIntervalMs, (line) => log.info(line));

  let firstSignalAt = 0;
  const stop = (reason: string) => {
    if (connections.stopping()) {
      // A second signal cuts the drain short; not one in the same breath (Ctrl-C reaches node and npm, and
      // npm forwards it again).
      if (Date.now() - firstSignalAt > 1000) log.warn({ reason, cut: connections.cutAll() }, 'stopping now: connections cut');
      return;
    }
    firstSignalAt = Date.now();
    void connections
      .drain(reason)
      .then(() => stopSweeper())
      .then(() => store.close())
      .then(
        () => log.info('stopped'),
        (err: Error) => log.error({ err }, 'error while stopping'),
      )
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  stopWithParent(stop);
}

/** `fsck [--data-dir D] [--repair] [--verify-hashes] [--grace S]`. */
function fsckOptions(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        repair: { type: 'boolean' },
        'verify-hashes': { type: 'boolean' },
        grace: { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    return fail(`${(err as Error).message}\nUsage: node dist/server/main.js fsck [--data-dir DIR] [--repair] [--verify-hashes] [--grace S]`, 2);
  }
  const grace = values.grace ?? String(DEFAULT_SWEEP.staleAfterMs / 1000);
  if (!/^\d+$/.test(grace)) fail(`Invalid --grace: ${grace} (seconds)`, 2);
  return {
    dataDir: values['data-dir'] ?? process.env.DATA_DIR ?? './data',
    repair: values.repair === true,
    verifyHashes: values['verify-hashes'] === true,
    graceSeconds: Number(grace),
  };
}

function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === 'fsck') return void runFsck(fsckOptions(argv.slice(1)));
  const command = argv[0] === 'env' ? 'env' : 'serve';
  let config: ServerConfig;
  try {
    config = loadConfig(command === 'env' ? argv.slice(1) : argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  void (command === 'env' ? printClientEnv(config) : serve(config));
}

main();
