import type {
  AssetSummary,
  GetPackageVersionAssetRequest,
  ListPackageVersionAssetsRequest,
  ListPackageVersionAssetsResult,
} from '@aws-sdk/client-codeartifact';
import type { Readable } from 'node:stream';
import type { RequestContext } from '../context.js';
import { ConflictError, ResourceNotFoundError } from '../errors.js';
import { pageInMemory } from '../pagination.js';
import { findAsset, listAssetRows, type AssetRow } from '../../storage/assets.js';
import type { Store } from '../../storage/store.js';
import { versionCoordinates } from './describe.js';
import { getVersion, required } from './lookup.js';

export function assetSummary(a: AssetRow): AssetSummary {
  return {
    name: a.name,
    size: a.size,
    hashes: { MD5: a.md5, 'SHA-1': a.sha1, 'SHA-256': a.sha256, 'SHA-512': a.sha512 },
  };
}

export function listPackageVersionAssets(
  store: Store,
  ctx: RequestContext,
  input: ListPackageVersionAssetsRequest,
): ListPackageVersionAssetsResult {
  const { pkg, version } = getVersion(store, ctx, input);
  const assets = version.status === 'Disposed' ? [] : listAssetRows(store.db, version.id);
  const page = pageInMemory(assets, input, store.secret, `ListPackageVersionAssets:${version.id}`, (a) => a.name);
  return {
    ...versionCoordinates(pkg, version),
    assets: page.items.map(assetSummary),
    nextToken: page.nextToken,
  };
}

/** A downloadable asset: headers for the response and a way to stream its bytes. */
export interface AssetDownload {
  assetName: string;
  packageVersion: string;
  packageVersionRevision: string;
  size: number;
  sha256: string;
  open(range?: { start: number; end: number }): Readable;
}

export function getPackageVersionAsset(
  store: Store,
  ctx: RequestContext,
  input: GetPackageVersionAssetRequest,
): AssetDownload {
  const { version } = getVersion(store, ctx, input);
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
  const asset = findAsset(store.db, version.id, name);
  if (!asset) throw new ResourceNotFoundError(`Asset not found: ${name}`, 'asset', name);
  return {
    assetName: asset.name,
    packageVersion: version.version,
    packageVersionRevision: version.revision,
    size: asset.size,
    sha256: asset.sha256,
    open: (range) => store.blobs.read(asset.sha256, range),
  };
}
