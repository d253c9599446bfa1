// The row that puts an asset of one version into another (retention from an upstream, CopyPackageVersions):
// the same bytes (blobs are shared, so no file is copied), digests, creation time and PEP 592 yank.
import type { AssetRecord, NewAsset } from '../storage/ports.js';

export const assetCopy = (a: AssetRecord, versionId: number, coreMetadata: Buffer | null): NewAsset => ({
  versionId,
  name: a.name,
  size: a.size,
  sha256: a.sha256,
  sha1: a.sha1,
  sha512: a.sha512,
  md5: a.md5,
  blake2b256: a.blake2b256,
  coreMetadata,
  coreMetadataSha256: a.coreMetadataSha256,
  createdAt: a.createdAt,
  yanked: a.yanked,
});
