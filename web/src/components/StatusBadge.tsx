import { Badge, Stack, Text } from '@mantine/core';
import { t } from '../i18n';

export type MessageStatus =
  | 'scheduled'
  | 'queued'
  | 'sending'
  | 'unknown'
  | 'accepted'
  | 'sent'
  | 'delivered'
  | 'undelivered'
  | 'rejected'
  | 'failed'
  | 'status_timeout'
  | 'expired'
  | 'canceled'
  | 'blocked';

export const STATUS_ORDER: MessageStatus[] = [
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

const COLORS: Record<MessageStatus, string> = {
  scheduled: 'gray',
  queued: 'gray',
  sending: 'blue',
  unknown: 'orange',
  accepted: 'cyan',
  sent: 'teal',
  delivered: 'green',
  undelivered: 'red',
  rejected: 'red',
  failed: 'red',
  status_timeout: 'orange',
  expired: 'gray',
  canceled: 'gray',
  blocked: 'grape',
};

export const statusLabel = (s: string) => t(`status.${s}` as `status.${MessageStatus}`) ?? s;
export const reasonLabel = (r: string | null | undefined) =>
  r ? (t(`reason.${r}` as 'reason.no_consent') ?? r) : '';

/** Human label (as the server names the status) and, for blocked, the reason under it. */
export function StatusBadge({ status, reason }: { status: string; reason?: string | null }) {
  return (
    <Stack gap={2} align="flex-start">
      <Badge color={COLORS[status as MessageStatus] ?? 'gray'} variant="light" tt="none" data-status={status}>
        {statusLabel(status)}
      </Badge>
      {status === 'blocked' && reason && (
        <Text size="xs" c="dimmed">
          {reasonLabel(reason)}
        </Text>
      )}
    </Stack>
  );
}
