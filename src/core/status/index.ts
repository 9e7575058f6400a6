export type {
  ApplyStatusResult,
  BlockReason,
  IgnoredReason,
  MessageStatus,
  StatusInfo,
} from './status.machine.js';
export {
  applyStatus,
  BLOCK_REASON_LABELS,
  BLOCK_REASONS,
  canResend,
  canTransition,
  isBlockReason,
  isFinal,
  isMessageStatus,
  STATUS_TABLE,
  STATUSES,
} from './status.machine.js';
