import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ListTable } from '../../components/ListTable';
import { formatDateTime, t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { LoadError } from '../../shell/ScreenState';

type ApiKey = Schemas['ApiKey'];
type Permission = ApiKey['permissions'][number];

/** API keys: list, create (the key is shown once), revoke. */
export function ApiKeysTab() {
  const session = useSession();
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: () => must(api.GET('/api/api-keys', {})) });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState(false);

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    try {
      await must(api.DELETE('/api/api-keys/{id}', { params: { path: { id: revoking.id } } }));
      await qc.invalidateQueries({ queryKey: ['api-keys'] });
      notifications.show({ color: 'green', message: t('apiKeys.revokedDone', { name: revoking.name }) });
      setRevoking(null);
    } catch (err) {
      notifications.show({ color: 'red', title: t('apiKeys.revoke'), message: problemText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('apiKeys.intro')}
        </Text>
        <Button onClick={() => setCreating(true)}>{t('apiKeys.add')}</Button>
      </Group>
      {keys.error && <LoadError error={keys.error} onRetry={() => void keys.refetch()} />}
      <ListTable
        label={t('admin.tab.apiKeys')}
        testId="api-keys-table"
        minWidth={860}
        columns={[
          t('apiKeys.col.name'),
          t('apiKeys.col.prefix'),
          t('apiKeys.col.permissions'),
          t('apiKeys.col.orgUnits'),
          t('apiKeys.col.lastUsed'),
          t('apiKeys.col.expires'),
          '',
        ]}
      >
        {(keys.data?.items ?? []).map((k) => (
          <Table.Tr key={k.id} data-name={k.name}>
            <Table.Td fw={600}>{k.name}</Table.Td>
            <Table.Td>
              <Code>{k.prefix}…</Code>
            </Table.Td>
            <Table.Td>
              <Text size="xs">{k.permissions.join(', ')}</Text>
            </Table.Td>
            <Table.Td>{k.orgUnitIds.map(session.orgUnitName).join(', ')}</Table.Td>
            <Table.Td className="nowrap">
              {k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t('apiKeys.never')}
            </Table.Td>
            <Table.Td className="nowrap">
              {k.expiresAt ? formatDateTime(k.expiresAt) : t('apiKeys.never')}
            </Table.Td>
            <Table.Td>
              {k.revokedAt ? (
                <Badge color="gray" tt="none">
                  {t('apiKeys.revoked')}
                </Badge>
              ) : (
                <Button
                  size="compact-xs"
                  color="red"
                  variant="subtle"
                  onClick={() => setRevoking(k)}
                  aria-label={`${t('apiKeys.revoke')} ${k.name}`}
                >
                  {t('apiKeys.revoke')}
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <Modal
        opened={creating}
        onClose={() => setCreating(false)}
        title={t('apiKeyForm.title')}
        size="lg"
        closeOnClickOutside={false}
      >
        {creating && <ApiKeyForm onClose={() => setCreating(false)} />}
      </Modal>
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title={t('apiKeys.revoke')}>
        <Text size="sm">{t('apiKeys.revokeConfirm', { name: revoking?.name ?? '' })}</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setRevoking(null)}>
            {t('common.cancel')}
          </Button>
          <Button color="red" loading={busy} onClick={() => void revoke()}>
            {t('apiKeys.revoke')}
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}

function ApiKeyForm({ onClose }: { onClose(): void }) {
  const session = useSession();
  const qc = useQueryClient();
  const mine = session.me.permissions;
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState<Permission[]>(
    (['messages.send', 'messages.read', 'contacts.read'] as Permission[]).filter((p) => mine.includes(p)),
  );
  const [orgUnitIds, setOrgUnitIds] = useState<string[]>(
    session.currentOrgUnit ? [session.currentOrgUnit.id] : [],
  );
  const [expiresAt, setExpiresAt] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<Schemas['CreatedApiKey']>();
  const errors = fieldErrors(error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const key = await must(
        api.POST('/api/api-keys', {
          body: {
            name: name.trim(),
            permissions,
            orgUnitIds,
            expiresAt: expiresAt ? new Date(`${expiresAt}T23:59:59`).toISOString() : null,
          },
        }),
      );
      setCreated(key);
      await qc.invalidateQueries({ queryKey: ['api-keys'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Stack gap="sm" data-testid="api-key-created">
        <Alert color="orange" role="alert">
          {t('apiKeyForm.shownOnce')}
        </Alert>
        <TextInput
          label={t('apiKeyForm.key')}
          value={created.key}
          readOnly
          onFocus={(e) => e.currentTarget.select()}
          ff="monospace"
          data-testid="api-key-value"
        />
        <Group justify="flex-end">
          <CopyButton value={created.key}>
            {({ copied, copy }) => (
              <Button variant="light" onClick={copy}>
                {copied ? t('apiKeyForm.copied') : t('apiKeyForm.copy')}
              </Button>
            )}
          </CopyButton>
          <Button onClick={onClose}>{t('apiKeyForm.done')}</Button>
        </Group>
      </Stack>
    );
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label={t('apiKeyForm.name')}
          description={t('apiKeyForm.nameHelp')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          data-autofocus
        />
        <MultiSelect
          label={t('apiKeyForm.permissions')}
          data={mine.map((p) => ({ value: p, label: p }))}
          value={permissions}
          onChange={(v) => setPermissions(v as Permission[])}
          error={errors.permissions}
        />
        <MultiSelect
          label={t('apiKeyForm.orgUnits')}
          data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
          value={orgUnitIds}
          onChange={setOrgUnitIds}
          error={errors.orgUnitIds}
        />
        <DateInput
          label={t('apiKeyForm.expiresAt')}
          value={expiresAt}
          onChange={(v) => setExpiresAt(v as string | null)}
          clearable
          minDate={new Date().toISOString().slice(0, 10)}
          error={errors.expiresAt}
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
            {t('apiKeyForm.create')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
