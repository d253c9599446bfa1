// POST .../{repo}/ with `:action=file_upload`: the legacy upload API twine and poetry use. Ordered,
// named steps, each rejecting with a message the clients print; nothing is stored unless all pass.
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { CodeArtifactError, ConflictError } from '../../core/errors.js';
import { readSdistMetadata, readWheelMetadata } from '../../core/pypi/archives.js';
import { checkUploadFilename, distributionTypeOf } from '../../core/pypi/filenames.js';
import {
  dependenciesFromRequiresDist,
  mergeMetadata,
  metadataFromUploadForm,
  parseCoreMetadata,
  sourceCodeRepository,
  type CoreMetadata,
} from '../../core/pypi/metadata.js';
import { isValidProjectName } from '../../core/pypi/names.js';
import { isValidVersion } from '../../core/pypi/versions.js';
import { addAsset, type VersionMetadata } from '../../core/registry/publish.js';
import type { PendingBlob } from '../../storage/blobs.js';
import type { Store } from '../../storage/store.js';
import type { PackageEndpointLocals } from '../packageEndpoints.js';
import { readUploadForm, UploadError, type UploadForm } from './uploadForm.js';

const field = (form: UploadForm, name: string): string | undefined => {
  const v = form.fields[name]?.[0];
  return v === undefined || v === '' ? undefined : v;
};

function checkProtocol(form: UploadForm): void {
  const action = field(form, ':action');
  if (action === undefined) throw new UploadError(400, "Missing ':action' field: expected file_upload");
  if (action === 'submit' || action === 'doc_upload')
    throw new UploadError(410, `The '${action}' action is not supported: upload files with file_upload`);
  if (action !== 'file_upload') throw new UploadError(400, `Unknown action '${action}': expected file_upload`);
  const protocol = field(form, 'protocol_version');
  if (protocol !== undefined && protocol !== '1') throw new UploadError(400, 'Unknown protocol version.');
}

/** Core metadata versions this index understands (1.0 to 2.4). */
const METADATA_VERSIONS = ['1.0', '1.1', '1.2', '2.0', '2.1', '2.2', '2.3', '2.4'];

function checkNameAndVersion(form: UploadForm): { name: string; version: string } {
  const metadataVersion = field(form, 'metadata_version');
  if (metadataVersion !== undefined && !METADATA_VERSIONS.includes(metadataVersion))
    throw new UploadError(
      400,
      `'${metadataVersion}' is an invalid value for Metadata-Version. Error: Use a known metadata version (${METADATA_VERSIONS[0]} to ${METADATA_VERSIONS.at(-1)}).`,
    );
  const name = field(form, 'name');
  const version = field(form, 'version');
  if (!name) throw new UploadError(400, "Missing 'name' field");
  if (!version) throw new UploadError(400, "Missing 'version' field");
  if (!isValidProjectName(name))
    throw new UploadError(
      400,
      `'${name}' is an invalid value for Name. Error: Start and end with a letter or numeral containing only ASCII numeric and '.', '_' and '-'.`,
    );
  if (!isValidVersion(version))
    throw new UploadError(400, `'${version}' is an invalid value for Version. Error: Must be a valid PEP 440 version.`);
  return { name, version };
}

function checkFile(form: UploadForm, name: string, version: string): { filename: string; blob: PendingBlob } {
  if (!form.file) throw new UploadError(400, "Missing 'content' file part");
  const problem = checkUploadFilename(form.file.filename, name, version, field(form, 'filetype'));
  if (problem) throw new UploadError(400, problem);
  if (form.file.blob.size === 0) throw new UploadError(400, 'The uploaded file is empty');
  return form.file;
}

/** Every digest the client sent must match what we computed; md5 is compared as hex, as Warehouse does. */
function verifyDigests(form: UploadForm, blob: PendingBlob): void {
  const sent: [string, string][] = [
    ['md5_digest', blob.md5],
    ['sha256_digest', blob.sha256],
    ['blake2_256_digest', blob.blake2b256],
  ];
  for (const [name, actual] of sent) {
    const given = field(form, name)?.toLowerCase();
    if (given !== undefined && given !== actual)
      throw new UploadError(400, 'The digest supplied does not match a digest calculated from the uploaded file.');
  }
}

/** METADATA of a wheel (also served as PEP 658 metadata) or PKG-INFO of an sdist. */
async function readFileMetadata(
  filename: string,
  blob: PendingBlob,
  name: string,
  version: string,
): Promise<{ parsed?: CoreMetadata; coreMetadata?: Buffer }> {
  if (distributionTypeOf(filename) === 'bdist_wheel') {
    const bytes = await readWheelMetadata(blob.tempPath, name, version);
    if (!bytes) throw new UploadError(400, `Invalid wheel: ${filename} has no readable .dist-info/METADATA`);
    return { parsed: parseCoreMetadata(bytes.toString('utf8')), coreMetadata: bytes };
  }
  const bytes = await readSdistMetadata(blob.tempPath);
  return bytes ? { parsed: parseCoreMetadata(bytes.toString('utf8')) } : {};
}

function versionMetadata(meta: CoreMetadata): VersionMetadata {
  const license = meta.licenseExpression ?? meta.license;
  return {
    summary: meta.summary,
    homePage: meta.homePage,
    sourceCodeRepository: sourceCodeRepository(meta),
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

/** Reason phrases must be one line of printable ASCII; twine prints them. */
function reasonPhrase(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

function reject(res: Response, status: number, message: string) {
  res.statusMessage = reasonPhrase(message);
  res.status(status).type('text/plain').send(`${message}\n`);
}

export function uploadHandler(store: Store) {
  return async (req: Request, res: Response) => {
    const { ctx, repository } = res.locals.endpoint as PackageEndpointLocals;
    let form: UploadForm | undefined;
    try {
      form = await readUploadForm(req, store.blobs);
      checkProtocol(form);
      const { name, version } = checkNameAndVersion(form);
      const { filename, blob } = checkFile(form, name, version);
      verifyDigests(form, blob);
      const fromFile = await readFileMetadata(filename, blob, name, version);
      const metadata = mergeMetadata(fromFile.parsed, metadataFromUploadForm(form.fields));
      const result = await addAsset(store, ctx, {
        repository,
        format: 'pypi',
        namespace: '',
        packageName: name,
        version,
        assetName: filename,
        blob,
        status: 'Published',
        openAfterPublish: true,
        metadata: versionMetadata(metadata),
        coreMetadata: fromFile.coreMetadata,
        coreMetadataSha256: fromFile.coreMetadata
          ? createHash('sha256').update(fromFile.coreMetadata).digest('hex')
          : undefined,
      });
      res.status(200).type('text/plain').send(result.created ? 'OK\n' : 'OK (identical file already stored)\n');
    } catch (err) {
      await form?.file?.blob.discard();
      if (err instanceof UploadError) return reject(res, err.status, err.message);
      // "File already exists" keeps twine's and poetry's --skip-existing matching working.
      if (err instanceof ConflictError && err.resourceType === 'asset')
        return reject(res, 409, `File already exists ('${form?.file?.filename}'): a different file was uploaded under that name`);
      if (err instanceof CodeArtifactError) return reject(res, err.status === 404 ? 404 : err.status, err.message);
      console.error('upload failed:', err);
      reject(res, 500, 'Internal error while storing the upload');
    }
  };
}
