import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, must } from '../../api/client';
import { useSession } from '../../auth/session';
import { LoadMore } from '../../components/LoadMore';
import { t } from '../../i18n';
import { LoadError, ScreenHeader } from '../../shell/ScreenState';

type Category = '' | 'transactional' | 'marketing';

/** Standard texts of the current org unit: search, category, the parts each needs; new and edit. */
export default function TemplatesScreen() {
  const session = useSession();
  const [q, setQ] = useState('');
  const [category, setCategory] = useState<Category>('');
  const [f] = useDebouncedValue({ q: q.trim(), category, orgUnitId: session.currentOrgUnit?.id }, 300);
  const query = useInfiniteQuery({
    queryKey: ['templates', 'list', f],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/templates', {
          params: {
            query: {
              limit: 50,
              ...(f.q ? { q: f.q } : {}),
              ...(f.category ? { category: f.category } : {}),
              ...(f.orgUnitId ? { orgUnitId: f.orgUnitId } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="sm">
      <ScreenHeader
        title={t('templates.title')}
        intro={t('templates.intro')}
        actions={
          session.can('templates.manage') && (
            <Button component={Link} to="/templates/new">
              {t('templates.new')}
            </Button>
          )
        }
      />
      <Group gap="sm" align="flex-end">
        <TextInput
          label={t('templates.search')}
          value={q}
          onChange={(e) => setQ(e.currentTarget.value)}
          type="search"
          w={{ base: '100%', xs: 260 }}
        />
        <SegmentedControl
          aria-label={t('templates.category')}
          value={category}
          onChange={(v) => setCategory(v as Category)}
          data={[
            { value: '', label: t('common.all') },
            { value: 'transactional', label: t('compose.category.transactional') },
            { value: 'marketing', label: t('compose.category.marketing') },
          ]}
        />
      </Group>
      {query.error && <LoadError error={query.error} onRetry={() => void query.refetch()} />}
      <Table.ScrollContainer minWidth={760}>
        <Table
          striped
          highlightOnHover
          aria-label={t('templates.title')}
          aria-busy={query.isPending}
          data-testid="templates-table"
        >
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={200}>{t('templates.col.name')}</Table.Th>
              <Table.Th w={130}>{t('templates.col.category')}</Table.Th>
              <Table.Th>{t('templates.col.body')}</Table.Th>
              <Table.Th w={120}>{t('templates.col.parts')}</Table.Th>
              <Table.Th w={140}>{t('templates.col.orgUnit')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((tpl) => (
              <Table.Tr key={tpl.id} data-id={tpl.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/templates/${tpl.id}`} size="sm" fw={600}>
                    {tpl.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Badge variant="light" tt="none" color={tpl.category === 'marketing' ? 'grape' : 'blue'}>
                    {t(`compose.category.${tpl.category}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2}>
                    {tpl.body}
                  </Text>
                </Table.Td>
                <Table.Td className="nowrap">
                  {t('templates.partsLine', { parts: tpl.analysis.parts, encoding: tpl.analysis.encoding })}
                </Table.Td>
                <Table.Td>{session.orgUnitName(tpl.orgUnitId)}</Table.Td>
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
