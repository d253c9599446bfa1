// Reads a legacy-upload multipart form as it streams: text fields collected (multi-valued fields repeat),
// the `content` file streamed straight into the blob store, so memory stays flat whatever the file size.
import busboy from 'busboy';
import type { Request } from 'express';
import { BlobTooLargeError, type BlobStore, type PendingBlob } from '../../../storage/ports.js';

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

export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
const MAX_FIELD_BYTES = 4 * 1024 * 1024;

export function readUploadForm(req: Request, blobs: BlobStore): Promise<UploadForm> {
  const contentType = req.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(contentType))
    return Promise.reject(new UploadError(400, 'Invalid request: expected multipart/form-data'));
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { fieldSize: MAX_FIELD_BYTES, fields: 1000, files: 1, parts: 1100 },
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
    let pendingFile: Promise<{ filename: string; blob: PendingBlob }> | undefined;
    let failure: UploadError | undefined;
    const fail = (err: UploadError) => {
      failure ??= err;
    };

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new UploadError(400, `Form field ${name} is too large`));
      (fields[name] ??= []).push(value);
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'content' || pendingFile) {
        stream.resume();
        if (name === 'content') fail(new UploadError(400, 'Only one file may be uploaded per request'));
        return;
      }
      const filename = info.filename ?? '';
      pendingFile = blobs.put(stream, { maxBytes: MAX_UPLOAD_BYTES }).then(
        (blob) => ({ filename, blob }),
        (err) => {
          stream.resume();
          throw err instanceof BlobTooLargeError
            ? new UploadError(400, `File too large. Limit is ${MAX_UPLOAD_BYTES} bytes`)
            : err;
        },
      );
      // Reported after the form ends; keep an unhandled rejection from firing before then.
      pendingFile.catch(() => undefined);
    });
    parser.on('filesLimit', () => fail(new UploadError(400, 'Only one file may be uploaded per request')));
    parser.on('fieldsLimit', () => fail(new UploadError(400, 'Too many form fields')));

    const finish = async (parseError?: Error) => {
      let file: UploadForm['file'];
      let fileError: unknown;
      if (pendingFile) {
        try {
          file = await pendingFile;
        } catch (err) {
          fileError = err;
        }
      }
      const error =
        (parseError && new UploadError(400, `Invalid multipart form: ${parseError.message}`)) ??
        failure ??
        (fileError as Error | undefined);
      if (error) {
        await file?.blob.discard();
        reject(error);
      } else resolve({ fields, file });
    };
    parser.on('close', () => void finish());
    parser.on('error', (err: Error) => {
      req.unpipe(parser);
      req.resume();
      void finish(err);
    });
    req.on('aborted', () => parser.destroy(new Error('request aborted')));
    req.pipe(parser);
  });
}
