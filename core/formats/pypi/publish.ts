// Publishing one distribution file to a PyPI repository, as the legacy upload API asks: ordered, named
// checks, each failing with a message pip/twine/poetry print (Warehouse's wording where it has one),
// then one write through the shared registry path. Nothing is stored unless every check passes.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { addAsset, type AddAssetResult, type VersionMetadata } from '../../registry/publish.js';
import type { PendingBlob, RepositoryRecord, Store } from '../../../storage/ports.js';
import { archiveProblemMessage } from './archiveMessages.js';
import { readSdistMetadata, readWheelMetadata } from './archives.js';
import { checkUploadFilename, distributionTypeOf } from './filenames.js';
import {
  METADATA_VERSIONS,
  checkFileMetadataVersion,
  checkFileNameAndVersion,
  checkFormMetadataVersion,
  dependenciesFromRequiresDist,
  mergeMetadata,
  metadataFromUploadForm,
  parseCoreMetadata,
  sourceCodeRepository,
  type CoreMetadata,
} from './metadata.js';
import { isValidProjectName } from './names.js';
import { isValidVersion } from './versions.js';

/** Core metadata versions this index understands (the list lives with the metadata parser). */
export { METADATA_VERSIONS };

export interface DistributionUpload {
  repository: RepositoryRecord;
  /** The upload form's text fields (lowercase, `_` for `-`, repeated for multi-use fields). */
  fields: Record<string, string[]>;
  /** The `content` part, already streamed to a temporary blob. */
  file?: { filename: string; blob: PendingBlob };
}

const invalid = (message: string) => new ValidationError(message);

/** A form value, with "" meaning absent (clients send empty metadata as ""). */
export function formField(fields: Record<string, string[]>, name: string): string | undefined {
  const v = fields[name]?.[0];
  return v === undefined || v === '' ? undefined : v;
}

function checkNameAndVersion(fields: Record<string, string[]>): { name: string; version: string } {
  const metadataProblem = checkFormMetadataVersion(formField(fields, 'metadata_version'));
  if (metadataProblem) throw invalid(metadataProblem);
  const name = formField(fields, 'name');
  const version = formField(fields, 'version');
  if (!name) throw invalid("Missing 'name' field");
  if (!version) throw invalid("Missing 'version' field");
  if (!isValidProjectName(name))
    throw invalid(
      `'${name}' is an invalid value for Name. Error: Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'.`,
    );
  if (!isValidVersion(version))
    throw invalid(`'${version}' is an invalid value for Version. Error: Must be a valid PEP 440 version.`);
  return { name, version };
}

function checkFile(upload: DistributionUpload, name: string, version: string): { filename: string; blob: PendingBlob } {
  if (!upload.file) throw invalid("Missing 'content' file part");
  const problem = checkUploadFilename(upload.file.filename, name, version, formField(upload.fields, 'filetype'));
  if (problem) throw invalid(problem);
  if (upload.file.blob.size === 0) throw invalid('The uploaded file is empty');
  return upload.file;
}

/** Every digest the client sent must match what we computed; md5 is compared as hex, as Warehouse does. */
function verifyDigests(fields: Record<string, string[]>, blob: PendingBlob): void {
  const sent: [string, string][] = [
    ['md5_digest', blob.md5],
    ['sha256_digest', blob.sha256],
    ['blake2_256_digest', blob.blake2b256],
  ];
  for (const [name, actual] of sent) {
    const given = formField(fields, name)?.toLowerCase();
    if (given !== undefined && given !== actual)
      throw invalid('The digest supplied does not match a digest calculated from the uploaded file.');
  }
}

/**
 * METADATA of a wheel (also served as PEP 658 metadata) or PKG-INFO of an sdist: both are required, and an
 * archive that cannot be trusted (unsafe members, a decompression bomb, no metadata where it must be) is refused
 * saying so.
 */
async function readFileMetadata(
  filename: string,
  blob: PendingBlob,
  name: string,
  version: string,
): Promise<{ bytes: Buffer; member: 'METADATA' | 'PKG-INFO' }> {
  const kind = distributionTypeOf(filename) === 'bdist_wheel' ? 'bdist_wheel' : 'sdist';
  const read =
    kind === 'bdist_wheel'
      ? await readWheelMetadata(blob.localPath, name, version)
      : await readSdistMetadata(blob.localPath, filename.endsWith('.zip') ? 'zip' : 'tar');
  if (!read.ok) throw invalid(archiveProblemMessage(filename, kind, read.problem));
  return { bytes: read.bytes, member: kind === 'bdist_wheel' ? 'METADATA' : 'PKG-INFO' };
}

