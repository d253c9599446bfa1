// The control-plane errors a fault rule can inject: every error of the CodeArtifact model, by its wire name
// (x-amzn-ErrorType), with the short kind the operation table declares and how to make one. The error then
// goes through the control plane's one error writer, so its wire shape is exactly AWS's.
import {
  AccessDeniedError,
  ConflictError,
  InternalServerError,
  ResourceNotFoundError,
  ServiceQuotaExceededError,
  ThrottlingError,
  ValidationError,
  type CodeArtifactError,
  type ErrorKind,
} from '../../core/errors.js';

interface ModeledError {
  kind: ErrorKind;
  make(message: string, retryAfterSeconds: number | undefined): CodeArtifactError;
}

export const MODELED_ERRORS: Readonly<Record<string, ModeledError>> = {
  AccessDeniedException: { kind: 'AccessDenied', make: (m) => new AccessDeniedError(m) },
  ConflictException: { kind: 'Conflict', make: (m) => new ConflictError(m) },
  InternalServerException: { kind: 'InternalServer', make: (m) => new InternalServerError(m) },
  ResourceNotFoundException: { kind: 'ResourceNotFound', make: (m) => new ResourceNotFoundError(m) },
  ServiceQuotaExceededException: { kind: 'ServiceQuotaExceeded', make: (m) => new ServiceQuotaExceededError(m) },
  ThrottlingException: { kind: 'Throttling', make: (m, retryAfter) => new ThrottlingError(m, retryAfter) },
  ValidationException: { kind: 'Validation', make: (m) => new ValidationError(m, 'OTHER') },
};

/** The wire name of a declared kind: Throttling -> ThrottlingException. */
export const wireName = (kind: ErrorKind): string => `${kind}Exception`;
