// The errors of the CodeArtifact model, as classes. `code` is the wire name (x-amzn-ErrorType), `status`
// the HTTP status the model declares, `fields` the modeled members besides `message`. They are turned into
// a response in exactly one place (server/controlPlane/errorResponse.ts).

export type ResourceType = 'domain' | 'repository' | 'package' | 'package-version' | 'asset';
export type ValidationReason =
  | 'CANNOT_PARSE'
  | 'ENCRYPTION_KEY_ERROR'
  | 'FIELD_VALIDATION_FAILED'
  | 'UNKNOWN_OPERATION'
  | 'OTHER';

/** Short names used in the operation table's `errors` lists. */
export type ErrorKind =
  | 'AccessDenied'
  | 'Conflict'
  | 'InternalServer'
  | 'ResourceNotFound'
  | 'ServiceQuotaExceeded'
  | 'Throttling'
  | 'Validation';

export abstract class CodeArtifactError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly kind: ErrorKind | 'NotImplemented';
  /** Modeled members other than `message` that go in the JSON body, omitted when undefined. */
  fields(): Record<string, unknown> {
    return {};
  }
  /** Modeled members the model binds to response headers (ThrottlingException's Retry-After). */
  headers(): Record<string, string> {
    return {};
  }
}

abstract class ResourceError extends CodeArtifactError {
  constructor(
    message: string,
    readonly resourceType?: ResourceType,
    readonly resourceId?: string,
  ) {
    super(message);
  }
  override fields() {
    return { resourceId: this.resourceId, resourceType: this.resourceType };
  }
}

export class ResourceNotFoundError extends ResourceError {
  readonly code = 'ResourceNotFoundException';
  readonly status = 404;
  readonly kind = 'ResourceNotFound';
}

export class ConflictError extends ResourceError {
  readonly code = 'ConflictException';
  readonly status = 409;
  readonly kind = 'Conflict';
}

export class ServiceQuotaExceededError extends ResourceError {
  readonly code = 'ServiceQuotaExceededException';
  readonly status = 402;
  readonly kind = 'ServiceQuotaExceeded';
}

export class ValidationError extends CodeArtifactError {
  readonly code = 'ValidationException';
  readonly status = 400;
  readonly kind = 'Validation';
  constructor(
    message: string,
    readonly reason: ValidationReason = 'FIELD_VALIDATION_FAILED',
  ) {
    super(message);
  }
  override fields() {
    return { reason: this.reason };
  }
}

export class AccessDeniedError extends CodeArtifactError {
  readonly code = 'AccessDeniedException';
  readonly status = 403;
  readonly kind = 'AccessDenied';
}

export class InternalServerError extends CodeArtifactError {
  readonly code = 'InternalServerException';
  readonly status = 500;
  readonly kind = 'InternalServer';
}

export class ThrottlingError extends CodeArtifactError {
  readonly code = 'ThrottlingException';
  readonly status = 429;
  readonly kind = 'Throttling';
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
  /** The model binds `retryAfterSeconds` to the Retry-After header, not to the body. */
  override headers(): Record<string, string> {
    return this.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/** Not in the model: answered for operations this emulator does not implement yet. */
export class NotImplementedError extends CodeArtifactError {
  readonly code = 'NotImplemented';
  readonly status = 501;
  readonly kind = 'NotImplemented';
}
