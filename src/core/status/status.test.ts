import { describe, expect, it } from 'vitest';
import {
  applyStatus,
  BLOCK_REASON_LABELS,
  BLOCK_REASONS,
  canResend,
  canTransition,
  isBlockReason,
  isFinal,
  isMessageStatus,
  type MessageStatus,
  STATUS_TABLE,
  STATUSES,
} from './index.js';

// Written out by hand from DESIGN §2 and the transition rules, deliberately not derived from
// STATUS_TABLE, so a change to the table has to be made here too.
const ALLOWED = `
  scheduled -> queued canceled expired blocked
  queued    -> sending canceled expired blocked
  sending   -> accepted sent delivered undelivered rejected failed unknown queued blocked expired
  unknown   -> accepted sent delivered undelivered rejected failed status_timeout
  accepted  -> sent delivered undelivered rejected status_timeout
  sent      -> delivered undelivered rejected status_timeout
`;
const ALLOWED_PAIRS = new Set(
  ALLOWED.trim()
    .split('\n')
    .flatMap((line) => {
      const [from, targets] = line.split('->').map((part) => part.trim());
      return (targets ?? '').split(/\s+/).map((to) => `${from}->${to}`);
    }),
);

const ALL: MessageStatus[] = [
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
];
const FINAL: MessageStatus[] = [
  'delivered',
  'undelivered',
  'rejected',
  'failed',
  'status_timeout',
  'expired',
  'canceled',
  'blocked',
];
// Lifecycle order of the non-final statuses; every final status comes after all of them.
const ORDER: MessageStatus[] = ['scheduled', 'queued', 'sending', 'unknown', 'accepted', 'sent'];
const position = (status: MessageStatus) => (FINAL.includes(status) ? ORDER.length : ORDER.indexOf(status));

function expectedResult(current: MessageStatus, next: MessageStatus) {
  if (current === next) return { changed: false, status: current, ignoredReason: 'same' };
  if (FINAL.includes(current)) return { changed: false, status: current, ignoredReason: 'final' };
  if (ALLOWED_PAIRS.has(`${current}->${next}`)) return { changed: true, status: next };
  if (position(next) < position(current))
    return { changed: false, status: current, ignoredReason: 'backwards' };
  return { changed: false, status: current, ignoredReason: 'not_allowed' };
}

describe('statuses', () => {
  it('are the 14 canonical statuses in lifecycle order', () => {
    expect(STATUSES).toEqual(ALL);
    expect(Object.keys(STATUS_TABLE).sort()).toEqual([...ALL].sort());
  });

  it('marks exactly the DESIGN final statuses as final', () => {
    for (const status of ALL) expect(isFinal(status), status).toBe(FINAL.includes(status));
  });

  it('allows resending only accepted, failed and status_timeout', () => {
    expect(ALL.filter(canResend)).toEqual(['accepted', 'failed', 'status_timeout']);
  });

  it.each<[MessageStatus, string]>([
    ['queued', 'To be sent'],
    ['delivered', 'Received'],
    ['failed', 'Sending failed'],
    ['status_timeout', 'Timeout during status check'],
  ])('labels %s as %j', (status, label) => {
    expect(STATUS_TABLE[status].label).toBe(label);
  });

  it('gives every status a distinct label', () => {
    const labels = ALL.map((status) => STATUS_TABLE[status].label);
    expect(new Set(labels).size).toBe(ALL.length);
  });

  it('recognises status and block reason strings', () => {
    expect(ALL.every(isMessageStatus)).toBe(true);
    expect(isMessageStatus('DELIVRD')).toBe(false);
    expect(isMessageStatus('toString')).toBe(false);
    expect(isMessageStatus(undefined)).toBe(false);
    expect(isBlockReason('opted_out')).toBe(true);
    expect(isBlockReason('blocked')).toBe(false);
    expect(isBlockReason('constructor')).toBe(false);
  });

  it('has the six block reasons, each with a label', () => {
    expect(BLOCK_REASONS).toEqual([
      'no_phone',
      'invalid_phone',
      'no_consent',
      'opted_out',
      'sending_disabled',
      'sender_not_configured',
    ]);
    for (const reason of BLOCK_REASONS) expect(BLOCK_REASON_LABELS[reason].length, reason).toBeGreaterThan(5);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(STATUS_TABLE)).toBe(true);
    expect(Object.isFrozen(STATUS_TABLE.sending)).toBe(true);
    expect(Object.isFrozen(STATUS_TABLE.sending.next)).toBe(true);
    expect(Object.isFrozen(STATUSES)).toBe(true);
    expect(Object.isFrozen(BLOCK_REASONS)).toBe(true);
  });
});

