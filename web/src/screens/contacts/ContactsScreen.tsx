import { Anchor, Button, Group, MultiSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, download, must } from '../../api/client';
import { useSession } from '../../auth/session';
import { LoadMore } from '../../components/LoadMore';
import { t } from '../../i18n';
import { problemText } from '../../lib/problem';
import { LoadError, ScreenHeader } from '../../shell/ScreenState';
import { ContactFormModal } from './ContactFormModal';
import { kindLabel, kindOptions, primaryPhone } from './contactKinds';

type Filters = { q: string; phone: string; kind: string[]; orgUnitId?: string };

const toQuery = (f: Filters) => ({
  ...(f.q ? { q: f.q } : {}),
  ...(f.phone ? { phone: f.phone } : {}),
  ...(f.kind.length ? { kind: f.kind.join(',') } : {}),
  ...(f.orgUnitId ? { orgUnitId: f.orgUnitId } : {}),
});

/** Contacts: search by name, number and kind in the current org unit; new, import and export. */
export default function ContactsScreen() {
  const session = useSession();
  const [q, setQ] = useState('');
  const [phone, setPhone] = useState('');
  const [kind, setKind] = useState<string[]>([]);
  const [creating, setCreating] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [f] = useDebouncedValue<Filters>(
    { q: q.trim(), phone: phone.trim(), kind, orgUnitId: session.currentOrgUnit?.id },
    300,
  );
  const query = useInfiniteQuery({
    queryKey: ['contacts', 'list', f],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/contacts', {
          params: { query: { limit: 50, ...toQuery(f), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const canManage = session.can('contacts.manage');

  const exportCsv = async () => {
    setExporting(true);
    try {
      const params = new URLSearchParams(toQuery(f));
      await download(
        `/api/contacts/export.csv?${params}`,
        `contacts-${new Date().toISOString().slice(0, 10)}.csv`,
      );
    } catch (err) {
      notifications.show({ color: 'red', title: t('contacts.export'), message: problemText(err) });
    } finally {
      setExporting(false);
    }
  };

  return (
    <Stack gap="sm">
      <ScreenHeader
        title={t('contacts.title')}
        intro={t('contacts.intro')}
        actions={
          <>
            {canManage && <Button onClick={() => setCreating(true)}>{t('contacts.new')}</Button>}
            {canManage && (
              <Button component={Link} to="/contacts/import" variant="light">
                {t('contacts.import')}
              </Button>
            )}
            <Button variant="default" onClick={exportCsv} loading={exporting}>
              {t('contacts.export')}
            </Button>
          </>
        }
      />
      <Group gap="sm" align="flex-end">
        <TextInput
          label={t('contacts.search')}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          w={{ base: '100%', xs: 240 }}
          type="search"
        />
        <TextInput
          label={t('contacts.searchPhone')}
          value={phone}
          onChange={(e) => setPhone(e.currentTarget.value)}
          w={{ base: '100%', xs: 200 }}
          type="search"
          error={query.error && f.phone ? problemText(query.error) : undefined}
        />
        <MultiSelect
          label={t('contacts.kindFilter')}
          data={kindOptions()}
          value={kind}
          onChange={setKind}
          clearable
          w={{ base: '100%', xs: 280 }}
        />
      </Group>
      {query.error && !f.phone && <LoadError error={query.error} onRetry={() => void query.refetch()} />}
      <Table.ScrollContainer minWidth={720}>
        <Table
          striped
          highlightOnHover
          aria-label={t('contacts.title')}
          aria-busy={query.isPending}
          data-testid="contacts-table"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('contacts.col.name')}</Table.Th>
              <Table.Th>{t('contacts.col.kind')}</Table.Th>
              <Table.Th>{t('contacts.col.party')}</Table.Th>
              <Table.Th>{t('contacts.col.phone')}</Table.Th>
              <Table.Th>{t('contacts.col.orgUnit')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((c) => (
              <Table.Tr key={c.id} data-id={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/contacts/${c.id}`} size="sm" fw={600}>
                    {c.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{kindLabel(c.kind)}</Table.Td>
                <Table.Td>{c.party ?? ''}</Table.Td>
                <Table.Td className="nowrap">{primaryPhone(c)}</Table.Td>
                <Table.Td>{session.orgUnitName(c.orgUnitId)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {!query.isPending && rows.length === 0 && <Text c="dimmed">{t('common.noRows')}</Text>}
      <LoadMore query={query} />
      <ContactFormModal opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}
