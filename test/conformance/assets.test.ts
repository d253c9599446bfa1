// Assets: ListPackageVersionAssets (sizes and MD5/SHA-1/SHA-256/SHA-512) and GetPackageVersionAsset
// (streamed bytes, exact Content-Length, X-AssetName / X-PackageVersion / X-PackageVersionRevision).
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  expectError,
  expectWireError,
  hashesOf,
  pkgOf,
  publish,
  rawRequest,
  sha256,
  useConformanceServer,
  type GenericCoordinates,
} from './helpers.js';

const ctx = useConformanceServer('ast');
const at: GenericCoordinates = {
  domain: ctx.domain,
  repository: ctx.repository,
  namespace: 'files',
  package: 'bundle',
};

const small = Buffer.from('small text asset\n');
const binary = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
const large = randomBytes(3 * 1024 * 1024 + 17);
let revision: string;

beforeAll(async () => {
  await publish(ctx.ca, at, '1.0.0', 'small.txt', small, { unfinished: true });
  await publish(ctx.ca, at, '1.0.0', 'all bytes.bin', binary, { unfinished: true });
  revision = (await publish(ctx.ca, at, '1.0.0', 'large.dat', large)).versionRevision!;
});

const ver = (packageVersion = '1.0.0') => ({ ...pkgOf(at), packageVersion });

/** GetPackageVersionAsset of 1.0.0 as a raw, signed request: the wire, not what the SDK makes of it. */
const rawGetAsset = (asset: string) =>
  rawRequest(ctx.server, 'GET', '/v1/package/version/asset', {
    query: {
      domain: at.domain,
      repository: at.repository,
      format: 'generic',
      namespace: at.namespace,
      package: at.package,
      version: '1.0.0',
      asset,
    },
  });

describe('ListPackageVersionAssets', () => {
  it('lists every asset with its size and four lowercase hex hashes', async () => {
    const out = await ctx.ca.listPackageVersionAssets(ver());
    expect(out.format).toBe('generic');
    expect(out.namespace).toBe('files');
    expect(out.package).toBe('bundle');
    expect(out.version).toBe('1.0.0');
    expect(out.versionRevision).toBe(revision);
    const byName = new Map((out.assets ?? []).map((a) => [a.name!, a]));
    expect([...byName.keys()].sort()).toEqual(['all bytes.bin', 'large.dat', 'small.txt']);
    for (const [name, content] of [
      ['small.txt', small],
      ['all bytes.bin', binary],
      ['large.dat', large],
    ] as const) {
      const asset = byName.get(name)!;
      expect(asset.size).toBe(content.length);
      expect(asset.hashes).toEqual(hashesOf(content));
      for (const value of Object.values(asset.hashes!)) expect(value).toMatch(/^[0-9a-f]+$/);
    }
    expect(out.nextToken).toBeUndefined();
  });

  it('unknown version or package is a ResourceNotFoundException', async () => {
    await expectError(ctx.ca.listPackageVersionAssets(ver('0.0.1')), 'ResourceNotFoundException');
    await expectError(
      ctx.ca.listPackageVersionAssets({ ...ver(), package: 'no-such-package' }),
      'ResourceNotFoundException',
    );
  });
});

describe('GetPackageVersionAsset', () => {
  it('streams the exact bytes and exposes the asset headers', async () => {
    const out = await ctx.ca.getPackageVersionAsset({ ...ver(), asset: 'small.txt' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toBeTruthy();
    expect(out.assetName).toBe('small.txt');
    expect(out.packageVersion).toBe('1.0.0');
    expect(out.packageVersionRevision).toBe(revision);
    const bytes = Buffer.from(await out.asset!.transformToByteArray());
    expect(bytes.equals(small)).toBe(true);
  });

  it('names outside printable ASCII come back percent-encoded in the headers; decodeURIComponent gives them back', async () => {
    const name = 'données-日本.txt';
    const version = '1.0.0-ü';
    await publish(ctx.ca, at, version, name, small);
    const out = await ctx.ca.getPackageVersionAsset({ ...ver(version), asset: name });
    // The SDK hands header members over as received (it decodes none).
    expect(out.assetName).toBe('donn%C3%A9es-%E6%97%A5%E6%9C%AC.txt');
    expect(decodeURIComponent(out.assetName!)).toBe(name);
    expect(decodeURIComponent(out.packageVersion!)).toBe(version);
    expect(Buffer.from(await out.asset!.transformToByteArray()).equals(small)).toBe(true);
  });

  it('round-trips every byte value and a multi-megabyte asset', async () => {
    const bin = await ctx.ca.getPackageVersionAsset({ ...ver(), asset: 'all bytes.bin' });
    expect(bin.assetName).toBe('all bytes.bin');
    expect(Buffer.from(await bin.asset!.transformToByteArray()).equals(binary)).toBe(true);
    const big = await ctx.ca.getPackageVersionAsset({ ...ver(), asset: 'large.dat' });
    const bytes = Buffer.from(await big.asset!.transformToByteArray());
    expect(bytes.length).toBe(large.length);
    expect(sha256(bytes)).toBe(sha256(large));
  });

  it('sends an exact Content-Length and the X-* headers on the wire', async () => {
    const res = await rawGetAsset('large.dat');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(large.length));
    expect(res.headers.get('x-assetname')).toBe('large.dat');
    expect(res.headers.get('x-packageversion')).toBe('1.0.0');
    expect(res.headers.get('x-packageversionrevision')).toBe(revision);
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(res.body.equals(large)).toBe(true);
  });

  it('accepts the current revision', async () => {
    const out = await ctx.ca.getPackageVersionAsset({ ...ver(), asset: 'small.txt', packageVersionRevision: revision });
    expect(Buffer.from(await out.asset!.transformToByteArray()).equals(small)).toBe(true);
  });

  it('an asset of an Unfinished version can be downloaded', async () => {
    await publish(ctx.ca, at, '2.0.0-rc', 'draft.txt', 'draft', { unfinished: true });
    const out = await ctx.ca.getPackageVersionAsset({ ...ver('2.0.0-rc'), asset: 'draft.txt' });
    expect(Buffer.from(await out.asset!.transformToByteArray()).toString()).toBe('draft');
  });

  it('unknown asset, version or package is a ResourceNotFoundException', async () => {
    const err = await expectError(
      ctx.ca.getPackageVersionAsset({ ...ver(), asset: 'missing.txt' }),
      'ResourceNotFoundException',
    );
    expect(err.resourceType).toBe('asset');
    await expectError(
      ctx.ca.getPackageVersionAsset({ ...ver('9.9.9'), asset: 'small.txt' }),
      'ResourceNotFoundException',
    );
    await expectError(
      ctx.ca.getPackageVersionAsset({ ...ver(), package: 'other', asset: 'small.txt' }),
      'ResourceNotFoundException',
    );
  });

  it('an unknown asset is a JSON error on the wire, not a stream', async () => {
    const res = await rawGetAsset('missing.txt');
    expectWireError(res, 'ResourceNotFoundException');
  });
});
