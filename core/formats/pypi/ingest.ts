// PyPI files arriving from an external source: their version from the file name, their metadata from the
// file itself (a wheel's METADATA, also served as PEP 658 metadata; an sdist's PKG-INFO), as an upload's.
import { createHash } from 'node:crypto';
import type { ExternalFileSupport } from '../format.js';
import { readSdistMetadata, readWheelMetadata } from './archives.js';
import { distributionTypeOf, parseDistributionFilename } from './filenames.js';
import { parseCoreMetadata } from './metadata.js';
import { versionMetadata } from './publish.js';

export const pypiExternalFiles: ExternalFileSupport = {
  versionOf: (filename) => parseDistributionFilename(filename)?.version,
  async describe(filename, localPath, name, version) {
    try {
      if (distributionTypeOf(filename) === 'bdist_wheel') {
        const read = await readWheelMetadata(localPath, name, version);
        if (!read.ok) return {};
        const bytes = read.bytes;
        return {
          metadata: versionMetadata(parseCoreMetadata(bytes.toString('utf8'))),
          coreMetadata: bytes,
          coreMetadataSha256: createHash('sha256').update(bytes).digest('hex'),
        };
      }
      const read = await readSdistMetadata(localPath, filename.endsWith('.zip') ? 'zip' : 'tar');
      return read.ok ? { metadata: versionMetadata(parseCoreMetadata(read.bytes.toString('utf8'))) } : {};
    } catch {
      // A file we cannot read metadata from is still served: its source vouched for it by hash.
      return {};
    }
  },
};
