import { Anchor, Badge, Card, Group, MultiSelect, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useState } from 'react';
import { useSession } from '../../auth/session';
import { STATUS_ORDER, StatusBadge, statusLabel } from '../../components/StatusBadge';
import { formatDateTime, t } from '../../i18n';
import type { Message, MessageFilters } from './useMessages';

/** The messages overview at phone width: the same rows and filters as cards, no sideways scrolling. */
export function MessageCards(p: {
  rows: Message[];
  filters: MessageFilters;
  onFilters(f: MessageFilters): void;
  selectedId: string | null;
  onSelect(id: string): void;
  onOpen(id: string): void;
}) {
  const session = useSession();
  const f = p.filters;
  const [q, setQ] = useState(f.q);
  const [phone, setPhone] = useState(f.phone);
  const push = useDebouncedCallback((next: Partial<MessageFilters>) => p.onFilters({ ...f, ...next }), 350);
  return (
    <Stack gap="xs" data-testid="messages-cards">
      <TextInput
        size="sm"
        aria-label={t('messages.filter.text')}
        placeholder={t('messages.filter.text')}
        value={q}
        onChange={(e) => {
          setQ(e.currentTarget.value);
          push({ q: e.currentTarget.value.trim() });
        }}
      />
      <TextInput
        size="sm"
        aria-label={t('messages.filter.phone')}
        placeholder={t('messages.filter.phone')}
        value={phone}
        onChange={(e) => {
          setPhone(e.currentTarget.value);
          push({ phone: e.currentTarget.value.trim() });
        }}
      />
      <MultiSelect
        size="sm"
        aria-label={t('messages.filter.status')}
        placeholder={t('messages.filter.status')}
        data={STATUS_ORDER.map((s) => ({ value: s, label: statusLabel(s) }))}
        value={f.status}
        onChange={(status) => p.onFilters({ ...f, status })}
        clearable
      />
      <MultiSelect
        size="sm"
        aria-label={t('messages.filter.orgUnit')}
        placeholder={t('common.all')}
        data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
        value={f.orgUnitIds}
        onChange={(orgUnitIds) => p.onFilters({ ...f, orgUnitIds })}
        clearable
      />
      {p.rows.map((m) => (
        <Card
          key={m.id}
          withBorder
          padding="sm"
          data-id={m.id}
          data-status={m.status}
          className={m.id === p.selectedId ? 'row-selected' : undefined}
        >
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Group gap="xs" wrap="nowrap">
              <Radio
                size="xs"
                name="message-selection-cards"
                checked={m.id === p.selectedId}
                onChange={() => p.onSelect(m.id)}
                aria-label={t('messages.selectRow', { phone: m.to })}
              />
              <Text fw={600} size="sm">
                {m.to}
              </Text>
            </Group>
            <StatusBadge status={m.status} reason={m.statusReason} />
          </Group>
          <Anchor
            component="button"
            type="button"
            c="inherit"
            ta="left"
            mt={4}
            onClick={() => {
              p.onSelect(m.id);
              p.onOpen(m.id);
            }}
          >
            <Text size="sm" lineClamp={3} style={{ wordBreak: 'break-word' }}>
              {m.body}
            </Text>
          </Anchor>
          <Group justify="space-between" mt={4}>
            <Text size="xs" c="dimmed">
              {formatDateTime(m.createdAt)} · {session.orgUnitName(m.orgUnitId)}
            </Text>
            {m.resentOf && (
              <Badge size="xs" variant="light" data-testid="resent-mark">
                {t('messages.resent')}
              </Badge>
            )}
          </Group>
        </Card>
      ))}
    </Stack>
  );
}
