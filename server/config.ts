// Configuration from flags and environment. Flags win over variables; variables over defaults.
import { parseArgs } from 'node:util';
import { REGION_PATTERN } from '../core/awsHosts.js';
import { EXTERNAL_CONNECTION_NAMES } from '../core/externalConnections.js';
import { ENDPOINT_STYLES, type EndpointStyle } from '../core/context.js';
import { DEFAULT_FAULT_SEED, type FaultSettings } from './faults/injector.js';
import { FaultSpecError, MAX_RULES, parseFaultList, parseFaultSpec } from './faults/rules.js';
import { LOG_LEVELS, type LogLevel } from './log.js';

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
  /** The form of the URLs GetRepositoryEndpoint returns. */
  endpointStyle: EndpointStyle;
  /** A port for a direct TLS listener (same app, same certificates), for users with a hosts entry. */
  httpsPort: number | undefined;
  /** A CA of the user's own (PEM files) instead of the one kept in DATA_DIR/tls. Both or neither. */
  tlsCaCert: string | undefined;
  tlsCaKey: string | undefined;
  /** Upload limits of the package endpoints (each answered 413). */
  uploadLimits: { maxFileBytes: number; maxFieldBytes: number; maxFields: number };
  /** Limits of control-plane JSON bodies (each refused with a ValidationException). */
  jsonLimits: { maxBytes: number; maxDepth: number };
  /** How often leftovers (orphan blobs, staging files, stale claims) are swept, in ms; 0: only at start. */
  sweepIntervalMs: number;
  /** Fault injection (off: no rules): the rules given at start and the seed of their generators. */
  faults: FaultSettings;
  /** After SIGTERM/SIGINT, how long in-flight requests may take before their connections are cut, in ms. */
  drainTimeoutMs: number;
  /** A connection with no bytes either way for this long is closed, in ms (0: never). Replaces Node's
   *  total-time requestTimeout, which cuts slow but progressing uploads. */
  idleTimeoutMs: number;
  logLevel: LogLevel;
  /** /health reports degraded when the data dir's disk has less free space than this, in bytes (0: never). */
  minFreeDiskBytes: number;
  /** Sources of external connections: public:pypi -> an http(s) index or a file:// folder. */
  externalSources: Record<string, string>;
  /** Deadline of one request to an external source. */
  externalTimeoutMs: number;
  /** How long an external source's listing of a project is reused. */
  externalListingTtlMs: number;
  /** Whether hot reads are answered before the Express app (server/fastLane); off for comparison. */
  fastLane: boolean;
  /** Small blobs kept in memory: total bytes (0: off) and the largest file kept. */
  hotBlobs: { capacityBytes: number; maxFileBytes: number };
}

export class ConfigError extends Error {}

const USAGE = `Usage: npm start -- [--host H] [--port P] [--data-dir DIR] [--public-url URL] [--account-id ID]
                    [--region R] [--auth on|off] [--endpoint-style path|aws] [--https-port N]
                    [--tls-ca-cert FILE --tls-ca-key FILE]
                    [--max-upload-bytes N] [--max-form-bytes N] [--max-form-fields N] [--sweep-interval S]
                    [--drain-timeout S] [--idle-timeout S] [--log-level silent|error|warn|info|debug]
                    [--min-free-disk N] [--max-json-bytes N] [--max-json-depth N] [--fault SPEC]... [--fault-seed N]
                    [--external public:pypi=URL]... [--external-timeout S] [--external-ttl S]
                    [--fast-lane on|off] [--blob-cache N] [--blob-cache-file N]
       node dist/server/main.js env [--data-dir DIR] [--port P]   (shell lines for tools that hardcode AWS hosts)
       node dist/server/main.js fsck [--data-dir DIR] [--repair] [--verify-hashes] [--grace S]
Environment: HOST, PORT, DATA_DIR, PUBLIC_URL, ACCOUNT_ID, REGION, AUTH, ENDPOINT_STYLE, HTTPS_PORT,
             TLS_CA_CERT, TLS_CA_KEY, MAX_UPLOAD_BYTES, MAX_FORM_BYTES, MAX_FORM_FIELDS, SWEEP_INTERVAL,
             MAX_JSON_BYTES, MAX_JSON_DEPTH, DRAIN_TIMEOUT, IDLE_TIMEOUT, LOG_LEVEL, MIN_FREE_DISK,
             EXTERNAL_CONNECTIONS (public:pypi=URL;...), EXTERNAL_TIMEOUT, EXTERNAL_TTL,
             FAST_LANE, BLOB_CACHE, BLOB_CACHE_FILE, FAULTS (specs separated by ';'), FAULT_SEED (flags win).
Fault spec: op=NAME|route=METHOD PATH, error=CODE|status=N, [latency=MS] [retryAfter=S] [prob=P|every=N]
            [count=N] [seed=N], e.g. op=ListDomains,error=ThrottlingException,every=2
Sizes take a binary suffix: 16MiB, 5GiB (or K, M, G).`;

