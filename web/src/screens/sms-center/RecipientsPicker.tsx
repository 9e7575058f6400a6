import {
  Fieldset,
  MultiSelect,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { t } from '../../i18n';

export type Recipients = Schemas['Recipients'];
export type SendToMode = 'group' | 'contacts' | 'numbers';

export interface RecipientsDraft {
  mode: SendToMode;
  group: NonNullable<Recipients['group']>;
  filters: {
    customer: string;
    supplier: string;
    salesPartner: string;
    department: string;
    branch: string;
    orgUnitIds: string[];
  };
  contacts: { value: string; label: string }[];
  numbers: string;
}

export const emptyRecipients = (): RecipientsDraft => ({
  mode: 'group',
  group: 'all_customer_contacts',
  filters: { customer: '', supplier: '', salesPartner: '', department: '', branch: '', orgUnitIds: [] },
  contacts: [],
  numbers: '',
});

/** The API's `recipients` for a draft (empty filters left out). */
export function toRecipients(d: RecipientsDraft): Recipients {
  if (d.mode === 'numbers')
    return {
      numbers: d.numbers
        .split(/[\n,;]+/)
        .map((n) => n.trim())
        .filter(Boolean),
    };
  if (d.mode === 'contacts') return { contactIds: d.contacts.map((c) => c.value) };
  const { orgUnitIds, ...text } = d.filters;
  const filters: NonNullable<Recipients['filters']> = {};
  for (const [k, v] of Object.entries(text)) if (v.trim()) filters[k as keyof typeof text] = v.trim();
  if (orgUnitIds.length) filters.orgUnitIds = orgUnitIds;
  return { group: d.group, ...(Object.keys(filters).length ? { filters } : {}) };
}

export function isEmptyRecipients(r: Recipients): boolean {
  return !r.group && !r.contactIds?.length && !r.numbers?.length;
}

/** "Send To": a group with its filters, chosen contacts, or typed numbers. */
export function RecipientsPicker({
  value,
  onChange,
  orgUnitId,
}: {
  value: RecipientsDraft;
  onChange(d: RecipientsDraft): void;
  orgUnitId?: string;
}) {
  const session = useSession();
  const narrow = useMediaQuery('(max-width: 30em)');
  const groups = useQuery({
    queryKey: ['recipient-groups'],
    queryFn: () => must(api.GET('/api/recipient-groups', {})),
    staleTime: Infinity,
  });
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const found = useQuery({
    queryKey: ['contacts', 'search', debounced, orgUnitId],
    queryFn: () =>
      must(
        api.GET('/api/contacts', {
          params: { query: { q: debounced, limit: 20, ...(orgUnitId ? { orgUnitId } : {}) } },
        }),
      ),
    enabled: value.mode === 'contacts',
  });
  const options = [
    ...value.contacts,
    ...(found.data?.items ?? [])
      .filter((c) => !value.contacts.some((s) => s.value === c.id))
      .map((c) => ({ value: c.id, label: `${c.name}${c.party ? ` (${c.party})` : ''}` })),
  ];
  const setFilter = (k: keyof RecipientsDraft['filters']) => (e: React.ChangeEvent<HTMLInputElement>) =>
    onChange({ ...value, filters: { ...value.filters, [k]: e.currentTarget.value } });

  return (
    <Fieldset legend={t('center.sendTo')}>
      <Stack gap="sm">
        <SegmentedControl
          aria-label={t('center.sendTo')}
          orientation={narrow ? 'vertical' : 'horizontal'}
          fullWidth
          value={value.mode}
          onChange={(m) => onChange({ ...value, mode: m as SendToMode })}
          data={[
            { value: 'group', label: t('center.sendTo.group') },
            { value: 'contacts', label: t('center.sendTo.contacts') },
            { value: 'numbers', label: t('center.sendTo.numbers') },
          ]}
        />
        {value.mode === 'group' && (
          <>
            <Select
              label={t('center.group')}
              data={(groups.data?.items ?? []).map((g) => ({ value: g.id, label: g.label }))}
              value={value.group}
              onChange={(g) => g && onChange({ ...value, group: g as RecipientsDraft['group'] })}
              allowDeselect={false}
              data-testid="send-to-group"
            />
            <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" verticalSpacing="xs">
              <TextInput
                label={t('center.filter.customer')}
                value={value.filters.customer}
                onChange={setFilter('customer')}
              />
              <TextInput
                label={t('center.filter.supplier')}
                value={value.filters.supplier}
                onChange={setFilter('supplier')}
              />
              <TextInput
                label={t('center.filter.salesPartner')}
                value={value.filters.salesPartner}
                onChange={setFilter('salesPartner')}
              />
              <TextInput
                label={t('center.filter.department')}
                value={value.filters.department}
                onChange={setFilter('department')}
              />
              <TextInput
                label={t('center.filter.branch')}
                value={value.filters.branch}
                onChange={setFilter('branch')}
              />
              <MultiSelect
                label={t('center.filter.orgUnits')}
                placeholder={t('common.all')}
                data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
                value={value.filters.orgUnitIds}
                onChange={(orgUnitIds) => onChange({ ...value, filters: { ...value.filters, orgUnitIds } })}
                clearable
              />
            </SimpleGrid>
          </>
        )}
        {value.mode === 'contacts' && (
          <MultiSelect
            label={t('center.contacts')}
            description={t('center.contactsHelp')}
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            filter={({ options: o }) => o}
            data={options}
            value={value.contacts.map((c) => c.value)}
            onChange={(ids) =>
              onChange({
                ...value,
                contacts: ids.map((id) => options.find((o) => o.value === id)!).filter(Boolean),
              })
            }
            nothingFoundMessage={found.isFetching ? t('app.loading') : t('common.noRows')}
            clearable
          />
        )}
        {value.mode === 'numbers' && (
          <Textarea
            label={t('center.numbers')}
            description={t('center.numbersHelp')}
            autosize
            minRows={3}
            maxRows={10}
            value={value.numbers}
            onChange={(e) => onChange({ ...value, numbers: e.currentTarget.value })}
          />
        )}
      </Stack>
    </Fieldset>
  );
}
