import { Alert, Badge, Group, Table, Text } from '@mantine/core';
import type { Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { formatNumber, t } from '../../i18n';

type ReceiverList = Schemas['ReceiverList'];
type Eligibility = NonNullable<ReceiverList['items']>[number]['eligibility'];
const MAX_ROWS = 500;

/** Receiver List: every recipient with number and eligibility, and the totals. */
export function ReceiverListTable({ list, stale }: { list: ReceiverList; stale: boolean }) {
  const session = useSession();
  const items = list.items ?? [];
  const { requested, ...byEligibility } = list.totals;
  const ok = byEligibility.ok ?? 0;
  const blocked = Object.entries(byEligibility)
    .filter(([k]) => k !== 'ok')
    .reduce((n, [, v]) => n + (v ?? 0), 0);
  return (
    <section aria-labelledby="receiver-list-title" data-testid="receiver-list">
      <Group justify="space-between" mb="xs">
        <Text id="receiver-list-title" fw={700}>
          {t('center.receiverList')}
        </Text>
        <Group gap="xs" role="status" aria-live="polite">
          <Badge variant="light" color="gray" tt="none">
            {t('center.totals.requested')}: {formatNumber(requested)}
          </Badge>
          <Badge variant="light" color="green" tt="none" data-testid="total-ok">
            {t('center.totals.ok')}: {formatNumber(ok)}
          </Badge>
          <Badge variant="light" color={blocked ? 'red' : 'gray'} tt="none" data-testid="total-blocked">
            {t('center.totals.blocked')}: {formatNumber(blocked)}
          </Badge>
          {Object.entries(byEligibility)
            .filter(([k, v]) => k !== 'ok' && v)
            .map(([k, v]) => (
              <Badge key={k} variant="outline" color="red" tt="none">
                {t(`eligibility.${k as Eligibility}`)}: {formatNumber(v ?? 0)}
              </Badge>
            ))}
        </Group>
      </Group>
      {stale && (
        <Alert color="yellow" mb="xs" p="xs">
          {t('center.receiverListStale')}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={560} mah={360}>
        <Table striped stickyHeader verticalSpacing={4} fz="sm" aria-label={t('center.receiverList')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('center.col.name')}</Table.Th>
              <Table.Th>{t('center.col.phone')}</Table.Th>
              <Table.Th>{t('messages.col.orgUnit')}</Table.Th>
              <Table.Th>{t('center.col.eligibility')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.slice(0, MAX_ROWS).map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is one server answer, never reordered; a row may repeat (duplicate)
              <Table.Tr key={`${r.contactId ?? r.phone}-${i}`} data-eligibility={r.eligibility}>
                <Table.Td>{r.name ?? t('common.none')}</Table.Td>
                <Table.Td className="nowrap">{r.e164 ?? r.phone ?? t('common.none')}</Table.Td>
                <Table.Td>{session.orgUnitName(r.orgUnitId)}</Table.Td>
                <Table.Td>
                  <Badge
                    color={r.eligibility === 'ok' ? 'green' : r.eligibility === 'duplicate' ? 'gray' : 'red'}
                    variant="light"
                    tt="none"
                  >
                    {t(`eligibility.${r.eligibility}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {items.length > MAX_ROWS && (
        <Text size="xs" c="dimmed">
          {t('center.showingFirst', { shown: formatNumber(MAX_ROWS), total: formatNumber(items.length) })}
        </Text>
      )}
    </section>
  );
}
