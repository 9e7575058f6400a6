import {
  Alert,
  Badge,
  Button,
  Drawer,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ListTable } from '../../components/ListTable';
import { formatDateTime, type MessageKey, t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { LoadError } from '../../shell/ScreenState';

type Webhook = Schemas['Webhook'];
type EventType = Webhook['eventTypes'][number];
const EVENTS: EventType[] = ['message.status_changed', 'message.inbound', 'batch.completed'];
/** The event's name, or its type as sent (e.g. the test event) when the app has no name for it. */
const eventLabel = (e: string) => t(`event.${e}` as MessageKey) ?? e;

/** Status webhooks: list, add (secret shown once), enable/disable, test, delete, deliveries with attempts. */
export function WebhooksTab() {
  const session = useSession();
  const qc = useQueryClient();
  const hooks = useInfiniteQuery({
    queryKey: ['webhooks', 'list'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/webhooks', {
          params: { query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = hooks.data?.pages.flatMap((p) => p.items) ?? [];
  const [creating, setCreating] = useState(false);
  const [deliveriesOf, setDeliveriesOf] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [busy, setBusy] = useState<string>();

  const act = async (id: string, fn: () => Promise<unknown>, message: string) => {
    setBusy(id);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ['webhooks'] });
      notifications.show({ color: 'green', message });
    } catch (err) {
      notifications.show({ color: 'red', message: problemText(err) });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('webhooks.intro')}
        </Text>
        <Button onClick={() => setCreating(true)}>{t('webhooks.add')}</Button>
      </Group>
      {hooks.error && <LoadError error={hooks.error} onRetry={() => void hooks.refetch()} />}
      <ListTable
        label={t('admin.tab.webhooks')}
        testId="webhooks-table"
        minWidth={900}
        columns={[
          t('webhooks.col.url'),
          t('webhooks.col.events'),
          t('webhooks.col.orgUnit'),
          t('webhooks.col.state'),
          '',
        ]}
      >
        {rows.map((w) => (
          <Table.Tr key={w.id}>
            <Table.Td>
              <Text size="sm" style={{ wordBreak: 'break-all' }}>
                {w.url}
              </Text>
              {w.description && (
                <Text size="xs" c="dimmed">
                  {w.description}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Text size="xs">{w.eventTypes.map(eventLabel).join(', ')}</Text>
            </Table.Td>
            <Table.Td>{session.orgUnitName(w.orgUnitId)}</Table.Td>
            <Table.Td>
              <Badge color={w.enabled ? 'green' : 'gray'} variant="light" tt="none">
                {w.enabled ? t('webhooks.enabled') : t('webhooks.disabled')}
              </Badge>
              {w.disabledReason && (
                <Text size="xs" c="dimmed">
                  {t('webhooks.disabledReason', { reason: w.disabledReason })}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Group gap={4} wrap="nowrap">
                <Button size="compact-xs" variant="light" onClick={() => setDeliveriesOf(w)}>
                  {t('webhooks.deliveries')}
                </Button>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  loading={busy === w.id}
                  onClick={() =>
                    void act(
                      w.id,
                      () => must(api.POST('/api/webhooks/{id}/test', { params: { path: { id: w.id } } })),
                      t('webhooks.testSent', { url: w.url }),
                    )
                  }
                >
                  {t('webhooks.test')}
                </Button>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() =>
                    void act(
                      w.id,
                      () =>
                        must(
                          api.PATCH('/api/webhooks/{id}', {
                            params: { path: { id: w.id } },
                            body: { enabled: !w.enabled },
                          }),
                        ),
                      w.enabled ? t('webhooks.disabled') : t('webhooks.enabled'),
                    )
                  }
                >
                  {w.enabled ? t('webhooks.disable') : t('webhooks.enable')}
                </Button>
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => setDeleting(w)}>
                  {t('webhooks.delete')}
                </Button>
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      {!hooks.isPending && rows.length === 0 && <Text c="dimmed">{t('common.noRows')}</Text>}
      <Modal
        opened={creating}
        onClose={() => setCreating(false)}
        title={t('webhookForm.title')}
        size="lg"
        closeOnClickOutside={false}
      >
        {creating && <WebhookForm onClose={() => setCreating(false)} />}
      </Modal>
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={t('webhooks.delete')}>
        <Text size="sm">{t('webhooks.deleteConfirm', { url: deleting?.url ?? '' })}</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setDeleting(null)}>
            {t('common.cancel')}
          </Button>
          <Button
            color="red"
            loading={!!deleting && busy === deleting.id}
            onClick={() =>
              deleting &&
              void act(
                deleting.id,
                () => must(api.DELETE('/api/webhooks/{id}', { params: { path: { id: deleting.id } } })),
                t('webhooks.deleted'),
              ).then(() => setDeleting(null))
            }
          >
            {t('webhooks.delete')}
          </Button>
        </Group>
      </Modal>
      <Drawer
        opened={deliveriesOf !== null}
        onClose={() => setDeliveriesOf(null)}
        position="right"
        size="xl"
        title={deliveriesOf ? t('deliveries.title', { url: deliveriesOf.url }) : ''}
      >
        {deliveriesOf && <Deliveries webhook={deliveriesOf} />}
      </Drawer>
    </Stack>
  );
}

function Deliveries({ webhook }: { webhook: Webhook }) {
  const qc = useQueryClient();
  const q = useInfiniteQuery({
    queryKey: ['webhooks', webhook.id, 'deliveries'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/webhooks/{id}/deliveries', {
          params: {
            path: { id: webhook.id },
            query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = q.data?.pages.flatMap((p) => p.items) ?? [];
  const retry = async (deliveryId: string) => {
    try {
      await must(
        api.POST('/api/webhooks/{id}/deliveries/{deliveryId}/retry', {
          params: { path: { id: webhook.id, deliveryId } },
        }),
      );
      await qc.invalidateQueries({ queryKey: ['webhooks', webhook.id, 'deliveries'] });
      notifications.show({ color: 'green', message: t('deliveries.retried') });
    } catch (err) {
      notifications.show({ color: 'red', message: problemText(err) });
    }
  };
  return (
    <Stack gap="sm">
      <Group justify="flex-end">
        <Button size="xs" variant="default" onClick={() => void q.refetch()} loading={q.isRefetching}>
          {t('common.refresh')}
        </Button>
      </Group>
      {q.error && <LoadError error={q.error} onRetry={() => void q.refetch()} />}
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label={t('webhooks.deliveries')} data-testid="webhook-deliveries">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('deliveries.col.created')}</Table.Th>
              <Table.Th>{t('deliveries.col.event')}</Table.Th>
              <Table.Th>{t('deliveries.col.state')}</Table.Th>
              <Table.Th>{t('deliveries.col.attempts')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td className="nowrap">{formatDateTime(d.createdAt)}</Table.Td>
                <Table.Td>{eventLabel(d.eventType)}</Table.Td>
                <Table.Td>
                  <Badge
                    variant="light"
                    tt="none"
                    color={d.state === 'delivered' ? 'green' : d.state === 'pending' ? 'blue' : 'red'}
                  >
                    {t(`deliveryState.${d.state}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Stack gap={2}>
                    {d.attemptLog.map((a) => (
                      <Text key={a.attemptedAt} size="xs">
                        {a.error
                          ? t('deliveries.attemptError', {
                              when: formatDateTime(a.attemptedAt),
                              outcome: a.outcome,
                              error: a.error,
                            })
                          : t('deliveries.attempt', {
                              when: formatDateTime(a.attemptedAt),
                              outcome: a.outcome,
                              status: a.responseStatus ?? '—',
                              ms: a.durationMs,
                            })}
                      </Text>
                    ))}
                  </Stack>
                </Table.Td>
                <Table.Td>
                  {(d.state === 'failed' || d.state === 'gave_up') && (
                    <Button size="compact-xs" variant="light" onClick={() => void retry(d.id)}>
                      {t('deliveries.retry')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!q.isPending && rows.length === 0 && <Text c="dimmed">{t('common.noRows')}</Text>}
      {q.hasNextPage && (
        <Button variant="default" onClick={() => void q.fetchNextPage()} loading={q.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
    </Stack>
  );
}

function WebhookForm({ onClose }: { onClose(): void }) {
  const session = useSession();
  const qc = useQueryClient();
  const [url, setUrl] = useState('https://');
  const [eventTypes, setEventTypes] = useState<EventType[]>(['message.status_changed']);
  const [orgUnitId, setOrgUnitId] = useState(session.currentOrgUnit?.id ?? '');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [secret, setSecret] = useState<string>();
  const errors = fieldErrors(error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await must(
        api.POST('/api/webhooks', {
          body: {
            url: url.trim(),
            eventTypes,
            orgUnitId,
            ...(description.trim() ? { description: description.trim() } : {}),
          },
        }),
      );
      setSecret(created.secret);
      await qc.invalidateQueries({ queryKey: ['webhooks'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (secret) {
    return (
      <Stack gap="sm">
        <Alert color="orange" role="alert">
          {t('webhookForm.secretOnce')}
        </Alert>
        <TextInput
          label={t('webhookForm.secret')}
          value={secret}
          readOnly
          ff="monospace"
          onFocus={(e) => e.currentTarget.select()}
        />
        <Group justify="flex-end">
          <Button onClick={onClose}>{t('webhookForm.done')}</Button>
        </Group>
      </Stack>
    );
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label={t('webhookForm.url')}
          type="url"
          required
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          error={errors.url}
          data-autofocus
        />
        <MultiSelect
          label={t('webhookForm.events')}
          data={EVENTS.map((e) => ({ value: e, label: eventLabel(e) }))}
          value={eventTypes}
          onChange={(v) => setEventTypes(v as EventType[])}
          error={errors.eventTypes}
        />
        <Select
          label={t('webhookForm.orgUnit')}
          data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
          value={orgUnitId}
          onChange={(v) => v && setOrgUnitId(v)}
          allowDeselect={false}
          error={errors.orgUnitId}
        />
        <TextInput
          label={t('webhookForm.description')}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.description}
        />
        {error !== undefined && (
          <Alert color="red" role="alert">
            {problemText(error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={busy}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
