// Reads a legacy-upload multipart form as it streams: text fields collected (multi-valued fields repeat),
// the `content` file streamed straight into the blob store, so memory stays flat whatever the file size.
// The form is only good once the whole request body has arrived: a body cut short (fewer bytes than its
// Content-Length) is refused even when the multipart framing happened to end, and its file is dropped.
// Limits (each configurable) answer 413 after the rest of the body is read and thrown away, so that twine
// and poetry, which send everything before they read the answer, can print it.
import { createRequire } from 'node:module';
import type busboyType from 'busboy';
import type { Request } from 'express';
import { BlobTooLargeError, type BlobStore, type PendingBlob } from '../../../storage/ports.js';

// Loaded on the first upload, not at start-up.
let busboyModule: typeof busboyType | undefined;
function busboy(config: busboyType.BusboyConfig): busboyType.Busboy {
  busboyModule ??= createRequire(import.meta.url)('busboy') as typeof busboyType;
  return busboyModule(config);
}

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface UploadForm {
  fields: Record<string, string[]>;
  file?: { filename: string; blob: PendingBlob };
}

export interface UploadLimits {
  /** Largest file part, in bytes. */
  maxFileBytes: number;
  /** All text fields together, in bytes. */
  maxFieldBytes: number;
  /** Number of text fields. */
  maxFields: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  maxFileBytes: 5 * 1024 ** 3,
  maxFieldBytes: 16 * 1024 ** 2,
  maxFields: 1000,
};

/** After a limit is hit, at most this much more of the body is read (and discarded) before the socket is cut. */
const MAX_DISCARDED_BYTES = 1024 ** 3;

const mib = (n: number) => (n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 ? 1 : 0)} MiB` : `${n} bytes`);

export function readUploadForm(req: Request, blobs: BlobStore, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<UploadForm> {
  const contentType = req.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(contentType))
    return Promise.reject(new UploadError(400, 'Invalid request: expected multipart/form-data'));
  let parser: busboyType.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // busboy's own caps sit just above ours, so that ours (with their messages) trip first.
      limits: {
        fieldSize: limits.maxFieldBytes + 1,
        fields: limits.maxFields + 1,
        files: 1,
        parts: limits.maxFields + 10,
      },
      defParamCharset: 'utf8',
      // Keep the filename exactly as sent: busboy would otherwise strip `../` and directories, hiding a
      // traversal attempt we want to refuse rather than silently rename.
      preservePath: true,
    });
  } catch (err) {
    return Promise.reject(new UploadError(400, `Invalid multipart form: ${(err as Error).message}`));
  }

  return new Promise<UploadForm>((resolve, reject) => {
    const fields: Record<string, string[]> = {};
    let fieldCount = 0;
    let fieldBytes = 0;
    let parts = 0;
    let pendingFile: Promise<{ filename: string; blob: PendingBlob }> | undefined;
    let failure: UploadError | undefined;
    const fail = (err: UploadError) => {
      failure ??= err;
    };

    // The whole body, or the reason it never came.
    const bodyComplete = new Promise<void>((resolveBody, rejectBody) => {
      req.once('end', () => resolveBody());
      req.once('close', () => {
        if (!req.complete) rejectBody(new UploadError(400, 'The request body ended before its Content-Length: upload aborted'));
      });
      req.once('error', (err) => rejectBody(new UploadError(400, `Upload failed: ${err.message}`)));
    });
    // A body that ends short (or fails) never ends the parser, so neither its 'close' nor its 'error' comes:
    // finish here, after stopping the file part, whose put would otherwise wait for more bytes forever (and
    // keep its staging file). A file whose part was already complete is discarded by finish.
    bodyComplete.catch(() => {
      req.unpipe(parser);
      fileStream?.destroy(new Error('upload aborted'));
      void finish();
    });

    // Over a limit: stop parsing, read what is left (up to a bound) without keeping it.
    let discarding = false;
    let fileStream: NodeJS.ReadableStream & { destroy(err?: Error): void } | undefined;
    const discardRest = () => {
      if (discarding) return;
      discarding = true;
      req.unpipe(parser);
      // The file part gets no more bytes: end its write (it fails, and leaves nothing in tmp/).
      fileStream?.destroy(new Error('upload refused'));
      let discarded = 0;
      req.on('data', (chunk: Buffer) => {
        discarded += chunk.length;
        if (discarded > MAX_DISCARDED_BYTES) req.destroy();
      });
      req.resume();
      void finish();
    };
    const overLimit = (err: UploadError) => {
      fail(err);
      discardRest();
    };

    parser.on('field', (name, value, info) => {
      parts++;
      fieldCount++;
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (fieldCount > limits.maxFields)
        return overLimit(new UploadError(413, `Too many form fields: the limit is ${limits.maxFields}`));
      if (info.valueTruncated || fieldBytes > limits.maxFieldBytes)
        return overLimit(
          new UploadError(413, `Form fields too large: all text fields together may take ${mib(limits.maxFieldBytes)}`),
        );
      (fields[name] ??= []).push(value);
    });
    parser.on('file', (name, stream, info) => {
      parts++;
      if (name !== 'content' || pendingFile) {
        stream.resume();
        if (name === 'content') fail(new UploadError(400, 'Only one file may be uploaded per request'));
        return;
      }
      const filename = info.filename ?? '';
      fileStream = stream;
      pendingFile = blobs.put(stream, { maxBytes: limits.maxFileBytes }).then(
        (blob) => ({ filename, blob }),
        (err) => {
          stream.resume();
          if (err instanceof BlobTooLargeError) {
            const tooLarge = new UploadError(413, `File too large. Limit is ${mib(limits.maxFileBytes)}`);
            overLimit(tooLarge);
            throw tooLarge;
          }
          throw err;
        },
      );
      // Reported after the form ends; keep an unhandled rejection from firing before then.
      pendingFile.catch(() => undefined);
    });
    parser.on('filesLimit', () => fail(new UploadError(400, 'Only one file may be uploaded per request')));
    parser.on('fieldsLimit', () => overLimit(new UploadError(413, `Too many form fields: the limit is ${limits.maxFields}`)));
    parser.on('partsLimit', () => overLimit(new UploadError(413, `Too many form parts: the limit is ${limits.maxFields + 10}`)));

    // Once, whichever of the parser's 'close' and 'error' (or a limit) comes first.
    let finished = false;
    async function finish(parseError?: Error) {
      if (finished) return;
      finished = true;
      let file: UploadForm['file'];
      let fileError: unknown;
      if (pendingFile) {
        try {
          file = await pendingFile;
        } catch (err) {
          fileError = err;
        }
      }
      let bodyError: unknown;
      try {
        await bodyComplete;
      } catch (err) {
        bodyError = err;
      }
      // No part at all: the boundary never matched (busboy then only says "Unexpected end of form").
      const noParts =
        parts === 0 && !bodyError
          ? new UploadError(400, 'Invalid multipart form: no parts found (does the boundary in Content-Type match the body?)')
          : undefined;
      const error =
        failure ??
        (bodyError as UploadError | undefined) ??
        noParts ??
        (parseError && new UploadError(400, `Invalid multipart form: ${parseError.message}`)) ??
        (fileError as Error | undefined);
      if (error) {
        await file?.blob.discard();
        reject(error);
      } else resolve({ fields, file });
    }
    parser.on('close', () => void finish());
    parser.on('error', (err: Error) => {
      req.unpipe(parser);
      req.resume();
      void finish(err);
    });
    req.pipe(parser);
  });
}
