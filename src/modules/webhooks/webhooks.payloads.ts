import { isFinal, isMessageStatus } from '../../core/status/index.js';

/**
 * The bodies Herald POSTs, in the Standard Webhooks shape `{ type, timestamp, data }`. A payload is
 * built once, when the delivery is created, and the same bytes are sent on every retry.
 *
 * `data.to` is the full E.164 number: the CRM needs it to match the message to its record, and the
 * receiver is an endpoint an administrator configured for this org unit. Logs never hold it.
 */
export interface StatusChangedRow {
  eventId: string;
  occurredAt: string;
  messageId: string;
  fromStatus: string | null;
  toStatus: string;
  reason: string | null;
  orgUnitId: string;
  batchId: string | null;
  contactId: string | null;
  to: string;
  referenceType: string | null;
  referenceId: string | null;
}

export function statusChangedPayload(r: StatusChangedRow) {
  return {
    type: 'message.status_changed',
    timestamp: r.occurredAt,
    data: {
      eventId: r.eventId,
      messageId: r.messageId,
      status: r.toStatus,
      previousStatus: r.fromStatus,
      final: isMessageStatus(r.toStatus) && isFinal(r.toStatus),
      reason: r.reason,
      orgUnitId: r.orgUnitId,
      batchId: r.batchId,
      contactId: r.contactId,
      to: r.to,
      reference:
        r.referenceType !== null || r.referenceId !== null
          ? { type: r.referenceType, id: r.referenceId }
          : null,
      occurredAt: r.occurredAt,
    },
  };
}

export interface BatchCompletedRow {
  batchId: string;
  orgUnitId: string;
  completedAt: string;
  createdAt: string;
  requestedCount: number;
  blockedCount: number;
  /** Messages of the batch by final status. */
  counts: Record<string, number>;
}

export function batchCompletedPayload(r: BatchCompletedRow) {
  return {
    type: 'batch.completed',
    timestamp: r.completedAt,
    data: {
      batchId: r.batchId,
      orgUnitId: r.orgUnitId,
      createdAt: r.createdAt,
      completedAt: r.completedAt,
      requestedCount: r.requestedCount,
      blockedCount: r.blockedCount,
      messages: Object.values(r.counts).reduce((a, b) => a + b, 0),
      counts: r.counts,
    },
  };
}

export function testPayload(webhookId: string, at: string) {
  return {
    type: 'webhook.test',
    timestamp: at,
    data: { webhookId, message: 'This is a test event from Herald.' },
  };
}
