// Plain-HTTP helpers for the PyPI acceptance suites: control-plane setup and read-back (rest-json, as the SDKs
// call it), raw requests to the PyPI endpoint (any Host header, any body, even a broken one), hand-made
// legacy-upload forms, and a snapshot of what the store holds, to prove a rejected request changed nothing.
import http from 'node:http';
import path from 'node:path';
import { expect } from 'vitest';
import { listFiles } from '../../support/files.js';
import type { AssetHashes, Dist } from './fixtures.js';

export const ACCOUNT = '000000000000';

export interface HttpResult {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
}

/** One HTTP/1.1 request with node:http (which, unlike fetch, lets a test set Host). Never follows redirects. */
export function request(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const headers: Record<string, string | number> = { ...options.headers };
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['Content-Length'] = body.length;
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          headers: res.headers,
          body: data,
          text: data.toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${options.method ?? 'GET'} ${url}`)));
    req.end(body);
  });
}

export const basic = (token: string, user = 'aws') => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

export function describeHttp(what: string, r: HttpResult): string {
  return `${what} → ${r.status} ${r.statusMessage}\n${JSON.stringify(r.headers)}\n${r.text.slice(0, 2000)}`;
}

export function expectStatus(what: string, r: HttpResult, status: number) {
  expect(r.status, describeHttp(what, r)).toBe(status);
}

// ------------------------------------------------------------------------------------------------------------
// Control plane
// ------------------------------------------------------------------------------------------------------------

export interface PackageVersionSummary {
  version: string;
  revision: string;
  status: string;
}

export interface PackageVersionOrigin {
  originType?: string;
  domainEntryPoint?: { repositoryName?: string; externalConnectionName?: string };
}

export interface Asset {
  name: string;
  size: number;
  hashes: AssetHashes;
}

export interface Dependency {
  namespace?: string;
  package: string;
  dependencyType?: string;
  versionRequirement?: string;
}

/** A package's own origin restrictions (PutPackageOriginConfiguration). */
export interface OriginRestrictions {
  publish: 'ALLOW' | 'BLOCK';
  upstream: 'ALLOW' | 'BLOCK';
}

/** A package group's modes (UpdatePackageGroupOriginConfiguration); types left out are unchanged. */
export type GroupRestrictions = Partial<
  Record<'PUBLISH' | 'EXTERNAL_UPSTREAM' | 'INTERNAL_UPSTREAM', 'ALLOW' | 'BLOCK' | 'ALLOW_SPECIFIC_REPOSITORIES' | 'INHERIT'>
>;

export class ControlPlane {
  constructor(readonly url: string) {}

  /** One operation, whatever it answers (for the error cases); `call` is the same, for operations that succeed. */
  send(method: string, route: string, query: Record<string, string | undefined>, body?: unknown): Promise<HttpResult> {
    const qs = new URLSearchParams(
      Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined),
    ).toString();
    return request(`${this.url}/v1/${route}?${qs}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async call(method: string, route: string, query: Record<string, string | undefined>, body?: unknown): Promise<any> {
    const r = await this.send(method, route, query, body);
    if (r.status < 200 || r.status > 299) {
      const qs = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
      throw new Error(describeHttp(`${method} /v1/${route}?${qs}`, r));
    }
    return r.text ? JSON.parse(r.text) : {};
  }

  createDomain(domain: string) {
    return this.call('POST', 'domain', { domain }, {});
  }

  /** CreateRepository; `upstreams` in priority order. */
  createRepository(domain: string, repository: string, upstreams: string[] = []) {
    const body = upstreams.length > 0 ? { upstreams: upstreams.map((repositoryName) => ({ repositoryName })) } : {};
    return this.call('POST', 'repository', { domain, repository }, body);
  }

  /** UpdateRepository of the upstreams only, whatever it answers. */
  updateUpstreams(domain: string, repository: string, upstreams: string[]): Promise<HttpResult> {
    return this.send('PUT', 'repository', { domain, repository }, {
      upstreams: upstreams.map((repositoryName) => ({ repositoryName })),
    });
  }

  /** DescribeRepository's upstream names, in order. */
  async upstreams(domain: string, repository: string): Promise<string[]> {
    const r = await this.call('GET', 'repository', { domain, repository });
    return ((r.repository.upstreams ?? []) as { repositoryName: string }[]).map((u) => u.repositoryName);
  }

  async token(domain: string): Promise<string> {
    const r = await this.call('POST', 'authorization-token', { domain });
    expect(r.authorizationToken, JSON.stringify(r)).toEqual(expect.any(String));
    return r.authorizationToken as string;
  }

  async endpoint(domain: string, repository: string): Promise<string> {
    const r = await this.call('GET', 'repository/endpoint', { domain, repository, format: 'pypi' });
    return r.repositoryEndpoint as string;
  }

  async packages(domain: string, repository: string): Promise<string[]> {
    const r = await this.call('POST', 'packages', { domain, repository });
    return (r.packages as { format: string; package: string }[])
      .filter((p) => p.format === 'pypi')
      .map((p) => p.package)
      .sort();
  }

  async versions(domain: string, repository: string, pkg: string): Promise<PackageVersionSummary[]> {
    const r = await this.call('POST', 'package/versions', { domain, repository, format: 'pypi', package: pkg });
    return (r.versions as PackageVersionSummary[]).map((v) => ({
      version: v.version,
      revision: v.revision,
      status: v.status,
    }));
  }

  async versionStatuses(domain: string, repository: string, pkg: string): Promise<Record<string, string>> {
    const list = await this.versions(domain, repository, pkg);
    return Object.fromEntries(list.map((v) => [v.version, v.status]));
  }

  async assets(domain: string, repository: string, pkg: string, version: string): Promise<Asset[]> {
    const r = await this.call('POST', 'package/version/assets', {
      domain,
      repository,
      format: 'pypi',
      package: pkg,
      version,
    });
    return (r.assets as Asset[]).sort((a, b) => a.name.localeCompare(b.name));
  }

  async dependencies(domain: string, repository: string, pkg: string, version: string): Promise<Dependency[]> {
    const r = await this.call('POST', 'package/version/dependencies', {
      domain,
      repository,
      format: 'pypi',
      package: pkg,
      version,
    });
    return r.dependencies as Dependency[];
  }

  async readme(domain: string, repository: string, pkg: string, version: string): Promise<string | undefined> {
    const r = await this.call('GET', 'package/version/readme', {
      domain,
      repository,
      format: 'pypi',
      package: pkg,
      version,
    });
    return r.readme as string | undefined;
  }

  describeVersion(domain: string, repository: string, pkg: string, version: string): Promise<any> {
    return this.call('GET', 'package/version', { domain, repository, format: 'pypi', package: pkg, version }).then(
      (r) => r.packageVersion,
    );
  }

  async assetBytes(domain: string, repository: string, pkg: string, version: string, asset: string): Promise<Buffer> {
    const qs = new URLSearchParams({ domain, repository, format: 'pypi', package: pkg, version, asset });
    const r = await request(`${this.url}/v1/package/version/asset?${qs}`);
    if (r.status !== 200) throw new Error(describeHttp(`GetPackageVersionAsset ${asset}`, r));
    return r.body;
  }

  /** ListPackageVersions: each version's `origin` as the control plane reports it. */
  async versionOrigins(domain: string, repository: string, pkg: string): Promise<Record<string, PackageVersionOrigin>> {
    const r = await this.call('POST', 'package/versions', { domain, repository, format: 'pypi', package: pkg });
    return Object.fromEntries((r.versions as { version: string; origin: PackageVersionOrigin }[]).map((v) => [v.version, v.origin]));
  }

  /** DescribePackage's `package` (name, originConfiguration.restrictions). */
  describePackage(domain: string, repository: string, pkg: string): Promise<any> {
    return this.call('GET', 'package', { domain, repository, format: 'pypi', package: pkg }).then((r) => r.package);
  }

  /** DeletePackageVersions; returns {successfulVersions, failedVersions}. */
  deleteVersions(domain: string, repository: string, pkg: string, versions: string[]): Promise<any> {
    return this.call('POST', 'package/versions/delete', { domain, repository, format: 'pypi', package: pkg }, { versions });
  }

  /** DescribeRepository's `repository` (upstreams, externalConnections). */
  describeRepository(domain: string, repository: string): Promise<any> {
    return this.call('GET', 'repository', { domain, repository }).then((r) => r.repository);
  }

  /** AssociateExternalConnection, e.g. public:pypi; returns the repository's description. */
  associateExternalConnection(domain: string, repository: string, externalConnection: string): Promise<any> {
    return this.call('POST', 'repository/external-connection', {
      domain,
      repository,
      'external-connection': externalConnection,
    }).then((r) => r.repository);
  }

  /** PutPackageOriginConfiguration, whatever it answers. */
  sendOriginConfiguration(domain: string, repository: string, pkg: string, restrictions: OriginRestrictions) {
    return this.send('POST', 'package', { domain, repository, format: 'pypi', package: pkg }, { restrictions });
  }

  /** PutPackageOriginConfiguration; returns the configuration it reports. */
  putOriginConfiguration(domain: string, repository: string, pkg: string, restrictions: OriginRestrictions): Promise<any> {
    return this.call('POST', 'package', { domain, repository, format: 'pypi', package: pkg }, { restrictions }).then(
      (r) => r.originConfiguration,
    );
  }

  /** CreatePackageGroup with a definition such as /pypi//internal-~ (every mode INHERIT). */
  createPackageGroup(domain: string, pattern: string): Promise<any> {
    return this.call('POST', 'package-group', { domain }, { packageGroup: pattern }).then((r) => r.packageGroup);
  }

  /** UpdatePackageGroupOriginConfiguration of the modes only, e.g. { EXTERNAL_UPSTREAM: 'BLOCK' }. */
  updatePackageGroupOrigin(domain: string, pattern: string, restrictions: GroupRestrictions): Promise<any> {
    return this.call('PUT', 'package-group-origin-configuration', { domain, 'package-group': pattern }, { restrictions }).then(
      (r) => r.packageGroup,
    );
  }

  /** GetAssociatedPackageGroup's group pattern for a PyPI package. */
  associatedPackageGroup(domain: string, pkg: string): Promise<string> {
    return this.call('GET', 'get-associated-package-group', { domain, format: 'pypi', package: pkg }).then(
      (r) => r.packageGroup.pattern as string,
    );
  }

  /** DisposePackageVersions; returns {successfulVersions, failedVersions}. */
  disposeVersions(domain: string, repository: string, pkg: string, versions: string[]): Promise<any> {
    return this.call('POST', 'package/versions/dispose', { domain, repository, format: 'pypi', package: pkg }, { versions });
  }

  /** CopyPackageVersions from `source` to `destination`; returns {successfulVersions, failedVersions}. */
  copyVersions(domain: string, source: string, destination: string, pkg: string, versions: string[]): Promise<any> {
    return this.call(
      'POST',
      'package/versions/copy',
      { domain, 'source-repository': source, 'destination-repository': destination, format: 'pypi', package: pkg },
      { versions },
    );
  }

  updateStatus(domain: string, repository: string, pkg: string, versions: string[], targetStatus: string) {
    return this.call(
      'POST',
      'package/versions/update_status',
      { domain, repository, format: 'pypi', package: pkg },
      { versions, targetStatus },
    );
  }
}

