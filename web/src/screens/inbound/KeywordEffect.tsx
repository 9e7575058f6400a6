import { Badge, Stack, Text } from '@mantine/core';
import type { Schemas } from '../../api/client';
import { type MessageKey, t } from '../../i18n';

type Inbound = Schemas['InboundMessage'];

const EFFECT_COLOR: Record<string, string> = {
  opted_out: 'red',
  already_opted_out: 'gray',
  opted_in: 'green',
  already_opted_in: 'gray',
  not_opted_out: 'gray',
  help_sent: 'blue',
  no_number: 'orange',
};

/** What a keyword did: the keyword, its action and its effect (consent changed, reply sent). */
export function KeywordEffect({ k }: { k: NonNullable<Inbound['keyword']> }) {
  return (
    <Stack gap={2} align="flex-start">
      <Badge
        color={k.effect ? (EFFECT_COLOR[k.effect] ?? 'gray') : 'gray'}
        variant="light"
        tt="none"
        data-effect={k.effect ?? ''}
      >
        {k.effect ? t(`effect.${k.effect}` as MessageKey) : t(`keyword.${k.action}` as MessageKey)}
      </Badge>
      <Text size="xs" c="dimmed">
        {k.keyword} · {t(`keyword.${k.action}` as MessageKey)}
        {k.replyMessageId ? ` · ${t('inbound.replySent')}` : ''}
      </Text>
    </Stack>
  );
}