const UNITS: Record<string, number> = { '': 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** A byte count: digits with an optional binary suffix (16MiB, 5G). */
export function parseSize(text: string, name: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0)
    throw new ConfigError(`Invalid ${name}: ${text} (a positive number of bytes, e.g. 16MiB or 5GiB)`);
  return Number(m[1]) * unit;
}

function positiveInteger(text: string, name: string): number {
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new ConfigError(`Invalid ${name}: ${text}`);
  return Number(text);
}

/** `public:pypi=URL` entries: known connection names, http(s):// or file:// URLs, one source each. */
function externalSources(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at).trim() : '';
    const url = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!name || !url) throw new ConfigError(`Invalid --external ${entry}: expected NAME=URL, e.g. public:pypi=https://pypi.org/simple/`);
    if (!EXTERNAL_CONNECTION_NAMES.includes(name))
      throw new ConfigError(`Unknown external connection ${name}: use one of ${EXTERNAL_CONNECTION_NAMES.join(', ')}`);
    if (!/^(https?|file):\/\//i.test(url)) throw new ConfigError(`--external ${name}: ${url} is not an http(s):// or file:// URL`);
    if (out[name]) throw new ConfigError(`--external ${name} is given twice`);
    out[name] = url;
  }
  return out;
}

function seconds(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new ConfigError(`Invalid ${name}: ${text} (seconds)`);
  return Number(text);
}

function portNumber(text: string, name: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new ConfigError(`Invalid ${name}: ${text}`);
  return port;
}

