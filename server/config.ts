// Configuration from flags and environment. Flags win over variables; variables over defaults.
import { parseArgs } from 'node:util';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Base of every URL handed out, no trailing slash. */
  publicUrl: string;
  accountId: string;
  region: string;
  /** Whether package endpoints require an authorization token. */
  auth: boolean;
}

export class ConfigError extends Error {}

const USAGE = `Usage: npm start -- [--host H] [--port P] [--data-dir DIR] [--public-url URL] [--account-id ID]
                    [--region R] [--auth on|off]
Environment: HOST, PORT, DATA_DIR, PUBLIC_URL, ACCOUNT_ID, REGION, AUTH (flags win).`;

function onOff(value: string, name: string): boolean {
  const v = value.toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(v)) return true;
  if (['off', 'false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(`${name} must be on or off, not '${value}'`);
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'public-url': { type: 'string' },
        'account-id': { type: 'string' },
        region: { type: 'string' },
        auth: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new ConfigError(USAGE);
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const portText = values.port ?? env.PORT ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new ConfigError(`Invalid port: ${portText}`);
  const accountId = values['account-id'] ?? env.ACCOUNT_ID ?? '000000000000';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`ACCOUNT_ID must be 12 digits, not '${accountId}'`);
  const region = values.region ?? env.REGION ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`Invalid region: ${region}`);
  const publicUrl = (values['public-url'] ?? env.PUBLIC_URL ?? '').replace(/\/+$/, '');
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new ConfigError(`Invalid public URL: ${publicUrl}`);
  return {
    host,
    port,
    dataDir: values['data-dir'] ?? env.DATA_DIR ?? './data',
    // Empty means "derive from the address actually bound" (see main.ts), so --port 0 works.
    publicUrl,
    accountId,
    region,
    auth: onOff(values.auth ?? env.AUTH ?? 'on', 'AUTH'),
  };
}
