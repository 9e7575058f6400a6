import type { MessageStatus } from '../../core/status/index.js';
import type { ReportStatus } from '../../providers/provider.contract.js';

/** Part statuses that say the part will never arrive. */
const PART_FAILURES: ReadonlySet<string> = new Set(['undelivered', 'rejected', 'failed']);
const PART_FINAL: ReadonlySet<string> = new Set(['delivered', ...PART_FAILURES]);

/**
 * The status a part has after a report: the first final verdict of a part stays (a late `sent` or a
 * duplicate changes nothing), exactly like the message's own status machine. Returns `null` when the
 * report changes nothing.
 */
export function partStatusAfter(current: string | undefined, reported: ReportStatus): ReportStatus | null {
  if (current === reported) return null;
  if (current !== undefined && PART_FINAL.has(current)) return null;
  return reported;
}

export interface PartAggregate {
  /** The message status the parts add up to. */
  status: MessageStatus;
  /** The part that decided a failure (lowest failing part number), with its error code. */
  failingPart?: { part: number; errorCode: string | null };
}

/**
 * What the parts of a multi-part message add up to:
 * - any part failed (`undelivered`, `rejected`, or `failed` after the gateway took it) → the message is
 *   `undelivered` (`rejected` when that part was rejected); the lowest failing part decides;
 * - every part 1…`parts` delivered → `delivered`;
 * - otherwise, some part was reported `sent` or `delivered` → `sent` (the carrier has it, not all arrived yet).
 */
export function aggregateParts(
  parts: number,
  reports: ReadonlyMap<number, { status: string; errorCode: string | null }>,
): PartAggregate {
  const failing = [...reports.entries()]
    .filter(([, r]) => PART_FAILURES.has(r.status))
    .sort(([a], [b]) => a - b)[0];
  if (failing) {
    const [part, r] = failing;
    return {
      status: r.status === 'rejected' ? 'rejected' : 'undelivered',
      failingPart: { part, errorCode: r.errorCode },
    };
  }
  let delivered = 0;
  for (let p = 1; p <= parts; p++) if (reports.get(p)?.status === 'delivered') delivered++;
  return { status: delivered === parts ? 'delivered' : 'sent' };
}
