import { Anchor, Code, Grid, Group, Paper, ScrollArea, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, must } from '../../api/client';
import { useLiveEvents } from '../../api/live';
import { useSession } from '../../auth/session';
import { formatDateTime, formatNumber, t } from '../../i18n';
import { LoadError, ScreenHeader, ScreenLoading } from '../../shell/ScreenState';
import { MessageDetailDrawer } from '../messages/MessageDetailDrawer';
import { MessageList } from '../messages/MessageList';
import { type MessageFilters, useMessages } from '../messages/useMessages';
import { BatchProgress } from './SmsLogScreen';

function Fact({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}

function Numbers({ title, numbers }: { title: string; numbers: string[] }) {
  return (
    <Paper withBorder p="sm">
      <Text fw={700} size="sm" mb={4}>
        {title} ({formatNumber(numbers.length)})
      </Text>
      <ScrollArea.Autosize mah={200}>
        <Code block>{numbers.join('\n') || t('common.none')}</Code>
      </ScrollArea.Autosize>
    </Paper>
  );
}

/** One SMS Log entry: its facts, the numbers requested and sent, and each message's status (live). */
export default function BatchDetailScreen() {
  const { id = '' } = useParams();
  const session = useSession();
  const qc = useQueryClient();
  const batch = useQuery({
    queryKey: ['batches', 'detail', id],
    queryFn: () => must(api.GET('/api/batches/{id}', { params: { path: { id } } })),
  });
  const [filters, setFilters] = useState<MessageFilters>({
    q: '',
    phone: '',
    from: null,
    to: null,
    status: [],
    orgUnitIds: [],
    sort: 'createdAt',
    batchId: id,
  });
  const { query, rows } = useMessages(filters);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [detailId, setDetailId] = useState<string | null>(null);
  const changeFilters = useCallback((f: MessageFilters) => setFilters({ ...f, batchId: id }), [id]);
  useLiveEvents((e) => {
    if (
      (e.type === 'message.status' && e.batchId === id) ||
      (e.type === 'batch.completed' && e.batchId === id)
    )
      void qc.invalidateQueries({ queryKey: ['batches', 'detail', id] });
  });
  const b = batch.data;
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/sms-log" size="sm">
        ← {t('common.backTo', { name: t('log.title') })}
      </Anchor>
      <ScreenHeader title={t('log.title')} />
      {batch.isPending && <ScreenLoading />}
      {batch.error && <LoadError error={batch.error} onRetry={() => void batch.refetch()} />}
      {b && (
        <>
          <Paper withBorder p="md">
            <SimpleGrid cols={{ base: 2, sm: 5 }}>
              <Fact label={t('log.col.sender')} value={b.senderName} />
              <Fact label={t('log.col.sentOn')} value={formatDateTime(b.sentOn)} />
              <Fact label={t('messages.col.orgUnit')} value={session.orgUnitName(b.orgUnitId)} />
              <Fact label={t('log.col.requested')} value={formatNumber(b.requestedCount)} />
              <Fact
                label={t('log.col.sent')}
                value={<span data-testid="batch-sent-count">{formatNumber(b.sentCount)}</span>}
              />
            </SimpleGrid>
            <Text size="xs" c="dimmed" tt="uppercase" fw={700} mt="md">
              {t('log.col.message')}
            </Text>
            <Code block mb="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {b.message}
            </Code>
            <BatchProgress b={b} />
          </Paper>
          <Grid>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Numbers title={t('log.requestedNumbers')} numbers={b.requestedNumbers} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Numbers title={t('log.sentTo')} numbers={b.sentNumbers} />
            </Grid.Col>
          </Grid>
        </>
      )}
      <Group justify="space-between">
        <Title order={3} size="h4">
          {t('log.messagesOfBatch')}
        </Title>
      </Group>
      {query.error && <LoadError error={query.error} onRetry={() => void query.refetch()} />}
      <MessageList
        rows={rows}
        filters={filters}
        onFilters={changeFilters}
        loading={query.isPending}
        selectedId={selectedId}
        onSelect={setSelectedId}
        onOpen={setDetailId}
      />
      <MessageDetailDrawer id={detailId} onClose={() => setDetailId(null)} />
    </Stack>
  );
}
