import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../core/errors.js';

/** The one table from error code to HTTP status. The compiler makes sure every code has a status. */
export const STATUS_OF = {
  'request.malformed_json': 400,
  'request.invalid_utf8': 400,
  'request.invalid_text': 400,
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
  'validation.failed': 422,
  'route.not_found': 404,
  'auth.unauthenticated': 401,
  'auth.invalid_credentials': 401,
  'auth.key_invalid': 401,
  'auth.key_expired': 401,
  'auth.key_revoked': 401,
  'auth.key_in_query': 400,
  'auth.csrf_failed': 403,
  'auth.forbidden': 403,
  'auth.org_unit_forbidden': 403,
  'setup.already_done': 409,
  'org_unit.not_found': 404,
  'org_unit.name_taken': 409,
  'org_unit.invalid_parent': 422,
  'user.not_found': 404,
  'user.email_taken': 409,
  'user.cannot_deactivate_self': 422,
  'api_key.not_found': 404,
  'api_key.exceeds_creator': 403,
  'contact.not_found': 404,
  'contact.invalid_phone': 422,
  'contact.invalid_status': 422,
  'import.not_found': 404,
  'import.invalid_csv': 422,
  'consent.invalid_phone': 422,
  'template.not_found': 404,
  'template.name_taken': 409,
  'template.invalid': 422,
  'gateway.not_found': 404,
  'gateway.name_taken': 409,
  'sender.not_found': 404,
  'sender.name_taken': 409,
  'message.not_found': 404,
  'message.empty_text': 422,
  'message.too_long': 422,
  'message.too_many_parts': 422,
  'message.invalid_schedule': 422,
  'message.invalid_recipient': 422,
  'message.not_cancelable': 409,
  'message.not_resendable': 409,
  'message.already_resent': 409,
  'batch.not_found': 404,
  'batch.not_cancelable': 409,
  'batch.no_recipients': 422,
  'idempotency.key_reused': 422,
  'idempotency.in_progress': 409,
  'idempotency.invalid_key': 400,
  'callback.not_found': 404,
  'callback.invalid_payload': 400,
  'callback.invalid_signature': 401,
  'webhook.not_found': 404,
  'webhook.url_not_allowed': 422,
  'webhook.delivery_not_found': 404,
  'inbound.not_found': 404,
  'inbound.not_supported': 404,
  internal: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

/** Which details a client may see; anything else stays in the server's log. */
const PUBLIC_DETAIL_KEYS = new Set([
  'issues',
  'permission',
  'orgUnitId',
  'id',
  'name',
  'email',
  'permissions',
  'parentId',
  'limitBytes',
  'errors',
  'variables',
  'reason',
  'field',
  'variables',
  'errors',
  'maxLength',
  'maxParts',
  'length',
  'parts',
  'characters',
  'messageStatus',
  'resentBy',
]);

/** Writes an RFC 9457 problem+json response. */
export function problem(c: Context, code: ErrorCode, detail: string, extra?: Record<string, unknown>) {
  const status = STATUS_OF[code];
  const body: Record<string, unknown> = {
    type: `https://herald.invalid/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    instance: c.req.path,
    requestId: c.get('requestId' as never),
  };
  for (const [k, v] of Object.entries(extra ?? {}))
    if (PUBLIC_DETAIL_KEYS.has(k) && !(k in body)) body[k] = v;
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json' });
}
