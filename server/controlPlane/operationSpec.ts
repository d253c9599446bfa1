// The vocabulary of the operation table (operations.ts): where each input member lives on the wire.
import type { ErrorKind } from '../../core/errors.js';

export type MemberBinding =
  | { in: 'query'; name: string; shape: string; required: boolean }
  | { in: 'header'; name: string; shape: string; required: boolean }
  | { in: 'body'; shape: string; required: boolean }
  /** The raw request body, streamed (PublishPackageVersion's asset). */
  | { in: 'payload'; required: boolean };

export interface OperationSpec {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  input: Record<string, MemberBinding>;
  /** Present when the output is a streamed payload with members in headers. */
  output?: { payload: string; headers: Record<string, string> };
  errors: readonly ErrorKind[];
}

export const query = (name: string, shape: string, required = false): MemberBinding => ({
  in: 'query',
  name,
  shape,
  required,
});
export const header = (name: string, shape: string, required = false): MemberBinding => ({
  in: 'header',
  name,
  shape,
  required,
});
export const body = (shape: string, required = false): MemberBinding => ({ in: 'body', shape, required });
export const payload = (required: boolean): MemberBinding => ({ in: 'payload', required });