/** What the control plane must report for a version whose files are `files` (all four hashes, sizes). */
export function expectedAssets(files: Dist[]): Asset[] {
  return files
    .map((f) => ({ name: f.filename, size: f.size, hashes: f.hashes }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ------------------------------------------------------------------------------------------------------------
// Store snapshots
// ------------------------------------------------------------------------------------------------------------

export interface StoreSnapshot {
  /** Every file under the data dir except the database itself, with its size. */
  files: string[];
  /** package → version → {status, revision, assets (name, sha256)} for each repository given. */
  packages: Record<string, unknown>;
  /** repository → its simple index (project list and every project page, JSON), when a token was given. */
  index: Record<string, string>;
}

/**
 * What the store holds, seen three ways: the files on disk, the control plane's view of each repository, and
 * (for domains in `tokens`) the simple index pages.
 */
export async function snapshot(
  dataDir: string,
  cp: ControlPlane,
  repos: [domain: string, repository: string][],
  tokens: Record<string, string> = {},
): Promise<StoreSnapshot> {
  const files = listFiles(dataDir).filter((f) => !/^codeartifact\.db/.test(f));
  const packages: Record<string, unknown> = {};
  const index: Record<string, string> = {};
  for (const [domain, repository] of repos) {
    const tok = tokens[domain];
    if (tok) {
      const simple = `${cp.url}/pypi/d/${domain}-${ACCOUNT}/${repository}/simple/`;
      const get = (url: string) => request(url, { headers: { Authorization: basic(tok), Accept: PIP_ACCEPT } });
      const list = await get(simple);
      index[`${domain}/${repository}/`] = `${list.status} ${list.text}`;
      if (list.status === 200)
        for (const { name } of JSON.parse(list.text).projects as { name: string }[]) {
          const page = await get(`${simple}${name}/`);
          index[`${domain}/${repository}/${name}/`] = `${page.status} ${page.text}`;
        }
    }
    for (const pkg of await cp.packages(domain, repository)) {
      const versions: Record<string, unknown> = {};
      for (const v of await cp.versions(domain, repository, pkg)) {
        const assets = await cp.assets(domain, repository, pkg, v.version);
        versions[v.version] = {
          status: v.status,
          revision: v.revision,
          assets: assets.map((a) => `${a.name} ${a.hashes['SHA-256']}`),
        };
      }
      packages[`${domain}/${repository}/${pkg}`] = versions;
    }
  }
  return { files, packages, index };
}

export function tmpFiles(dataDir: string): string[] {
  return listFiles(path.join(dataDir, 'tmp'));
}

/** Waits (up to `ms`) until the server's tmp/ is empty, then returns what is left. */
export async function waitForEmptyTmp(dataDir: string, ms = 5_000): Promise<string[]> {
  const until = Date.now() + ms;
  let left = tmpFiles(dataDir);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = tmpFiles(dataDir);
  }
  return left;
}

// ------------------------------------------------------------------------------------------------------------
// Legacy upload forms, made by hand
// ------------------------------------------------------------------------------------------------------------

export interface FilePart {
  data: Buffer;
  /** Put in `filename="..."` as is (quotes and backslashes are NOT escaped: the test decides the bytes). */
  filename?: string;
  /** Replaces the whole Content-Disposition value, e.g. with an RFC 5987 `filename*=`. */
  disposition?: string;
  contentType?: string;
}

export const BOUNDARY = 'acceptance5f0c2b1e8d7a4c3b9e6f1a2d';

/** The multipart body twine would send: text fields in order, then the `content` file part. */
export function multipart(fields: [string, string][], file?: FilePart, boundary = BOUNDARY): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields)
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`, 'utf8'));
  if (file) {
    const disposition = file.disposition ?? `form-data; name="content"; filename="${file.filename}"`;
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n` +
          `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
        'utf8',
      ),
      file.data,
      Buffer.from('\r\n', 'utf8'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return Buffer.concat(parts);
}

/** The fields twine 4 sends for a file, with correct digests; `overrides` replaces (or with undefined drops) some. */
export function uploadFields(
  dist: Dist,
  name: string,
  version: string,
  overrides: Record<string, string | undefined> = {},
): [string, string][] {
  const base: Record<string, string | undefined> = {
    name,
    version,
    filetype: dist.kind === 'wheel' ? 'bdist_wheel' : 'sdist',
    pyversion: dist.kind === 'wheel' ? 'py3' : 'source',
    metadata_version: '2.1',
    summary: 'uploaded by hand',
    sha256_digest: dist.sha256,
    md5_digest: dist.md5,
    ':action': 'file_upload',
    protocol_version: '1',
  };
  const merged = { ...base, ...overrides };
  return Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined);
}

export function postForm(url: string, authorization: string | undefined, body: Buffer, extra: Record<string, string> = {}) {
  return request(url, {
    method: 'POST',
    headers: {
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      ...(authorization ? { Authorization: authorization } : {}),
      ...extra,
    },
    body,
  });
}

/**
 * Declares the full Content-Length, sends only the first `sendBytes` bytes, then drops the connection (a
 * client that died mid-upload). Resolves once the socket is closed; there is no response to read.
 */
export function abortedUpload(url: string, authorization: string, body: Buffer, sendBytes: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        'Content-Length': body.length,
        Authorization: authorization,
      },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('close', () => resolve());
    req.write(body.subarray(0, sendBytes), () => {
      setTimeout(() => req.destroy(), 200);
    });
  });
}

// ------------------------------------------------------------------------------------------------------------
// Simple index pages
// ------------------------------------------------------------------------------------------------------------

export const PIP_ACCEPT =
  'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';

export interface HtmlLink {
  text: string;
  href: string;
  attrs: Record<string, string>;
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The anchors of a PEP 503 page, attributes unescaped. */
export function htmlLinks(html: string): HtmlLink[] {
  const links: HtmlLink[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1]!.matchAll(/([a-zA-Z-:]+)="([^"]*)"/g)) attrs[a[1]!] = unescapeHtml(a[2]!);
    links.push({ text: unescapeHtml(m[2]!.trim()), href: attrs.href ?? '', attrs });
  }
  return links;
}
