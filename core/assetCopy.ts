// The row that puts an asset of one version into another (retention from an upstream, CopyPackageVersions):
// the same bytes (blobs are shared, so no file is copied), digests, creation time and PEP 592 yank.
import { digestsOf, type AssetRecord, type NewAsset } from '../storage/ports.js';

export const assetCopy = (a: AssetRecord, versionId: number, coreMetadata: Buffer | null): NewAsset => ({
  versionId,
  name: a.name,
  ...digestsOf(a),
  coreMetadata,
  coreMetadataSha256: a.coreMetadataSha256,
  createdAt: a.createdAt,
  yanked: a.yanked,
});
