import type {
  AssetSummary,
  GetPackageVersionAssetRequest,
  ListPackageVersionAssetsRequest,
  ListPackageVersionAssetsResult,
} from '@aws-sdk/client-codeartifact';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError } from '../errors.js';
import { inOrder, paginate } from '../pagination.js';
import type { AssetRecord, Store } from '../../storage/ports.js';
import { versionCoordinates } from './describe.js';
import { getVersion, required } from './lookup.js';

export function assetSummary(a: AssetRecord): AssetSummary {
  return {
    name: a.name,
    size: a.size,
    hashes: { MD5: a.md5, 'SHA-1': a.sha1, 'SHA-256': a.sha256, 'SHA-512': a.sha512 },
  };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function listPackageVersionAssets(
  store: Store,
  ctx: RequestContext,
  input: ListPackageVersionAssetsRequest,
): Promise<ListPackageVersionAssetsResult> {
  const { domain, repository, pkg, version } = await getVersion(store, ctx, input);
  const assets = version.status === 'Disposed' ? [] : await store.assets.list(version.id);
  const page = await paginate({
    secret: store.secret,
    scope: `ListPackageVersionAssets:${JSON.stringify([domain.owner, domain.name, repository.name, pkg.format, pkg.namespace, pkg.normalizedName, version.version])}`,
    query: input,
    ...inOrder(assets, (a) => a.name, byName),
  });
  return {
    ...versionCoordinates(pkg, version),
    assets: page.items.map(assetSummary),
    nextToken: page.nextToken,
  };
}

/** A downloadable asset: what the response says about it, and the blob to stream. */
export interface AssetDownload {
  assetName: string;
  packageVersion: string;
  packageVersionRevision: string;
  size: number;
  sha256: string;
}

export async function getPackageVersionAsset(
  store: Store,
  ctx: RequestContext,
  input: GetPackageVersionAssetRequest,
): Promise<AssetDownload> {
  const { version } = await getVersion(store, ctx, input);
  const name = required(input.asset, 'asset');
  if (input.packageVersionRevision !== undefined && input.packageVersionRevision !== version.revision)
    throw new ResourceNotFoundError(
      `Revision ${input.packageVersionRevision} of version ${version.version} not found`,
      'package-version',
      version.version,
    );
  if (version.status === 'Archived' || version.status === 'Disposed')
    throw new ConflictError(
      `Assets of version ${version.version} cannot be downloaded: its status is ${version.status}`,
      'package-version',
      version.version,
    );
  const asset = await store.assets.find(version.id, name);
  if (!asset) throw new ResourceNotFoundError(`Asset not found: ${name}`, 'asset', name);
  return {
    assetName: asset.name,
    packageVersion: version.version,
    packageVersionRevision: version.revision,
    size: asset.size,
    sha256: asset.sha256,
  };
}
