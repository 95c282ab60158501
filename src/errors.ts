/**
 * Errors the user caused (bad input, no permission) are UserError: they carry a message meant for the
 * person and are answered, never logged as failures. Everything else is unexpected and logged once.
 */
export const ErrorCode = {
  BadInput: 'arbridge_bad_input',
  Forbidden: 'arbridge_forbidden',
  NotFound: 'arbridge_not_found',
  Conflict: 'arbridge_conflict',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class UserError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];
  constructor(code: ErrorCode, message: string, details: string[] = []) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.details = details;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
