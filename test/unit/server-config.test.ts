import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { regionFromAuthorization } from '../../server/context.js';
import { parseDomainSegment, tokenFromAuthorization } from '../../server/packageEndpoints.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig([], {})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      dataDir: './data',
      publicUrl: '',
      accountId: '000000000000',
      region: 'us-east-1',
      auth: true,
      endpointStyle: 'path',
      httpsPort: undefined,
      tlsCaCert: undefined,
      tlsCaKey: undefined,
      uploadLimits: { maxFileBytes: 5 * 1024 ** 3, maxFieldBytes: 16 * 1024 ** 2, maxFields: 1000 },
      jsonLimits: { maxBytes: 1024 ** 2, maxDepth: 32 },
      sweepIntervalMs: 3_600_000,
      faults: { seed: 1, rules: [] },
      drainTimeoutMs: 30_000,
      idleTimeoutMs: 60_000,
      logLevel: 'info',
      minFreeDiskBytes: 100 * 1024 ** 2,
      externalSources: {},
      externalTimeoutMs: 30_000,
      externalListingTtlMs: 300_000,
      fastLane: true,
      hotBlobs: { capacityBytes: 64 * 1024 ** 2, maxFileBytes: 1024 ** 2 },
    });
  });

  it('takes the drain and idle timeouts, the log level and the free-space floor', () => {
    expect(
      loadConfig(['--drain-timeout', '5', '--idle-timeout', '0', '--log-level', 'DEBUG'], { MIN_FREE_DISK: '0' }),
    ).toMatchObject({ drainTimeoutMs: 5000, idleTimeoutMs: 0, logLevel: 'debug', minFreeDiskBytes: 0 });
    expect(loadConfig([], { DRAIN_TIMEOUT: '2', LOG_LEVEL: 'silent', MIN_FREE_DISK: '1GiB' })).toMatchObject({
      drainTimeoutMs: 2000,
      logLevel: 'silent',
      minFreeDiskBytes: 1024 ** 3,
    });
    expect(() => loadConfig(['--log-level', 'verbose'], {})).toThrow(/silent, error, warn, info, debug/);
    expect(() => loadConfig(['--drain-timeout', '1.5'], {})).toThrow(/Invalid DRAIN_TIMEOUT/);
    expect(() => loadConfig(['--idle-timeout=-1'], {})).toThrow(/Invalid IDLE_TIMEOUT/);
  });

  it('takes the control plane JSON limits from flags or the environment', () => {
    expect(loadConfig(['--max-json-bytes', '64k'], { MAX_JSON_DEPTH: '8' }).jsonLimits).toEqual({ maxBytes: 64 * 1024, maxDepth: 8 });
    expect(() => loadConfig(['--max-json-depth', 'deep'], {})).toThrow(/Invalid MAX_JSON_DEPTH/);
  });

  it('switches the fast lane and sizes the blob cache (0 turns it off)', () => {
    expect(loadConfig(['--fast-lane', 'off'], {}).fastLane).toBe(false);
    expect(loadConfig([], { FAST_LANE: 'off' }).fastLane).toBe(false);
    expect(loadConfig(['--blob-cache', '0'], {}).hotBlobs.capacityBytes).toBe(0);
    expect(loadConfig([], { BLOB_CACHE: '8MiB', BLOB_CACHE_FILE: '256k' }).hotBlobs).toEqual({ capacityBytes: 8 * 1024 ** 2, maxFileBytes: 256 * 1024 });
    expect(() => loadConfig(['--fast-lane', 'maybe'], {})).toThrow(/FAST_LANE must be on or off/);
    expect(() => loadConfig(['--blob-cache', 'lots'], {})).toThrow(/Invalid BLOB_CACHE/);
  });

  it('takes external connection sources from repeated flags or the environment', () => {
    expect(loadConfig(['--external', 'public:pypi=https://pypi.org/simple/', '--external', 'public:npmjs=file:///srv/npm'], {}).externalSources).toEqual({
      'public:pypi': 'https://pypi.org/simple/',
      'public:npmjs': 'file:///srv/npm',
    });
    expect(loadConfig([], { EXTERNAL_CONNECTIONS: 'public:pypi=file:///wheels; public:crates-io=http://127.0.0.1:1/' }).externalSources).toEqual({
      'public:pypi': 'file:///wheels',
      'public:crates-io': 'http://127.0.0.1:1/',
    });
    expect(() => loadConfig(['--external', 'public:pypy=http://x/'], {})).toThrow(/Unknown external connection public:pypy/);
    expect(() => loadConfig(['--external', 'public:pypi'], {})).toThrow(/expected NAME=URL/);
    expect(() => loadConfig(['--external', 'public:pypi=ftp://x/'], {})).toThrow(/not an http/);
  });

  it('takes upload limits with binary suffixes, and refuses nonsense', () => {
    expect(loadConfig(['--max-upload-bytes', '100MiB', '--max-form-bytes', '512k'], { MAX_FORM_FIELDS: '50' }).uploadLimits).toEqual({
      maxFileBytes: 100 * 1024 ** 2,
      maxFieldBytes: 512 * 1024,
      maxFields: 50,
    });
    expect(() => loadConfig(['--max-upload-bytes', '5 TB'], {})).toThrow(/Invalid MAX_UPLOAD_BYTES/);
    expect(() => loadConfig(['--max-form-fields', '0'], {})).toThrow(/Invalid MAX_FORM_FIELDS/);
  });

  it('takes the endpoint style, the HTTPS port and a CA pair from flags or the environment', () => {
    expect(loadConfig(['--endpoint-style', 'aws', '--https-port', '8443'], {})).toMatchObject({
      endpointStyle: 'aws',
      httpsPort: 8443,
    });
    expect(loadConfig([], { ENDPOINT_STYLE: 'aws', HTTPS_PORT: '0', TLS_CA_CERT: '/c.pem', TLS_CA_KEY: '/k.pem' })).toMatchObject({
      endpointStyle: 'aws',
      httpsPort: 0,
      tlsCaCert: '/c.pem',
      tlsCaKey: '/k.pem',
    });
    expect(() => loadConfig(['--endpoint-style', 'virtual'], {})).toThrow(/path or aws/);
    expect(() => loadConfig(['--https-port', '70000'], {})).toThrow(/Invalid HTTPS port/);
    expect(() => loadConfig(['--tls-ca-key', '/k.pem'], {})).toThrow(/go together/);
  });

  it('takes flags over environment variables', () => {
    const env = { PORT: '9000', DATA_DIR: '/env', PUBLIC_URL: 'http://env:1/', AUTH: 'off', REGION: 'eu-west-1' };
    const c = loadConfig(['--port', '9001', '--data-dir', '/flag', '--public-url', 'https://ca.example.com/'], env);
    expect(c).toMatchObject({ port: 9001, dataDir: '/flag', publicUrl: 'https://ca.example.com', auth: false, region: 'eu-west-1' });
  });

  it('rejects bad values with a message', () => {
    expect(() => loadConfig(['--port', 'x'], {})).toThrow(ConfigError);
    expect(() => loadConfig([], { ACCOUNT_ID: '123' })).toThrow(/12 digits/);
    expect(() => loadConfig(['--auth', 'maybe'], {})).toThrow(/on or off/);
    expect(() => loadConfig(['--nope'], {})).toThrow(ConfigError);
  });
});

describe('request parsing helpers', () => {
  it('reads the region from a SigV4 credential scope', () => {
    const h =
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/eu-central-1/codeartifact/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
    expect(regionFromAuthorization(h)).toBe('eu-central-1');
    expect(regionFromAuthorization('Basic xyz')).toBeUndefined();
    expect(regionFromAuthorization(undefined)).toBeUndefined();
  });

  it('takes tokens from Basic (any user) and Bearer', () => {
    expect(tokenFromAuthorization(`Basic ${Buffer.from('aws:tok.en-1').toString('base64')}`)).toBe('tok.en-1');
    expect(tokenFromAuthorization('Bearer abc')).toBe('abc');
    expect(tokenFromAuthorization('Digest abc')).toBeUndefined();
    expect(tokenFromAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
  });

  it('splits {domain}-{owner} at the 12-digit owner', () => {
    expect(parseDomainSegment('my-domain-000000000000')).toEqual({ domain: 'my-domain', owner: '000000000000' });
    expect(parseDomainSegment('my-domain')).toBeUndefined();
  });
});
