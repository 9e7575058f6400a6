import { Anchor, Button, Group, Progress, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, must, type Schemas } from '../../api/client';
import { useLiveEvents } from '../../api/live';
import { useSession } from '../../auth/session';
import { LoadMore } from '../../components/LoadMore';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { saveText, toCsv } from '../../lib/csv';
import { problemText } from '../../lib/problem';
import { LoadError, ScreenHeader } from '../../shell/ScreenState';

type Batch = Schemas['Batch'];
type Query = { q: string; senderName: string; orgUnitId: string[] };

const fetchPage = (f: Query, cursor?: string, limit = 50) =>
  must(
    api.GET('/api/batches', {
      params: {
        query: {
          limit,
          ...(cursor ? { cursor } : {}),
          ...(f.q ? { q: f.q } : {}),
          ...(f.senderName ? { senderName: f.senderName } : {}),
          ...(f.orgUnitId.length ? { orgUnitId: f.orgUnitId } : {}),
        },
      },
    }),
  );

export function BatchProgress({ b }: { b: Batch }) {
  const total = Math.max(b.messageCount, 1);
  const pct = (n: number) => (n / total) * 100;
  return (
    <Tooltip
      label={t('log.progress', {
        delivered: b.deliveredCount,
        failed: b.failedCount,
        blocked: b.blockedCount,
        pending: b.pendingCount,
      })}
    >
      <Progress.Root
        size="md"
        aria-label={t('log.progress', {
          delivered: b.deliveredCount,
          failed: b.failedCount,
          blocked: b.blockedCount,
          pending: b.pendingCount,
        })}
      >
        <Progress.Section value={pct(b.deliveredCount)} color="green" />
        <Progress.Section value={pct(b.sentCount - b.deliveredCount)} color="teal.3" />
        <Progress.Section value={pct(b.failedCount)} color="red" />
        <Progress.Section value={pct(b.blockedCount)} color="grape" />
        <Progress.Section value={pct(b.pendingCount)} color="gray.4" />
      </Progress.Root>
    </Tooltip>
  );
}

/** SMS Log: every send action, with sender, sent on, message, requested and sent counts; CSV export. */
export default function SmsLogScreen() {
  const session = useSession();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [senderName, setSenderName] = useState('');
  const [f] = useDebouncedValue<Query>(
    {
      q: q.trim(),
      senderName: senderName.trim(),
      orgUnitId: session.currentOrgUnit ? [session.currentOrgUnit.id] : [],
    },
    300,
  );
  const query = useInfiniteQuery({
    queryKey: ['batches', 'list', f],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchPage(f, pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  // Counts change as statuses move: refresh the loaded pages, merged when many events arrive.
  const [timer, setTimer] = useState<ReturnType<typeof setTimeout>>();
  useLiveEvents((e) => {
    if (e.type === 'reset' || e.type === 'batch.completed' || (e.type === 'message.status' && e.applied)) {
      if (timer) return;
      setTimer(
        setTimeout(() => {
          setTimer(undefined);
          void qc.invalidateQueries({ queryKey: ['batches', 'list'] });
        }, 1_000),
      );
    }
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const [exporting, setExporting] = useState(false);

  const exportCsv = async () => {
    setExporting(true);
    try {
      const all: Batch[] = [];
      let cursor: string | undefined;
      do {
        const page = await fetchPage(f, cursor, 200);
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && all.length < 100_000);
      const csv = toCsv(
        [
          'id',
          'sender_name',
          'sent_on',
          'message',
          'requested',
          'sent',
          'delivered',
          'failed',
          'blocked',
          'pending',
          'org_unit',
        ],
        all.map((b) => [
          b.id,
          b.senderName,
          b.sentOn,
          b.message,
          b.requestedCount,
          b.sentCount,
          b.deliveredCount,
          b.failedCount,
          b.blockedCount,
          b.pendingCount,
          session.orgUnitName(b.orgUnitId),
        ]),
      );
      saveText(csv, `sms-log-${new Date().toISOString().slice(0, 10)}.csv`);
    } catch (err) {
      notifications.show({ color: 'red', title: t('log.exportCsv'), message: problemText(err) });
    } finally {
      setExporting(false);
    }
  };

  return (
    <Stack gap="sm">
      <ScreenHeader
        title={t('log.title')}
        intro={t('log.intro')}
        actions={
          <>
            <Button
              variant="default"
              onClick={() => void query.refetch()}
              loading={query.isRefetching && !query.isFetchingNextPage}
            >
              {t('common.refresh')}
            </Button>
            {session.can('log.export') && (
              <Button variant="light" onClick={exportCsv} loading={exporting}>
                {t('log.exportCsv')}
              </Button>
            )}
          </>
        }
      />
      <Group gap="sm">
        <TextInput label={t('log.search')} value={q} onChange={(e) => setQ(e.currentTarget.value)} w={260} />
        <TextInput
          label={t('log.senderFilter')}
          value={senderName}
          onChange={(e) => setSenderName(e.currentTarget.value)}
          w={200}
        />
      </Group>
      {query.error && <LoadError error={query.error} onRetry={() => void query.refetch()} />}
      <Table.ScrollContainer minWidth={900}>
        <Table
          striped
          highlightOnHover
          aria-label={t('log.title')}
          aria-busy={query.isPending}
          data-testid="batches-table"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={160}>{t('log.col.sender')}</Table.Th>
              <Table.Th w={170}>{t('log.col.sentOn')}</Table.Th>
              <Table.Th>{t('log.col.message')}</Table.Th>
              <Table.Th w={130} ta="right">
                {t('log.col.requested')}
              </Table.Th>
              <Table.Th w={130} ta="right">
                {t('log.col.sent')}
              </Table.Th>
              <Table.Th w={160}>{t('log.col.status')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((b) => (
              <Table.Tr key={b.id} data-id={b.id}>
                <Table.Td>{b.senderName}</Table.Td>
                <Table.Td className="nowrap">
                  <Anchor component={Link} to={`/sms-log/${b.id}`} size="sm">
                    {formatDateTime(b.sentOn)}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2}>
                    {b.message}
                  </Text>
                </Table.Td>
                <Table.Td ta="right">{formatNumber(b.requestedCount)}</Table.Td>
                <Table.Td ta="right" data-testid="sent-count">
                  {formatNumber(b.sentCount)}
                </Table.Td>
                <Table.Td>
                  <BatchProgress b={b} />
                </Table.Td>
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
