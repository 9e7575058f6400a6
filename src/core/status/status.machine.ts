/** Canonical message statuses (DESIGN §2), in lifecycle order. */
export const STATUSES = Object.freeze([
  'scheduled',
  'queued',
  'sending',
  'unknown',
  'accepted',
  'sent',
  'delivered',
  'undelivered',
  'rejected',
  'failed',
  'status_timeout',
  'expired',
  'canceled',
  'blocked',
] as const);

export type MessageStatus = (typeof STATUSES)[number];

/** Why a message was `blocked` (its `status_reason`). */
export const BLOCK_REASONS = Object.freeze([
  'no_phone',
  'invalid_phone',
  'no_consent',
  'opted_out',
  'sending_disabled',
  'sender_not_configured',
] as const);

export type BlockReason = (typeof BLOCK_REASONS)[number];

export interface StatusInfo {
  /** No further status change is ever applied. */
  readonly final: boolean;
  /** A user may resend: create a new message pointing at this one (`resent_of`). */
  readonly resendable: boolean;
  /** User-facing name. */
  readonly label: string;
  /**
   * Position in the lifecycle; a report never moves a message to a lower rank. All final
   * statuses share the highest rank.
   */
  readonly rank: number;
  /** Statuses this one may change to. */
  readonly next: readonly MessageStatus[];
}

const FINAL_RANK = 6;

// Outcomes a gateway reports once it has the message; a report may overtake the worker's own
// write (a delivery report arriving before `accepted` is stored), hence listed from `sending` on.
const GATEWAY_OUTCOMES = ['accepted', 'sent', 'delivered', 'undelivered', 'rejected'] as const;

/**
 * The one table of statuses. Why the transitions are what they are:
 * - Before submit (`scheduled`, `queued`) a message can still be canceled, expire, or be blocked
 *   by policy (consent withdrawn, sending disabled) — the checks run again at claim time.
 * - `sending` is a worker holding a lease: the gateway answers (any gateway outcome), the
 *   attempt fails for good (`failed`), its outcome is unknown (`unknown`), policy or validity
 *   stops it (`blocked`, `expired`), or a retryable error puts it back to `queued` — the one
 *   move to a lower rank, made by the worker, never by a report. It cannot be `canceled`: the
 *   gateway may already have it.
 * - `unknown` is never retried (that could send twice); a status query or a late report resolves
 *   it, `failed` records that the gateway never got it, `status_timeout` that nobody could tell.
 * - `accepted` and `sent` wait for the carrier's verdict. A refusal after acceptance (SMPP
 *   `REJECTD`, an asynchronous "failed" callback) is `rejected`; our own `failed` is not
 *   possible any more, since we no longer retry once the gateway has the message.
 * - Final statuses change no more; a later report is only recorded in the history.
 */
export const STATUS_TABLE: { readonly [S in MessageStatus]: StatusInfo } = {
  scheduled: {
    final: false,
    resendable: false,
    label: 'Scheduled',
    rank: 0,
    next: ['queued', 'canceled', 'expired', 'blocked'],
  },
  queued: {
    final: false,
    resendable: false,
    label: 'To be sent',
    rank: 1,
    next: ['sending', 'canceled', 'expired', 'blocked'],
  },
  sending: {
    final: false,
    resendable: false,
    label: 'Sending',
    rank: 2,
    next: [...GATEWAY_OUTCOMES, 'failed', 'unknown', 'queued', 'blocked', 'expired'],
  },
  unknown: {
    final: false,
    resendable: false,
    label: 'Sending result unknown',
    rank: 3,
    next: [...GATEWAY_OUTCOMES, 'failed', 'status_timeout'],
  },
  accepted: {
    final: false,
    resendable: true,
    label: 'Accepted by gateway',
    rank: 4,
    next: ['sent', 'delivered', 'undelivered', 'rejected', 'status_timeout'],
  },
  sent: {
    final: false,
    resendable: false,
    label: 'Sent',
    rank: 5,
    next: ['delivered', 'undelivered', 'rejected', 'status_timeout'],
  },
  delivered: { final: true, resendable: false, label: 'Received', rank: FINAL_RANK, next: [] },
  undelivered: { final: true, resendable: false, label: 'Not delivered', rank: FINAL_RANK, next: [] },
  rejected: { final: true, resendable: false, label: 'Rejected by gateway', rank: FINAL_RANK, next: [] },
  failed: { final: true, resendable: true, label: 'Sending failed', rank: FINAL_RANK, next: [] },
  status_timeout: {
    final: true,
    resendable: true,
    label: 'Timeout during status check',
    rank: FINAL_RANK,
    next: [],
  },
  expired: { final: true, resendable: false, label: 'Expired', rank: FINAL_RANK, next: [] },
  canceled: { final: true, resendable: false, label: 'Canceled', rank: FINAL_RANK, next: [] },
  blocked: { final: true, resendable: false, label: 'Blocked', rank: FINAL_RANK, next: [] },
};

for (const info of Object.values(STATUS_TABLE)) Object.freeze(Object.freeze(info).next);
Object.freeze(STATUS_TABLE);

/** User-facing explanation of each block reason. */
export const BLOCK_REASON_LABELS: { readonly [R in BlockReason]: string } = {
  no_phone: 'The contact has no phone number',
  invalid_phone: 'The phone number is not valid',
  no_consent: 'No consent to send messages to this number',
  opted_out: 'The recipient opted out',
  sending_disabled: 'Sending is disabled for this org unit',
  sender_not_configured: 'No sender is configured for this org unit',
};

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && Object.hasOwn(STATUS_TABLE, value);
}

export function isBlockReason(value: unknown): value is BlockReason {
  return typeof value === 'string' && Object.hasOwn(BLOCK_REASON_LABELS, value);
}

export function isFinal(status: MessageStatus): boolean {
  return STATUS_TABLE[status].final;
}

export function canResend(status: MessageStatus): boolean {
  return STATUS_TABLE[status].resendable;
}

export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  return STATUS_TABLE[from].next.includes(to);
}

/**
 * Why a status was not applied:
 * - `same`: already in that status (a duplicate report);
 * - `final`: the current status is final (checked before `backwards`: `sent` after `delivered`);
 * - `backwards`: lower in the lifecycle than the current status (a late report);
 * - `not_allowed`: not lower, but no such transition (e.g. `accepted` → `failed`).
 */
export type IgnoredReason = 'same' | 'backwards' | 'final' | 'not_allowed';

export type ApplyStatusResult =
  | { changed: true; status: MessageStatus }
  | { changed: false; status: MessageStatus; ignoredReason: IgnoredReason };

/**
 * Decides whether `next` replaces `current`. `status` is the status the message has afterwards.
 * When nothing changes the caller still records the report in the message's history.
 */
export function applyStatus(current: MessageStatus, next: MessageStatus): ApplyStatusResult {
  if (current === next) return { changed: false, status: current, ignoredReason: 'same' };
  if (isFinal(current)) return { changed: false, status: current, ignoredReason: 'final' };
  if (canTransition(current, next)) return { changed: true, status: next };
  const ignoredReason = STATUS_TABLE[next].rank < STATUS_TABLE[current].rank ? 'backwards' : 'not_allowed';
  return { changed: false, status: current, ignoredReason };
}
