// Shared by the durability suites (and the crash-test script): a seeded random source, a request context for
// calling core in-process, the store's rows read straight from SQLite (read-only: tests may use the driver,
// core and server may not), and where a blob lives on disk.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RequestContext } from '../../core/context.js';

/** mulberry32: a small seeded PRNG, so a failing run can be repeated exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sha256Hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export function coreContext(now = new Date()): RequestContext {
  return {
    accountId: '000000000000',
    region: 'us-east-1',
    requestId: 'durability-test',
    now,
    publicUrl: 'http://127.0.0.1:1',
    endpointStyle: 'path',
  };
}

/** Where the local blob store keeps a blob: DATA_DIR/blobs/ab/cd/<sha256>. */
export const blobPath = (dataDir: string, sha256: string) =>
  path.join(dataDir, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);

export const blobExists = (dataDir: string, sha256: string) => existsSync(blobPath(dataDir, sha256));

export interface AssetRow {
  name: string;
  sha256: string;
  size: number;
  version: string;
  package: string;
}

/** Runs `read` on a read-only connection to DATA_DIR/codeartifact.db, closed after. */
export function withDatabase<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'codeartifact.db'), { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return read(db);
  } finally {
    db.close();
  }
}

/** Every asset row, with its version and package. */
export function assetRows(dataDir: string): AssetRow[] {
  return withDatabase(
    dataDir,
    (db) =>
      db
        .prepare(
          `SELECT a.name, a.sha256, a.size, v.version, p.name AS package
             FROM asset a JOIN package_version v ON v.id = a.version_id JOIN package p ON p.id = v.package_id
            ORDER BY p.name, v.version, a.name`,
        )
        .all() as AssetRow[],
  );
}

/** `PRAGMA integrity_check`'s answer ('ok' when the file is sound). */
export function integrityCheck(dataDir: string): string {
  return withDatabase(dataDir, (db) =>
    (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; '),
  );
}

// ------------------------------------------------------------------------------------------------------------
// PyPI uploads by hand

export const UPLOAD_BOUNDARY = 'durability9b1c7e24f0a3d58c';

/** The text fields twine sends for a wheel or sdist, digests included. */
export function uploadFormFields(name: string, version: string, filename: string, data: Buffer): [string, string][] {
  const wheel = filename.endsWith('.whl');
  return [
    [':action', 'file_upload'],
    ['protocol_version', '1'],
    ['metadata_version', '2.1'],
    ['name', name],
    ['version', version],
    ['filetype', wheel ? 'bdist_wheel' : 'sdist'],
    ['pyversion', wheel ? 'py3' : 'source'],
    ['sha256_digest', sha256Hex(data)],
  ];
}

/** A whole legacy-upload body: the fields, then the `content` file part, then the closing boundary. */
export function uploadBody(fields: [string, string][], file: { filename: string; data: Buffer }): Buffer {
  const b = UPLOAD_BOUNDARY;
  const head = fields.map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
  return Buffer.concat([
    Buffer.from(
      `${head}--${b}\r\nContent-Disposition: form-data; name="content"; filename="${file.filename}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    file.data,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
}

export const UPLOAD_CONTENT_TYPE = `multipart/form-data; boundary=${UPLOAD_BOUNDARY}`;
