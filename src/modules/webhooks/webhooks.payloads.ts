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

/** One stored inbound SMS, as the `message.inbound` webhook reports it. */
export interface InboundRow {
  inboundId: string;
  orgUnitId: string;
  storedAt: string;
  receivedAt: string;
  from: string;
  fromE164: string | null;
  to: string;
  text: string;
  providerAccountId: string;
  contactId: string | null;
  lastMessageId: string | null;
  keyword: string | null;
  keywordAction: string | null;
  keywordEffect: string | null;
  replyMessageId: string | null;
}

/**
 * `message.inbound`: a reply or keyword a handset sent. `data.text` is the message as received — the
 * CRM needs it (and the receiver is an endpoint an administrator configured for this org unit).
 */
export function inboundPayload(r: InboundRow) {
  return {
    type: 'message.inbound',
    timestamp: r.storedAt,
    data: {
      inboundId: r.inboundId,
      orgUnitId: r.orgUnitId,
      from: r.fromE164 ?? r.from,
      to: r.to,
      text: r.text,
      receivedAt: r.receivedAt,
      providerAccountId: r.providerAccountId,
      contactId: r.contactId,
      lastMessageId: r.lastMessageId,
      keyword:
        r.keyword !== null
          ? {
              keyword: r.keyword,
              action: r.keywordAction,
              effect: r.keywordEffect,
              replyMessageId: r.replyMessageId,
            }
          : null,
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
