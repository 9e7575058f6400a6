import { Button, Code, Group, Select, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must } from '../../api/client';
import type { paths } from '../../api/schema';
import { useSession } from '../../auth/session';
import { ListTable } from '../../components/ListTable';
import { formatDateTime, t } from '../../i18n';
import { LoadError } from '../../shell/ScreenState';

type EventType = NonNullable<
  NonNullable<paths['/api/security-events']['get']['parameters']['query']>['type']
>;

const TYPES = [
  'login',
  'login_failed',
  'logout',
  'setup_completed',
  'user_created',
  'user_updated',
  'api_key_created',
  'api_key_revoked',
  'api_key_rejected',
  'permission_denied',
  'org_unit_keywords_updated',
  'gateway_created',
  'gateway_updated',
  'gateway_test_send',
  'inbound_simulated',
] as const satisfies readonly EventType[];

/** The audit log (security events), newest first, with who did it by name where Herald knows it. */
export function AuditLogTab() {
  const session = useSession();
  const [type, setType] = useState<string>('');
  const events = useInfiniteQuery({
    queryKey: ['security-events', type],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/security-events', {
          params: {
            query: {
              limit: 100,
              ...(type ? { type: type as EventType } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const users = useQuery({
    queryKey: ['users', 'names'],
    queryFn: () => must(api.GET('/api/users', { params: { query: { limit: 500 } } })),
    enabled: session.can('users.read'),
    staleTime: 60_000,
  });
  const userName = (id: string) => users.data?.items.find((u) => u.id === id)?.name ?? id.slice(0, 8);
  const actor = (a: { type: string; id: string | null }) =>
    a.type === 'user' && a.id
      ? userName(a.id)
      : a.type === 'api_key' && a.id
        ? t('audit.apiKey', { id: a.id.slice(0, 8) })
        : a.type === 'system'
          ? t('audit.system')
          : t('audit.anonymous');
  const rows = events.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('audit.intro')}
      </Text>
      <Group>
        <Select
          label={t('audit.type')}
          data={[{ value: '', label: t('audit.allTypes') }, ...TYPES.map((x) => ({ value: x, label: x }))]}
          value={type}
          onChange={(v) => setType(v ?? '')}
          allowDeselect={false}
          w={260}
        />
        <Button variant="default" mt={24} onClick={() => void events.refetch()} loading={events.isRefetching}>
          {t('common.refresh')}
        </Button>
      </Group>
      {events.error && <LoadError error={events.error} onRetry={() => void events.refetch()} />}
      <ListTable
        label={t('admin.tab.audit')}
        testId="audit-table"
        minWidth={900}
        columns={[
          t('audit.col.when'),
          t('audit.col.type'),
          t('audit.col.actor'),
          t('audit.col.target'),
          t('audit.col.ip'),
          t('audit.col.details'),
        ]}
      >
        {rows.map((e) => (
          <Table.Tr key={e.id}>
            <Table.Td className="nowrap">{formatDateTime(e.occurredAt)}</Table.Td>
            <Table.Td>
              <Code>{e.type}</Code>
            </Table.Td>
            <Table.Td>{actor(e.actor)}</Table.Td>
            <Table.Td>
              <Text size="xs" style={{ wordBreak: 'break-all' }}>
                {e.target ?? ''}
              </Text>
            </Table.Td>
            <Table.Td className="nowrap">{e.ip ?? ''}</Table.Td>
            <Table.Td>
              <Text size="xs" style={{ wordBreak: 'break-all' }}>
                {Object.keys(e.details).length ? JSON.stringify(e.details) : ''}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      {!events.isPending && rows.length === 0 && <Text c="dimmed">{t('common.noRows')}</Text>}
      {events.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void events.fetchNextPage()}
          loading={events.isFetchingNextPage}
        >
          {t('common.loadMore')}
        </Button>
      )}
    </Stack>
  );
}
