import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  PasswordInput,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ListTable } from '../../components/ListTable';
import { useSaveForm } from '../../components/useSaveForm';
import { type MessageKey, t } from '../../i18n';
import { problemText } from '../../lib/problem';
import { LoadError } from '../../shell/ScreenState';

type User = Schemas['User'];
type Role = User['roles'][number];
const ROLES: Role[] = ['system_manager', 'sms_manager', 'sms_user', 'auditor'];
export const roleLabel = (r: string) => t(`role.${r}` as MessageKey);

/** Users with their roles and org units; add and edit (roles, units, active, password). */
export function UsersTab() {
  const session = useSession();
  const canManage = session.can('users.manage');
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const users = useInfiniteQuery({
    queryKey: ['users', 'list'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/users', {
          params: { query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = users.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="sm">
      {canManage && (
        <Group>
          <Button onClick={() => setEditing('new')}>{t('users.add')}</Button>
        </Group>
      )}
      {users.error && <LoadError error={users.error} onRetry={() => void users.refetch()} />}
      <ListTable
        label={t('admin.tab.users')}
        testId="users-table"
        minWidth={760}
        columns={[
          t('users.col.name'),
          t('users.col.email'),
          t('users.col.roles'),
          t('users.col.orgUnits'),
          t('users.col.active'),
          '',
        ]}
      >
        {rows.map((u) => (
          <Table.Tr key={u.id}>
            <Table.Td fw={600}>{u.name}</Table.Td>
            <Table.Td>{u.email}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                {u.roles.map((r) => (
                  <Badge key={r} variant="light" tt="none" size="sm">
                    {roleLabel(r)}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
            <Table.Td>{u.orgUnitIds.map(session.orgUnitName).join(', ')}</Table.Td>
            <Table.Td>
              {u.active ? (
                t('common.yes')
              ) : (
                <Text c="red" size="sm">
                  {t('users.inactive')}
                </Text>
              )}
            </Table.Td>
            {canManage && (
              <Table.Td>
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() => setEditing(u)}
                  aria-label={`${t('users.edit')} ${u.name}`}
                >
                  {t('users.edit')}
                </Button>
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </ListTable>
      {users.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void users.fetchNextPage()}
          loading={users.isFetchingNextPage}
        >
          {t('common.loadMore')}
        </Button>
      )}
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={
          editing && editing !== 'new'
            ? t('userForm.titleEdit', { name: editing.name })
            : t('userForm.titleNew')
        }
      >
        {editing !== null && (
          <UserForm user={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />
        )}
      </Modal>
    </Stack>
  );
}

function UserForm({ user, onClose }: { user?: User; onClose(): void }) {
  const session = useSession();
  const [name, setName] = useState(user?.name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<Role[]>(user?.roles ?? ['sms_user']);
  const [orgUnitIds, setOrgUnitIds] = useState<string[]>(
    user?.orgUnitIds ?? (session.currentOrgUnit ? [session.currentOrgUnit.id] : []),
  );
  const [active, setActive] = useState(user?.active ?? true);
  const { busy, error, errors, submit } = useSaveForm({
    save: () =>
      user
        ? must(
            api.PATCH('/api/users/{id}', {
              params: { path: { id: user.id } },
              body: { name: name.trim(), roles, orgUnitIds, active, ...(password ? { password } : {}) },
            }),
          )
        : must(
            api.POST('/api/users', {
              body: { name: name.trim(), email: email.trim(), password, roles, orgUnitIds },
            }),
          ),
    invalidate: ['users'],
    savedMessage: (saved) => t('userForm.saved', { name: saved.name }),
    onDone: onClose,
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label={t('userForm.name')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          data-autofocus
        />
        <TextInput
          label={t('userForm.email')}
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.email}
          disabled={!!user}
        />
        <PasswordInput
          label={t('userForm.password')}
          description={user ? t('userForm.passwordEditHelp') : t('userForm.passwordHelp')}
          required={!user}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
          autoComplete="new-password"
        />
        <MultiSelect
          label={t('userForm.roles')}
          data={ROLES.map((r) => ({ value: r, label: roleLabel(r) }))}
          value={roles}
          onChange={(v) => setRoles(v as Role[])}
          error={errors.roles}
        />
        <MultiSelect
          label={t('userForm.orgUnits')}
          description={t('userForm.orgUnitsHelp')}
          data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
          value={orgUnitIds}
          onChange={setOrgUnitIds}
          error={errors.orgUnitIds}
        />
        {user && (
          <Switch
            label={t('userForm.active')}
            checked={active}
            onChange={(e) => setActive(e.currentTarget.checked)}
          />
        )}
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
