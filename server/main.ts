#!/usr/bin/env node
// CLI entry: `npm start` (node dist/server/main.js). Opens DATA_DIR, listens, prints one ready line,
// and on SIGTERM/SIGINT lets in-flight requests finish before closing the database.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStore } from '../storage/store.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type ServerConfig } from './config.js';

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function main() {
  let config: ServerConfig;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const store = openStore(config.dataDir);
  const server = createServer();
  server.on('error', (err) => {
    console.error(`cannot listen on ${config.host}:${config.port}: ${err.message}`);
    store.close();
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const listening = `http://${urlHost(config.host)}:${port}`;
    const final = { ...config, port, publicUrl: config.publicUrl || listening };
    server.on('request', createApp(store, final));
    console.log(`codeartifact-local listening on ${listening} (data: ${config.dataDir}, public URL: ${final.publicUrl})`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests`);
    server.close(() => {
      store.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    // A client holding a connection open must not keep us alive forever.
    setTimeout(() => {
      server.closeAllConnections();
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
