import type { ColumnType } from 'kysely';
import type { SqlBool } from '../../db/dialect.js';

/** Event types an endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = ['message.status_changed', 'message.inbound', 'batch.completed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
/** Sent only by `POST /api/webhooks/{id}/test`; not subscribable. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export const DELIVERY_STATES = ['pending', 'delivered', 'failed', 'gave_up'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const ATTEMPT_OUTCOMES = ['delivered', 'retry', 'failed', 'gone', 'gave_up'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

export interface WebhookEndpointTable {
  id: string;
  org_unit_id: string;
  url: string;
  description: string | null;
  /** JSON array of `WebhookEventType`. */
  event_types: string;
  enabled: SqlBool;
  /** Since when it is enabled (it receives events from then on); null while disabled. */
  enabled_at: string | null;
  disabled_reason: string | null;
  disabled_at: string | null;
  /** AES-256-GCM ciphertext of the signing secret (see core/secrets.ts). */
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: string | null;
  secret_rotated_at: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveryTable {
  id: string;
  endpoint_id: string;
  event_type: string;
  event_key: string;
  payload: string;
  state: DeliveryState;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_response_status: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  created_at: string;
  finished_at: string | null;
}

export interface WebhookAttemptTable {
  id: string;
  delivery_id: string;
  attempted_at: string;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
  outcome: AttemptOutcome;
}

export interface WebhookCursorTable {
  name: string;
  after_at: string;
  after_id: string;
  updated_at: string;
}
