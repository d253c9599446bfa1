// GetAuthorizationToken and GetRepositoryEndpoint.
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  clientFor,
  domainWithRepository,
  expectError,
  expectFieldValidation,
  rawRequest,
  startConformanceServer,
  uniq,
  useConformanceServer,
} from './helpers.js';

const ctx = useConformanceServer('tok');
/** This file's domain and its one repository, created before the first test. */
const { domain, repository } = ctx;

const TWELVE_HOURS = 43200;

/** Seconds from now until `expiration`. */
const secondsLeft = (expiration: Date | undefined) => (expiration!.getTime() - Date.now()) / 1000;

describe('GetAuthorizationToken', () => {
  it('returns a URL-safe random token that expires in 12 hours by default', async () => {
    const out = await ctx.ca.getAuthorizationToken({ domain });
    expect(out.$metadata.httpStatusCode).toBe(200);
    const token = out.authorizationToken!;
    expect(typeof token).toBe('string');
    expect(token.length).toBeGreaterThanOrEqual(32);
    // Travels unescaped as the password in pip's index URL.
    expect(token).toMatch(/^[A-Za-z0-9\-._~]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(out.expiration).toBeInstanceOf(Date);
    expect(Math.abs(secondsLeft(out.expiration) - TWELVE_HOURS)).toBeLessThan(60);
  });

  it('hands out a different token on every call', async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) tokens.add((await ctx.ca.getAuthorizationToken({ domain })).authorizationToken!);
    expect(tokens.size).toBe(5);
  });

  it('duration 0 means the default of 12 hours', async () => {
    const out = await ctx.ca.getAuthorizationToken({ domain, durationSeconds: 0 });
    expect(Math.abs(secondsLeft(out.expiration) - TWELVE_HOURS)).toBeLessThan(60);
  });

  it.each([900, 3600, 43200])('duration %i sets the expiration', async (durationSeconds) => {
    const out = await ctx.ca.getAuthorizationToken({ domain, durationSeconds, domainOwner: ACCOUNT });
    expect(Math.abs(secondsLeft(out.expiration) - durationSeconds)).toBeLessThan(60);
  });

  it.each([1, 60, 899, 43201, 100000])('duration %i is a ValidationException', async (durationSeconds) => {
    await expectFieldValidation(ctx.ca.getAuthorizationToken({ domain, durationSeconds }));
  });

  it('a negative duration is a ValidationException', async () => {
    await expectError(ctx.ca.getAuthorizationToken({ domain, durationSeconds: -1 }), 'ValidationException');
  });

  it('an unknown domain is a ResourceNotFoundException', async () => {
    await expectError(ctx.ca.getAuthorizationToken({ domain: uniq('nodom') }), 'ResourceNotFoundException');
  });

  it('the expiration is epoch seconds on the wire', async () => {
    const res = await rawRequest(ctx.server, 'POST', '/v1/authorization-token', { query: { domain, duration: 900 } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(typeof res.json.authorizationToken).toBe('string');
    expect(typeof res.json.expiration).toBe('number');
    expect(Math.abs(res.json.expiration - (Date.now() / 1000 + 900))).toBeLessThan(60);
  });
});

describe('tokens are stored: the repository endpoint accepts them', () => {
  const get = async (url: string, token?: string) =>
    fetch(url, token ? { headers: { authorization: `Basic ${Buffer.from(`aws:${token}`).toString('base64')}` } } : {});

  it('a token from GetAuthorizationToken opens its domain; none or a forged one is a 401', async () => {
    const endpoint = (await ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'pypi' })).repositoryEndpoint!;
    const url = `${endpoint}simple/some-project/`;
    const token = (await ctx.ca.getAuthorizationToken({ domain, durationSeconds: 900 })).authorizationToken!;
    const ok = await get(url, token);
    expect([401, 403]).not.toContain(ok.status);
    const none = await get(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate') ?? '').toMatch(/Basic/);
    expect((await get(url, `${token}x`)).status).toBe(401);
    expect((await get(url, 'eyJ2ZXIiOjF9.forged')).status).toBe(401);
  });

  it('a token of another domain does not open this one', async () => {
    const other = await domainWithRepository(ctx.ca, 'tok2');
    const foreign = (await ctx.ca.getAuthorizationToken({ domain: other.domain })).authorizationToken!;
    const endpoint = (await ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'pypi' })).repositoryEndpoint!;
    const res = await get(`${endpoint}simple/some-project/`, foreign);
    expect([401, 403]).toContain(res.status);
  });
});

describe('GetRepositoryEndpoint', () => {
  const formats = ['npm', 'pypi', 'maven', 'nuget', 'generic', 'ruby', 'swift', 'cargo'] as const;

  it.each(formats)('returns {PUBLIC_URL}/%s/d/{domain}-{owner}/{repo}/', async (format) => {
    const out = await ctx.ca.getRepositoryEndpoint({ domain, repository, format });
    expect(out.repositoryEndpoint).toBe(`${ctx.server.url}/${format}/d/${domain}-${ACCOUNT}/${repository}/`);
  });

  it('defaults PUBLIC_URL to the server\'s own http://127.0.0.1:PORT', async () => {
    const out = await ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'generic' });
    expect(out.repositoryEndpoint!.startsWith(`http://127.0.0.1:${ctx.server.port}/generic/d/`)).toBe(true);
  });

  it('accepts endpointType ipv4 and the explicit owner', async () => {
    const out = await ctx.ca.getRepositoryEndpoint({
      domain,
      domainOwner: ACCOUNT,
      repository,
      format: 'pypi',
      endpointType: 'ipv4',
    });
    expect(out.repositoryEndpoint).toBe(`${ctx.server.url}/pypi/d/${domain}-${ACCOUNT}/${repository}/`);
  });

  it('accepts endpointType dualstack and still ends with a slash', async () => {
    const out = await ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'pypi', endpointType: 'dualstack' });
    expect(out.repositoryEndpoint).toMatch(/^https?:\/\/.+\/$/);
    expect(out.repositoryEndpoint).toContain(`/${repository}/`);
  });

  it('an unknown repository or domain is a ResourceNotFoundException', async () => {
    await expectError(
      ctx.ca.getRepositoryEndpoint({ domain, repository: 'no-such-repo', format: 'pypi' }),
      'ResourceNotFoundException',
    );
    await expectError(
      ctx.ca.getRepositoryEndpoint({ domain: uniq('nodom'), repository, format: 'pypi' }),
      'ResourceNotFoundException',
    );
  });

  it('an unknown format or endpoint type is a ValidationException', async () => {
    await expectFieldValidation(ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'rubygems' as 'ruby' }));
    await expectFieldValidation(
      ctx.ca.getRepositoryEndpoint({ domain, repository, format: 'pypi', endpointType: 'ipv6' as 'ipv4' }),
    );
  });
});

describe('PUBLIC_URL', () => {
  it('is the base of every repository endpoint when set', async () => {
    const other = await startConformanceServer({ env: { PUBLIC_URL: 'https://artifacts.example.test:8443' } });
    try {
      const client = clientFor(other);
      const d = uniq('pub');
      await client.createDomain({ domain: d });
      await client.createRepository({ domain: d, repository: 'main' });
      const out = await client.getRepositoryEndpoint({ domain: d, repository: 'main', format: 'pypi' });
      expect(out.repositoryEndpoint).toBe(`https://artifacts.example.test:8443/pypi/d/${d}-${ACCOUNT}/main/`);
    } finally {
      await other.destroy();
    }
  });
});