function onOff(value: string, name: string): boolean {
  const v = value.toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(v)) return true;
  if (['off', 'false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(`${name} must be on or off, not '${value}'`);
}
const sizeOrZero = (text: string, name: string) => (text.trim() === '0' ? 0 : parseSize(text, name));

/** --fault SPEC (repeatable) wins over FAULTS (specs separated by ';'); --fault-seed over FAULT_SEED. */
function faultSettings(flags: string[] | undefined, variable: string | undefined, seedText: string | undefined): FaultSettings {
  let rules;
  if (flags?.length) {
    if (flags.length > MAX_RULES) throw new ConfigError(`At most ${MAX_RULES} --fault rules`);
    rules = flags.map((spec) => {
      try {
        return parseFaultSpec(spec);
      } catch (err) {
        if (err instanceof FaultSpecError) throw new ConfigError(`Invalid --fault '${spec}': ${err.message}`);
        throw err;
      }
    });
  } else {
    try {
      rules = parseFaultList(variable ?? '');
    } catch (err) {
      if (err instanceof FaultSpecError) throw new ConfigError(`Invalid FAULTS: ${err.message}`);
      throw err;
    }
  }
  const seed = seedText === undefined || seedText === '' ? DEFAULT_FAULT_SEED : Number(seedText);
  if (!/^\d*$/.test(seedText ?? '') || !Number.isInteger(seed) || seed > 2 ** 32 - 1)
    throw new ConfigError(`Invalid FAULT_SEED: ${seedText} (a whole number from 0 to 4294967295)`);
  return { seed, rules };
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
        'endpoint-style': { type: 'string' },
        'https-port': { type: 'string' },
        'tls-ca-cert': { type: 'string' },
        'tls-ca-key': { type: 'string' },
        'max-upload-bytes': { type: 'string' },
        'max-form-bytes': { type: 'string' },
        'max-form-fields': { type: 'string' },
        'sweep-interval': { type: 'string' },
        fault: { type: 'string', multiple: true },
        'fault-seed': { type: 'string' },
        'drain-timeout': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'log-level': { type: 'string' },
        'min-free-disk': { type: 'string' },
        'max-json-bytes': { type: 'string' },
        'max-json-depth': { type: 'string' },
        external: { type: 'string', multiple: true },
        'external-timeout': { type: 'string' },
        'external-ttl': { type: 'string' },
        'fast-lane': { type: 'string' },
        'blob-cache': { type: 'string' },
        'blob-cache-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new ConfigError(USAGE);
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const port = portNumber(values.port ?? env.PORT ?? '8080', 'port');
  const httpsPortText = values['https-port'] ?? env.HTTPS_PORT;
  const httpsPort = httpsPortText ? portNumber(httpsPortText, 'HTTPS port') : undefined;
  const accountId = values['account-id'] ?? env.ACCOUNT_ID ?? '000000000000';
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`ACCOUNT_ID must be 12 digits, not '${accountId}'`);
  const region = values.region ?? env.REGION ?? 'us-east-1';
  if (!REGION_PATTERN.test(region)) throw new ConfigError(`Invalid region: ${region}`);
  const publicUrl = (values['public-url'] ?? env.PUBLIC_URL ?? '').replace(/\/+$/, '');
  if (publicUrl && !/^https?:\/\/[^/]+/.test(publicUrl)) throw new ConfigError(`Invalid public URL: ${publicUrl}`);
  const endpointStyle = values['endpoint-style'] ?? env.ENDPOINT_STYLE ?? 'path';
  if (!(ENDPOINT_STYLES as string[]).includes(endpointStyle))
    throw new ConfigError(`ENDPOINT_STYLE must be ${ENDPOINT_STYLES.join(' or ')}, not '${endpointStyle}'`);
  const tlsCaCert = values['tls-ca-cert'] ?? env.TLS_CA_CERT ?? undefined;
  const tlsCaKey = values['tls-ca-key'] ?? env.TLS_CA_KEY ?? undefined;
  if (Boolean(tlsCaCert) !== Boolean(tlsCaKey))
    throw new ConfigError('--tls-ca-cert and --tls-ca-key go together: give both files or neither');
  const logLevel = (values['log-level'] ?? env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not '${logLevel}'`);
  const minFreeDisk = values['min-free-disk'] ?? env.MIN_FREE_DISK ?? '100MiB';
  return {
    host,
    port,
    dataDir: values['data-dir'] ?? env.DATA_DIR ?? './data',
    // Empty means "derive from the address actually bound" (see main.ts), so --port 0 works.
    publicUrl,
    accountId,
    region,
    auth: onOff(values.auth ?? env.AUTH ?? 'on', 'AUTH'),
    endpointStyle: endpointStyle as EndpointStyle,
    httpsPort,
    tlsCaCert: tlsCaCert || undefined,
    tlsCaKey: tlsCaKey || undefined,
    uploadLimits: {
      maxFileBytes: parseSize(values['max-upload-bytes'] ?? env.MAX_UPLOAD_BYTES ?? '5GiB', 'MAX_UPLOAD_BYTES'),
      maxFieldBytes: parseSize(values['max-form-bytes'] ?? env.MAX_FORM_BYTES ?? '16MiB', 'MAX_FORM_BYTES'),
      maxFields: positiveInteger(values['max-form-fields'] ?? env.MAX_FORM_FIELDS ?? '1000', 'MAX_FORM_FIELDS'),
    },
    jsonLimits: {
      maxBytes: parseSize(values['max-json-bytes'] ?? env.MAX_JSON_BYTES ?? '1MiB', 'MAX_JSON_BYTES'),
      maxDepth: positiveInteger(values['max-json-depth'] ?? env.MAX_JSON_DEPTH ?? '32', 'MAX_JSON_DEPTH'),
    },
    sweepIntervalMs: seconds(values['sweep-interval'] ?? env.SWEEP_INTERVAL ?? '3600', 'SWEEP_INTERVAL') * 1000,
    faults: faultSettings(values.fault, env.FAULTS, values['fault-seed'] ?? env.FAULT_SEED),
    drainTimeoutMs: seconds(values['drain-timeout'] ?? env.DRAIN_TIMEOUT ?? '30', 'DRAIN_TIMEOUT') * 1000,
    idleTimeoutMs: seconds(values['idle-timeout'] ?? env.IDLE_TIMEOUT ?? '60', 'IDLE_TIMEOUT') * 1000,
    logLevel: logLevel as LogLevel,
    minFreeDiskBytes: minFreeDisk.trim() === '0' ? 0 : parseSize(minFreeDisk, 'MIN_FREE_DISK'),
    externalSources: externalSources(values.external ?? (env.EXTERNAL_CONNECTIONS ?? '').split(';').filter((x) => x.trim())),
    externalTimeoutMs: positiveInteger(values['external-timeout'] ?? env.EXTERNAL_TIMEOUT ?? '30', 'EXTERNAL_TIMEOUT') * 1000,
    externalListingTtlMs: seconds(values['external-ttl'] ?? env.EXTERNAL_TTL ?? '300', 'EXTERNAL_TTL') * 1000,
    fastLane: onOff(values['fast-lane'] ?? env.FAST_LANE ?? 'on', 'FAST_LANE'),
    hotBlobs: {
      capacityBytes: sizeOrZero(values['blob-cache'] ?? env.BLOB_CACHE ?? '64MiB', 'BLOB_CACHE'),
      maxFileBytes: parseSize(values['blob-cache-file'] ?? env.BLOB_CACHE_FILE ?? '1MiB', 'BLOB_CACHE_FILE'),
    },
  };
}
