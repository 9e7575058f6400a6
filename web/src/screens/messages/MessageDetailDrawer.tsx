import { Anchor, Badge, Code, Drawer, Group, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { StatusBadge, statusLabel } from '../../components/StatusBadge';
import { formatDateTime, t } from '../../i18n';
import { LoadError, ScreenLoading } from '../../shell/ScreenState';

type Detail = Schemas['MessageDetail'];

/** Per-part delivery reports, as the latest report that carried them says (multi-part messages). */
function partStatuses(d: Detail): [string, string][] {
  for (let i = d.history.length - 1; i >= 0; i--) {
    const ps = d.history[i]?.details.partStatuses;
    if (ps && typeof ps === 'object') return Object.entries(ps as Record<string, string>);
  }
  return [];
}

function eventNote(e: Detail['history'][number]): string {
  const bits: string[] = [];
  const d = e.details;
  if (typeof d.part === 'number') bits.push(`part ${d.part}`);
  if (typeof d.errorCode === 'string') bits.push(`error ${d.errorCode}`);
  if (e.reason) bits.push(e.reason);
  return bits.join(' · ');
}

export function MessageDetailDrawer({ id, onClose }: { id: string | null; onClose(): void }) {
  const session = useSession();
  const q = useQuery({
    queryKey: ['messages', 'detail', id],
    queryFn: () => must(api.GET('/api/messages/{id}', { params: { path: { id: id! } } })),
    enabled: id !== null,
  });
  const d = q.data;
  return (
    <Drawer opened={id !== null} onClose={onClose} position="right" size="lg" title={t('messages.detail')}>
      {q.isPending && <ScreenLoading />}
      {q.error && <LoadError error={q.error} onRetry={() => void q.refetch()} />}
      {d && (
        <Stack gap="md" data-testid="message-detail">
          <Group justify="space-between" align="flex-start">
            <div>
              <Text fw={700}>{d.to}</Text>
              <Text size="sm" c="dimmed">
                {session.orgUnitName(d.orgUnitId)} · {formatDateTime(d.createdAt)}
              </Text>
            </div>
            <StatusBadge status={d.status} reason={d.statusReason} />
          </Group>
          <Code block style={{ whiteSpace: 'pre-wrap' }}>
            {d.body}
          </Code>
          <Table withRowBorders={false} verticalSpacing={2} fz="sm">
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={180}>{t('messages.parts')}</Table.Th>
                <Table.Td>
                  {t('messages.partsLine', {
                    parts: d.parts,
                    encoding: d.encoding,
                    characters: d.characters,
                  })}
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('messages.gateway')}</Table.Th>
                <Table.Td>{d.gateway.messageId ?? t('common.none')}</Table.Td>
              </Table.Tr>
              {d.error && (
                <Table.Tr>
                  <Table.Th>{t('messages.error')}</Table.Th>
                  <Table.Td>{[d.error.code, d.error.text].filter(Boolean).join(': ')}</Table.Td>
                </Table.Tr>
              )}
              {d.batchId && (
                <Table.Tr>
                  <Table.Th>{t('messages.batch')}</Table.Th>
                  <Table.Td>
                    <Anchor component={Link} to={`/sms-log/${d.batchId}`}>
                      {t('center.openBatch')}
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              )}
              {d.resentOf && (
                <Table.Tr>
                  <Table.Th>{t('messages.resent')}</Table.Th>
                  <Table.Td>
                    <Badge variant="light">{t('messages.resentMark')}</Badge>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
          {partStatuses(d).length > 0 && (
            <Group gap="xs">
              {partStatuses(d).map(([part, status]) => (
                <Badge key={part} variant="outline" tt="none">
                  {part}: {statusLabel(status)}
                </Badge>
              ))}
            </Group>
          )}
          <Title order={3} size="h5">
            {t('messages.history')}
          </Title>
          <Timeline active={d.history.length - 1} bulletSize={14} lineWidth={2}>
            {d.history.map((e) => (
              <Timeline.Item key={e.id} title={e.toStatusLabel} c={e.applied ? undefined : 'dimmed'}>
                <Text size="xs" c="dimmed">
                  {formatDateTime(e.occurredAt)} · {t('messages.source')}: {e.source}
                  {e.applied ? '' : ` · ${t('messages.ignored')}`}
                </Text>
                {eventNote(e) && <Text size="xs">{eventNote(e)}</Text>}
              </Timeline.Item>
            ))}
          </Timeline>
        </Stack>
      )}
    </Drawer>
  );
}
