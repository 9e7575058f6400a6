import { Alert, Button, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ListTable } from '../../components/ListTable';
import { useSaveForm } from '../../components/useSaveForm';
import { t } from '../../i18n';
import { problemText } from '../../lib/problem';
import { LoadError } from '../../shell/ScreenState';
import { ownerOfValue, ownerValue, useOwnership } from './ownership';

type Sender = Schemas['SenderConfig'];
type Gateway = Schemas['Gateway'];

/** Sender configurations (gateway, sender ID, fallback gateway) and which one each org unit uses. */
export function SendersSection({ gateways }: { gateways: Gateway[] }) {
  const session = useSession();
  const ownership = useOwnership();
  const qc = useQueryClient();
  const senders = useQuery({ queryKey: ['senders'], queryFn: () => must(api.GET('/api/senders', {})) });
  const [editing, setEditing] = useState<Sender | 'new' | null>(null);
  const gatewayName = (id: string | null) =>
    id ? (gateways.find((g) => g.id === id)?.name ?? id.slice(0, 8)) : '';
  const items = senders.data?.items ?? [];
  const [savingUnit, setSavingUnit] = useState<string>();

  const attach = async (unitId: string, senderConfigId: string | null) => {
    setSavingUnit(unitId);
    try {
      await must(
        api.PATCH('/api/org-units/{id}/sender', {
          params: { path: { id: unitId } },
          body: { senderConfigId },
        }),
      );
      await qc.invalidateQueries({ queryKey: ['org-units'] });
      await qc.invalidateQueries({ queryKey: ['senders'] });
      notifications.show({
        color: 'green',
        message: t('unitSenders.saved', {
          unit: session.orgUnitName(unitId),
          sender: items.find((s) => s.id === senderConfigId)?.name ?? t('unitSenders.none'),
        }),
      });
    } catch (err) {
      notifications.show({ color: 'red', title: t('unitSenders.title'), message: problemText(err) });
    } finally {
      setSavingUnit(undefined);
    }
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <div>
          <Title order={3} size="h4">
            {t('senders.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('senders.intro')}
          </Text>
        </div>
        <Button variant="light" onClick={() => setEditing('new')} disabled={gateways.length === 0}>
          {t('senders.add')}
        </Button>
      </Group>
      {senders.error && <LoadError error={senders.error} onRetry={() => void senders.refetch()} />}
      <ListTable
        label={t('senders.title')}
        testId="senders-table"
        minWidth={840}
        columns={[
          t('senders.col.name'),
          t('senders.col.senderId'),
          t('senders.col.gateway'),
          t('senders.col.fallback'),
          t('senders.col.owner'),
          t('senders.col.orgUnits'),
          '',
        ]}
      >
        {items.map((s) => (
          <Table.Tr key={s.id}>
            <Table.Td fw={600}>{s.name}</Table.Td>
            <Table.Td>{s.senderId}</Table.Td>
            <Table.Td>{gatewayName(s.providerAccountId)}</Table.Td>
            <Table.Td>{gatewayName(s.fallbackProviderAccountId) || t('senders.noFallback')}</Table.Td>
            <Table.Td>{ownership.ownerLabel(s.orgUnitId)}</Table.Td>
            <Table.Td>{s.orgUnitIds.map(session.orgUnitName).join(', ')}</Table.Td>
            <Table.Td>
              {/* Only for those who may change it: the server refuses the others (403). */}
              {ownership.manages(s.orgUnitId) && (
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() => setEditing(s)}
                  aria-label={`${t('senders.edit')} ${s.name}`}
                >
                  {t('senders.edit')}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      {!senders.isPending && items.length === 0 && <Text c="dimmed">{t('senders.none')}</Text>}

      <Title order={3} size="h4" mt="sm">
        {t('unitSenders.title')}
      </Title>
      <Table.ScrollContainer minWidth={480}>
        <Table aria-label={t('unitSenders.title')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('unitSenders.col.orgUnit')}</Table.Th>
              <Table.Th>{t('unitSenders.col.sender')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {session.orgUnits.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>
                  <Select
                    aria-label={t('unitSenders.label', { unit: u.name })}
                    data={[
                      { value: '', label: t('unitSenders.none') },
                      ...items.map((s) => ({ value: s.id, label: `${s.name} (${s.senderId})` })),
                    ]}
                    value={u.senderConfigId ?? ''}
                    onChange={(v) => void attach(u.id, v || null)}
                    allowDeselect={false}
                    disabled={savingUnit === u.id}
                    maw={360}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={
          editing && editing !== 'new'
            ? t('senderForm.titleEdit', { name: editing.name })
            : t('senderForm.titleNew')
        }
      >
        {editing !== null && (
          <SenderForm
            sender={editing === 'new' ? undefined : editing}
            gateways={gateways}
            onClose={() => setEditing(null)}
          />
        )}
      </Modal>
    </Stack>
  );
}

function SenderForm({
  sender,
  gateways,
  onClose,
}: {
  sender?: Sender;
  gateways: Gateway[];
  onClose(): void;
}) {
  const ownership = useOwnership();
  // New configurations belong to the unit chosen in the header when the user manages it (see useOwnership).
  const [owner, setOwner] = useState(sender ? ownerValue(sender.orgUnitId) : ownership.defaultOwner);
  // Only gateways the chosen owner may use (shared configurations: shared gateways); the one already set stays.
  const usable = gateways.filter(
    (g) =>
      ownership.usableBy(g.orgUnitId, ownerOfValue(owner)) ||
      g.id === sender?.providerAccountId ||
      g.id === sender?.fallbackProviderAccountId,
  );
  const [name, setName] = useState(sender?.name ?? '');
  const [senderId, setSenderId] = useState(sender?.senderId ?? '');
  const [gatewayId, setGatewayId] = useState<string | null>(
    sender?.providerAccountId ?? usable[0]?.id ?? null,
  );
  const [fallback, setFallback] = useState<string>(sender?.fallbackProviderAccountId ?? '');
  const options = usable.map((g) => ({ value: g.id, label: g.name }));

  const changeOwner = (value: string) => {
    setOwner(value);
    // A gateway the new owner may not use is let go rather than refused on save.
    const fits = (id: string | null) =>
      !!id && gateways.some((g) => g.id === id && ownership.usableBy(g.orgUnitId, ownerOfValue(value)));
    if (!fits(gatewayId)) {
      setGatewayId(gateways.find((g) => ownership.usableBy(g.orgUnitId, ownerOfValue(value)))?.id ?? null);
    }
    if (fallback && !fits(fallback)) setFallback('');
  };

  const { busy, error, errors, submit } = useSaveForm({
    ready: !!gatewayId && !!owner,
    save: () => {
      const body = {
        name: name.trim(),
        senderId: senderId.trim(),
        orgUnitId: ownerOfValue(owner),
        providerAccountId: gatewayId ?? '',
        fallbackProviderAccountId: fallback || null,
      };
      return sender
        ? must(api.PATCH('/api/senders/{id}', { params: { path: { id: sender.id } }, body }))
        : must(api.POST('/api/senders', { body }));
    },
    invalidate: ['senders'],
    savedMessage: (saved) => t('senderForm.saved', { name: saved.name }),
    onDone: onClose,
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label={t('senderForm.name')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          data-autofocus
        />
        <TextInput
          label={t('senderForm.senderId')}
          description={t('senderForm.senderIdHelp')}
          required
          value={senderId}
          onChange={(e) => setSenderId(e.currentTarget.value)}
          error={errors.senderId}
        />
        <Select
          label={t('senderForm.orgUnit')}
          description={t('senderForm.orgUnitHelp')}
          data={ownership.ownerOptions(owner)}
          value={owner}
          onChange={(v) => v && changeOwner(v)}
          allowDeselect={false}
          error={errors.orgUnitId}
          data-testid="sender-org-unit"
        />
        <Select
          label={t('senderForm.gateway')}
          data={options}
          value={gatewayId}
          onChange={setGatewayId}
          allowDeselect={false}
          error={errors.providerAccountId}
        />
        <Select
          label={t('senderForm.fallback')}
          data={[{ value: '', label: t('senders.noFallback') }, ...options]}
          value={fallback}
          onChange={(v) => setFallback(v ?? '')}
          allowDeselect={false}
          error={errors.fallbackProviderAccountId}
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
