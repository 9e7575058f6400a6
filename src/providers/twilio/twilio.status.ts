import type { ReportStatus } from '../provider.contract.js';

/**
 * Twilio's message statuses (`MessageStatus` in status callbacks, `status` of the Message resource)
 * and what each becomes in Herald. `null`: not a delivery report — the message is still on its way
 * inside Twilio (Herald already shows it `accepted`), or the status belongs to inbound messages.
 * Documented in docs/gateways.md ("Twilio").
 */
export const TWILIO_STATUS_MAP = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: null,
  sent: 'sent',
  delivered: 'delivered',
  // Read receipts (WhatsApp, RCS) imply delivery.
  read: 'delivered',
  undelivered: 'undelivered',
  // Twilio could not send it (queue overflow, validity period passed: 30001, 30036, account issues).
  failed: 'failed',
  // A scheduled message canceled at Twilio: never sent.
  canceled: 'failed',
  // Group MMS only; a single SMS is never partially delivered.
  partially_delivered: null,
  receiving: null,
  received: null,
} as const satisfies Record<string, ReportStatus | null>;

export type TwilioStatus = keyof typeof TWILIO_STATUS_MAP;

export function isTwilioStatus(s: string): s is TwilioStatus {
  return Object.hasOwn(TWILIO_STATUS_MAP, s);
}

export function canonicalStatus(s: TwilioStatus): ReportStatus | null {
  return TWILIO_STATUS_MAP[s];
}
