// What an upload's 400 says when its archive is refused (core/formats/pypi/archives.ts decides): Warehouse's
// wording where it has one ("Invalid distribution file. ...", "Wheel '...' does not contain the required
// METADATA file: ..."), and always the rule, the member and what to do about it.
import { MAX_METADATA_BYTES, COMPRESSION_RATIO_THRESHOLD, type ArchiveProblem } from './archives.js';

const INVALID = 'Invalid distribution file.';

/** `{name}-{version}` of a wheel file name: where its `.dist-info` directory must be. */
function distInfoStem(filename: string): string {
  return filename.split('-').slice(0, 2).join('-');
}

export function archiveProblemMessage(filename: string, kind: 'bdist_wheel' | 'sdist', p: ArchiveProblem): string {
  switch (p.kind) {
    case 'not-an-archive':
      return p.expected === 'zip'
        ? `${INVALID} File is not a zipfile: ${filename} must be a zip archive.`
        : `${INVALID} File is not a tarfile: ${filename} must be a gzip-compressed tar archive.`;
    case 'corrupt':
      return `${INVALID} ${filename} cannot be read as an archive (${p.detail}): is it truncated or damaged?`;
    case 'unsafe-member':
      return (
        `${INVALID} ${filename} has a member outside its directory: '${p.member.slice(0, 200)}' (an absolute path, '..', ` +
        'a backslash or a drive letter). Build the archive with relative paths.'
      );
    case 'metadata-too-large':
      return (
        `${INVALID} ${p.member} in ${filename} unpacks to ${p.size} bytes; core metadata may take at most ` +
        `${MAX_METADATA_BYTES} bytes (is the archive a decompression bomb?).`
      );
    case 'bomb':
      return (
        `${INVALID} File exceeds compression ratio of ${COMPRESSION_RATIO_THRESHOLD}: ${filename} unpacks to more than ` +
        `${p.unpackedBytes} bytes from ${p.packedBytes} (a decompression bomb).`
      );
    case 'encrypted':
      return `${INVALID} ${p.member} in ${filename} is encrypted: distributions must not be.`;
    case 'missing':
      return kind === 'bdist_wheel'
        ? `Wheel '${filename}' does not contain the required METADATA file: ${distInfoStem(filename)}.dist-info/METADATA`
        : `${INVALID} PKG-INFO not found at ${p.expected ?? '{name}-{version}/PKG-INFO'}: an sdist must carry its core metadata.`;
    case 'ambiguous':
      return `Invalid wheel: ${filename} has several .dist-info directories of this project (${p.members.slice(0, 5).join(', ')}); a wheel has exactly one.`;
    case 'top-level':
      return (
        `${INVALID} Incorrect number of top-level directories in sdist: ${filename} has ${p.names.join(', ')}. ` +
        'Every file of an sdist is inside one {name}-{version}/ directory.'
      );
  }
}