/**
 * The file's own core metadata: UTF-8 text with fields; a known Metadata-Version, the form's when the form sends
 * one; the Name and Version of the form (twine and poetry send the file's).
 */
function checkFileMetadata(
  fields: Record<string, string[]>,
  form: { name: string; version: string },
  filename: string,
  file: { bytes: Buffer; member: 'METADATA' | 'PKG-INFO' },
): CoreMetadata {
  const where = `The ${file.member} of ${filename}`;
  if (file.bytes.toString('latin1').trim() === '')
    throw invalid(`${where} is empty: it must hold the core metadata (Metadata-Version, Name, Version).`);
  if (!isUtf8(file.bytes)) throw invalid(`${where} is not valid UTF-8: core metadata is UTF-8 text.`);
  const parsed = parseCoreMetadata(file.bytes.toString('utf8'));
  if (parsed.metadataVersion === undefined && parsed.name === undefined && parsed.version === undefined)
    throw invalid(`${where} has no core metadata fields: it must start with 'Metadata-Version: ...', 'Name: ...' and 'Version: ...' lines.`);
  const problem =
    checkFileMetadataVersion(parsed.metadataVersion, formField(fields, 'metadata_version'), filename, file.member) ??
    checkFileNameAndVersion(parsed, form, filename, file.member);
  if (problem) throw invalid(problem);
  return parsed;
}

/** What a release's core metadata becomes in the registry (DescribePackageVersion, readme, deps). */
export function versionMetadata(meta: CoreMetadata): VersionMetadata {
  const license = meta.licenseExpression ?? meta.license;
  return {
    summary: meta.summary,
    homePage: meta.homePage,
    sourceCodeRepository: sourceCodeRepository(meta),
    // A whole license text in the License field is not a license name.
    licenses: license && license.length <= 200 ? [{ name: license }] : undefined,
    readme: meta.description,
    readmeContentType: meta.descriptionContentType,
    requiresPython: meta.requiresPython,
    metadata: {
      metadataVersion: meta.metadataVersion,
      author: meta.author,
      authorEmail: meta.authorEmail,
      maintainer: meta.maintainer,
      maintainerEmail: meta.maintainerEmail,
      keywords: meta.keywords,
      classifiers: meta.classifiers,
      projectUrls: meta.projectUrls,
      providesExtra: meta.providesExtra,
      requiresDist: meta.requiresDist,
    },
    dependencies: dependenciesFromRequiresDist(meta.requiresDist).map((d) => ({
      namespace: null,
      package: d.package,
      dependencyType: d.dependencyType,
      versionRequirement: d.versionRequirement ?? null,
    })),
  };
}

/**
 * Checks the upload and stores it. Throws ValidationError for a bad upload and ConflictError (resource
 * type `asset`) for a filename already used by other bytes; identical bytes again change nothing.
 */
export async function publishDistribution(
  store: Store,
  ctx: RequestContext,
  upload: DistributionUpload,
): Promise<AddAssetResult> {
  const { name, version } = checkNameAndVersion(upload.fields);
  const { filename, blob } = checkFile(upload, name, version);
  verifyDigests(upload.fields, blob);
  const file = await readFileMetadata(filename, blob, name, version);
  const parsed = checkFileMetadata(upload.fields, { name, version }, filename, file);
  const metadata = mergeMetadata(parsed, metadataFromUploadForm(upload.fields));
  // PEP 658: a wheel's METADATA is served beside it.
  const coreMetadata = file.member === 'METADATA' ? file.bytes : undefined;
  return addAsset(store, ctx, {
    repository: upload.repository,
    format: 'pypi',
    namespace: '',
    packageName: name,
    version,
    assetName: filename,
    blob,
    status: 'Published',
    openAfterPublish: true,
    metadata: versionMetadata(metadata),
    coreMetadata,
    coreMetadataSha256: coreMetadata ? createHash('sha256').update(coreMetadata).digest('hex') : undefined,
  });
}
