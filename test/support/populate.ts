// Many packages written straight into a store through its ports (no HTTP, no blobs): for suites that need a
// repository of thousands of projects in a second. Versions have no files unless `files` says so; files
// refer to made-up digests (nothing here downloads them).
import { createHash } from 'node:crypto';
import type { OriginRestrictions, Store, VersionStatus } from '../../storage/ports.js';

export interface PopulatedPackage {
  name: string;
  /** Status of each version 1.0, 1.1, ... (default: one Published version). */
  statuses?: VersionStatus[];
  /** Origin restrictions (default publish ALLOW, upstream BLOCK, as a direct publish gets). */
  origin?: OriginRestrictions;
  /** Files per version: a wheel, then an sdist (default none). */
  files?: 0 | 1 | 2;
}

const hex = (text: string, algorithm: string) => createHash(algorithm).update(text).digest('hex');

/** Writes `packages` (PyPI, no namespace) into the repository, `batch` per transaction. */
export async function populate(store: Store, repositoryId: number, packages: PopulatedPackage[], batch = 1000): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < packages.length; start += batch) {
    await store.transaction(async (tx) => {
      for (const p of packages.slice(start, start + batch)) {
        const normalizedName = p.name.toLowerCase().replace(/[-_.]+/g, '-');
        const pkg = await tx.packages.findOrCreate({
          repositoryId,
          format: 'pypi',
          namespace: '',
          normalizedName,
          name: p.name,
          ...(p.origin ?? { publish: 'ALLOW', upstream: 'BLOCK' }),
        });
        for (const [i, status] of (p.statuses ?? ['Published']).entries()) {
          const version = `1.${i}`;
          const { version: row } = await tx.versions.findOrCreate({
            packageId: pkg.id,
            version,
            status,
            revision: 'r',
            originType: 'INTERNAL',
            entryRepository: null,
            entryExternalConnection: null,
            createdAt: now + i,
            publishedAt: status === 'Published' ? now + i : null,
            displayName: null,
            summary: null,
            homePage: null,
            sourceCodeRepository: null,
            licenses: null,
            readme: null,
            readmeContentType: null,
            requiresPython: null,
            metadata: null,
          });
          const stem = `${normalizedName.replace(/-/g, '_')}-${version}`;
          for (const filename of [`${stem}-py3-none-any.whl`, `${stem}.tar.gz`].slice(0, p.files ?? 0)) {
            await tx.assets.add({
              versionId: row.id,
              name: filename,
              size: 100,
              sha256: hex(filename, 'sha256'),
              sha1: hex(filename, 'sha1'),
              sha512: hex(filename, 'sha512'),
              md5: hex(filename, 'md5'),
              blake2b256: hex(filename, 'sha256'),
              coreMetadata: null,
              coreMetadataSha256: null,
              createdAt: now + i,
            });
          }
        }
      }
    });
  }
}