describe('applyStatus', () => {
  it('follows the hand-written expectation for all 14×14 pairs', () => {
    let checked = 0;
    for (const current of ALL) {
      for (const next of ALL) {
        expect(applyStatus(current, next), `${current} -> ${next}`).toEqual(expectedResult(current, next));
        expect(canTransition(current, next), `${current} -> ${next}`).toBe(
          ALLOWED_PAIRS.has(`${current}->${next}`),
        );
        checked++;
      }
    }
    expect(checked).toBe(196);
  });

  it('allows exactly the listed transitions', () => {
    const allowed = ALL.flatMap((from) =>
      ALL.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`),
    );
    expect(new Set(allowed)).toEqual(ALLOWED_PAIRS);
  });

  it('never changes a final status', () => {
    for (const current of FINAL) {
      for (const next of ALL) {
        const result = applyStatus(current, next);
        expect(result.changed, `${current} -> ${next}`).toBe(false);
        expect(result.status).toBe(current);
      }
    }
  });

  it('moves forward only, except the worker putting a retryable attempt back to queued', () => {
    const moves = [...ALLOWED_PAIRS].map((pair) => pair.split('->') as [MessageStatus, MessageStatus]);
    const backwards = moves.filter(([from, to]) => position(to) <= position(from));
    expect(backwards).toEqual([['sending', 'queued']]);
  });

  it('ignores a sent report after delivered', () => {
    expect(applyStatus('delivered', 'sent')).toEqual({
      changed: false,
      status: 'delivered',
      ignoredReason: 'final',
    });
  });

  it('ignores a late accepted after sent as backwards', () => {
    expect(applyStatus('sent', 'accepted')).toEqual({
      changed: false,
      status: 'sent',
      ignoredReason: 'backwards',
    });
  });

  it('ignores a duplicate report as same', () => {
    expect(applyStatus('accepted', 'accepted')).toEqual({
      changed: false,
      status: 'accepted',
      ignoredReason: 'same',
    });
    expect(applyStatus('delivered', 'delivered')).toEqual({
      changed: false,
      status: 'delivered',
      ignoredReason: 'same',
    });
  });

  it('is idempotent: applying the same report twice changes the status once', () => {
    for (const current of ALL) {
      for (const next of ALL) {
        const first = applyStatus(current, next);
        const second = applyStatus(first.status, next);
        expect(second.changed, `${current} -> ${next} twice`).toBe(false);
        expect(second.status).toBe(first.status);
      }
    }
  });

  it('reaches the same status whatever order delivery reports arrive in', () => {
    const orders = [
      ['accepted', 'sent', 'delivered'],
      ['delivered', 'sent', 'accepted'],
      ['sent', 'accepted', 'delivered'],
      ['sent', 'delivered', 'accepted'],
    ] as const;
    for (const order of orders) {
      const final = order.reduce<MessageStatus>(
        (status, report) => applyStatus(status, report).status,
        'sending',
      );
      expect(final, order.join(',')).toBe('delivered');
    }
  });

  it('reports not_allowed for a forward move that is no transition, backwards for a lower one', () => {
    expect(applyStatus('accepted', 'failed')).toEqual({
      changed: false,
      status: 'accepted',
      ignoredReason: 'not_allowed',
    });
    expect(applyStatus('sending', 'canceled')).toMatchObject({
      changed: false,
      ignoredReason: 'not_allowed',
    });
    expect(applyStatus('unknown', 'queued')).toMatchObject({ changed: false, ignoredReason: 'backwards' });
  });
});
