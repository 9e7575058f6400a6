import { Anchor, Button, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, must } from '../../api/client';
import { useSession } from '../../auth/session';
import { LoadMore } from '../../components/LoadMore';
import { formatDateTime, t } from '../../i18n';
import { LoadError, ScreenHeader } from '../../shell/ScreenState';
import { KeywordEffect } from './KeywordEffect';

type KeywordFilter = '' | 'any' | 'none' | 'opt_out' | 'opt_in' | 'opt_in_if_opted_out' | 'help';

/** Received SMS of the current org unit, newest first, linked to their contacts, with keyword effects. */
export default function InboundScreen() {
  const session = useSession();
  const [number, setNumber] = useState('');
  const [keyword, setKeyword] = useState<KeywordFilter>('');
  const [f] = useDebouncedValue(
    { number: number.trim(), keyword, orgUnitId: session.currentOrgUnit?.id },
    300,
  );
  const query = useInfiniteQuery({
    queryKey: ['inbound', 'list', f],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/inbound', {
          params: {
            query: {
              limit: 50,
              ...(f.number ? { number: f.number } : {}),
              ...(f.keyword ? { keyword: f.keyword } : {}),
              ...(f.orgUnitId ? { orgUnitId: f.orgUnitId } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const contactIds = [...new Set(rows.map((r) => r.contactId).filter((x): x is string => !!x))];
  const names = useContactNames(contactIds);

  return (
    <Stack gap="sm">
      <ScreenHeader
        title={t('inbound.title')}
        intro={t('inbound.intro')}
        actions={
          <Button
            variant="default"
            onClick={() => void query.refetch()}
            loading={query.isRefetching && !query.isFetchingNextPage}
          >
            {t('common.refresh')}
          </Button>
        }
      />
      <Group gap="sm" align="flex-end">
        <TextInput
          label={t('inbound.number')}
          type="search"
          value={number}
          onChange={(e) => setNumber(e.currentTarget.value)}
          w={{ base: '100%', xs: 220 }}
        />
        <Select
          label={t('inbound.keyword')}
          value={keyword}
          onChange={(v) => setKeyword((v ?? '') as KeywordFilter)}
          data={[
            { value: '', label: t('common.all') },
            { value: 'any', label: t('inbound.keyword.any') },
            { value: 'none', label: t('inbound.keyword.none') },
            ...(['opt_out', 'opt_in', 'opt_in_if_opted_out', 'help'] as const).map((k) => ({
              value: k,
              label: t(`keyword.${k}`),
            })),
          ]}
          allowDeselect={false}
          w={{ base: '100%', xs: 220 }}
        />
      </Group>
      {query.error && <LoadError error={query.error} onRetry={() => void query.refetch()} />}
      <Table.ScrollContainer minWidth={860}>
        <Table
          striped
          aria-label={t('inbound.title')}
          aria-busy={query.isPending}
          data-testid="inbound-table"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={170}>{t('inbound.col.receivedAt')}</Table.Th>
              <Table.Th w={200}>{t('inbound.col.from')}</Table.Th>
              <Table.Th>{t('inbound.col.text')}</Table.Th>
              <Table.Th w={200}>{t('inbound.col.keyword')}</Table.Th>
              <Table.Th w={130}>{t('inbound.col.to')}</Table.Th>
              <Table.Th w={130}>{t('inbound.col.orgUnit')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((m) => (
              <Table.Tr key={m.id} data-id={m.id}>
                <Table.Td className="nowrap">{formatDateTime(m.receivedAt)}</Table.Td>
                <Table.Td>
                  <Text size="sm" className="nowrap">
                    {m.fromE164 ?? m.from}
                  </Text>
                  {m.contactId ? (
                    <Anchor component={Link} to={`/contacts/${m.contactId}`} size="xs">
                      {names[m.contactId] ?? t('common.details')}
                    </Anchor>
                  ) : (
                    <Text size="xs" c="dimmed">
                      {t('inbound.unknownSender')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {m.text}
                  </Text>
                </Table.Td>
                <Table.Td>{m.keyword ? <KeywordEffect k={m.keyword} /> : null}</Table.Td>
                <Table.Td className="nowrap">{m.to}</Table.Td>
                <Table.Td>{session.orgUnitName(m.orgUnitId)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!query.isPending && rows.length === 0 && <Text c="dimmed">{t('common.noRows')}</Text>}
      <LoadMore query={query} />
    </Stack>
  );
}

/** Names of the contacts on the page (one request each, cached; a page has few distinct senders). */
function useContactNames(ids: string[]): Record<string, string> {
  const session = useSession();
  const q = useQuery({
    queryKey: ['contacts', 'names', ids],
    queryFn: async () => {
      const out: Record<string, string> = {};
      await Promise.all(
        ids.map(async (id) => {
          const r = await api.GET('/api/contacts/{id}', { params: { path: { id } } });
          if (r.data) out[id] = r.data.name;
        }),
      );
      return out;
    },
    enabled: ids.length > 0 && session.can('contacts.read'),
    staleTime: 60_000,
  });
  return q.data ?? {};
}
