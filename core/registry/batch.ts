// The batch version operations (DeletePackageVersions, UpdatePackageVersionsStatus, DisposePackageVersions,
// CopyPackageVersions) check and apply per version in one shape: all-or-nothing, as AWS does.
import type { PackageVersionError, SuccessfulPackageVersionInfo } from '@aws-sdk/client-codeartifact';
import { ValidationError } from '../errors.js';
import type { PackageRecord, Transaction, VersionRecord } from '../../storage/ports.js';
import { required } from './lookup.js';

export interface BatchInput {
  versions?: string[];
  versionRevisions?: Record<string, string>;
  expectedStatus?: string;
}

export interface BatchOutcome {
  successfulVersions: Record<string, SuccessfulPackageVersionInfo>;
  failedVersions: Record<string, PackageVersionError>;
}

/**
 * The batch operations are all-or-nothing, as in AWS: when any version fails its checks, nothing
 * changes and every other version is reported SKIPPED. `check` returns an error for a version or
 * undefined; `apply` performs the change and returns the version's new status.
 */
export async function runBatch(
  tx: Pick<Transaction, 'versions'>,
  pkg: Pick<PackageRecord, 'id'>,
  input: BatchInput,
  check: (v: VersionRecord) => PackageVersionError | undefined,
  apply: (v: VersionRecord) => Promise<SuccessfulPackageVersionInfo | undefined>,
): Promise<BatchOutcome> {
  const names = required(input.versions, 'versions');
  if (names.length === 0) throw new ValidationError('versions must list at least one version');
  const failedVersions: Record<string, PackageVersionError> = {};
  const found: VersionRecord[] = [];
  for (const name of new Set(names)) {
    const v = await tx.versions.find(pkg.id, name);
    if (!v) {
      failedVersions[name] = { errorCode: 'NOT_FOUND', errorMessage: `version ${name} not found` };
      continue;
    }
    const expectedRevision = input.versionRevisions?.[name];
    if (expectedRevision !== undefined && expectedRevision !== v.revision) {
      failedVersions[name] = {
        errorCode: 'MISMATCHED_REVISION',
        errorMessage: `current revision: ${v.revision}, expected revision: ${expectedRevision}`,
      };
      continue;
    }
    if (input.expectedStatus !== undefined && input.expectedStatus !== v.status) {
      failedVersions[name] = {
        errorCode: 'MISMATCHED_STATUS',
        errorMessage: `current status: ${v.status}, expected status: ${input.expectedStatus}`,
      };
      continue;
    }
    const error = check(v);
    if (error) failedVersions[name] = error;
    else found.push(v);
  }
  const successfulVersions: Record<string, SuccessfulPackageVersionInfo> = {};
  if (Object.keys(failedVersions).length > 0) {
    for (const v of found)
      failedVersions[v.version] = { errorCode: 'SKIPPED', errorMessage: `version ${v.version} is skipped` };
    return { successfulVersions, failedVersions };
  }
  for (const v of found) {
    // undefined: nothing to do, and nothing to report (CopyPackageVersions of an identical version).
    const done = await apply(v);
    if (done) successfulVersions[v.version] = done;
  }
  return { successfulVersions, failedVersions };
}

