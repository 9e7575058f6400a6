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
  'contact.not_found',
  'contact.invalid_phone',
  'contact.invalid_status',
  'import.not_found',
  'import.invalid_csv',
  'consent.invalid_phone',
  'template.not_found',
  'template.name_taken',
  'template.invalid',
  'gateway.not_found',
  'gateway.name_taken',
  'gateway.address_not_allowed',
  'gateway.secret_unreadable',
  'gateway.test_send_limited',
  'gateway.test_send_refused',
  'sender.not_found',
  'sender.name_taken',
  'message.not_found',
  'message.empty_text',
  'message.too_long',
  'message.too_many_parts',
  'message.invalid_schedule',
  'message.invalid_recipient',
  'message.not_cancelable',
  'message.not_resendable',
  'message.already_resent',
  'batch.not_found',
  'batch.not_cancelable',
  'batch.no_recipients',
  'idempotency.key_reused',
  'idempotency.in_progress',
  'idempotency.invalid_key',
  'callback.not_found',
  'callback.invalid_payload',
  'callback.invalid_signature',
  'webhook.not_found',
  'webhook.url_not_allowed',
  'webhook.delivery_not_found',
  'inbound.not_found',
  'inbound.not_supported',
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
