/**
 * Every error a client or operator can see has a stable code. The HTTP layer maps codes to statuses
 * (src/http/problem.ts), the CLI to exit codes, and later the worker to retry decisions.
 * `message` is safe to show to the caller; never put secrets, bodies or internal details in it.
 */
export const ERROR_CODES = [
  'request.malformed_json',
  'request.invalid_utf8',
  'request.invalid_text',
  'request.too_large',
  'request.unsupported_media_type',
  'validation.failed',
  'route.not_found',
  'auth.unauthenticated',
  'auth.invalid_credentials',
  'auth.key_invalid',
  'auth.key_expired',
  'auth.key_revoked',
  'auth.key_in_query',
  'auth.csrf_failed',
  'auth.forbidden',
  'auth.org_unit_forbidden',
  'setup.already_done',
  'org_unit.not_found',
  'org_unit.name_taken',
  'org_unit.invalid_parent',
  'user.not_found',
  'user.email_taken',
  'user.cannot_deactivate_self',
  'api_key.not_found',
  'api_key.exceeds_creator',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Structured, client-safe details (e.g. which field, which permission). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
