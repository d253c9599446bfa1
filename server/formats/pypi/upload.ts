// POST .../{repo}/ with `:action=file_upload`: the legacy upload API twine and poetry use. This module is
// the HTTP side: read the form (streaming the file to a temporary blob), check the protocol fields, hand
// the rest to core/pypi/publish.ts, and turn its errors into the statuses and texts clients print.
import type { Request, Response } from 'express';
import { CodeArtifactError, ConflictError, ValidationError } from '../../../core/errors.js';
import { formField, publishDistribution } from '../../../core/formats/pypi/publish.js';
import type { Store } from '../../../storage/ports.js';
import { log } from '../../log.js';
import { endpointOf, sendEndpointError } from '../../packageEndpoints.js';
import { readUploadForm, UploadError, type UploadForm, type UploadLimits } from './uploadForm.js';

function checkProtocol(form: UploadForm): void {
  const action = formField(form.fields, ':action');
  if (action === undefined) throw new UploadError(400, "Missing ':action' field: expected file_upload");
  if (action === 'submit' || action === 'doc_upload')
    throw new UploadError(410, `The '${action}' action is not supported: upload files with file_upload`);
  if (action !== 'file_upload') throw new UploadError(400, `Unknown action '${action}': expected file_upload`);
  const protocol = formField(form.fields, 'protocol_version');
  if (protocol !== undefined && protocol !== '1') throw new UploadError(400, 'Unknown protocol version.');
}

/** Reason phrases must be one line of printable ASCII; twine prints them. */
function reasonPhrase(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

function reject(res: Response, status: number, message: string) {
  res.statusMessage = reasonPhrase(message);
  sendEndpointError(res, status, message);
}

function statusOf(err: unknown, filename: string | undefined): { status: number; message: string } | undefined {
  if (err instanceof UploadError) return { status: err.status, message: err.message };
  if (err instanceof ValidationError) return { status: 400, message: err.message };
  // "File already exists" keeps twine's and poetry's --skip-existing matching working.
  if (err instanceof ConflictError && err.resourceType === 'asset')
    return { status: 409, message: `File already exists ('${filename}'): a different file was uploaded under that name` };
  if (err instanceof CodeArtifactError) return { status: err.status, message: err.message };
  return undefined;
}

export function uploadHandler(store: Store, limits: UploadLimits) {
  return async (req: Request, res: Response) => {
    const { ctx, repository } = endpointOf(res);
    let form: UploadForm | undefined;
    try {
      form = await readUploadForm(req, store.blobs, limits);
      checkProtocol(form);
      const result = await publishDistribution(store, ctx, { repository, fields: form.fields, file: form.file });
      res.status(200).type('text/plain').send(result.created ? 'OK\n' : 'OK (identical file already stored)\n');
    } catch (err) {
      await form?.file?.blob.discard();
      const answer = statusOf(err, form?.file?.filename);
      if (answer) return reject(res, answer.status, answer.message);
      log.error({ err, repository: repository.name }, 'upload failed');
      reject(res, 500, 'Internal error while storing the upload');
    }
  };
}
