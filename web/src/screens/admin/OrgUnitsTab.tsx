import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { type OrgUnit, useSession } from '../../auth/session';
import { useSaveForm } from '../../components/useSaveForm';
import { t } from '../../i18n';
import { problemText } from '../../lib/problem';
import { KeywordsModal } from './KeywordsModal';

type Category = OrgUnit['consentRequiredCategories'][number];

/** The org unit tree (parents before children, indented), with edit, add-below and keyword settings. */
export function OrgUnitsTab() {
  const session = useSession();
  const canManage = session.can('org_units.manage');
  const [editing, setEditing] = useState<{ unit?: OrgUnit; parentId?: string | null } | null>(null);
  const [keywords, setKeywords] = useState<OrgUnit | null>(null);
  const ids = new Set(session.orgUnits.map((u) => u.id));
  const children = (parent: string | null) =>
    session.orgUnits.filter((u) =>
      parent === null ? !u.parentId || !ids.has(u.parentId) : u.parentId === parent,
    );
  const rows: { unit: OrgUnit; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const u of children(parent)) {
      rows.push({ unit: u, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);

  return (
    <Stack gap="sm">
      {canManage && (
        <Group>
          <Button onClick={() => setEditing({ parentId: null })}>{t('orgUnits.add')}</Button>
        </Group>
      )}
      <Stack gap={6} role="tree" aria-label={t('orgUnits.tree')} data-testid="org-unit-tree">
        {rows.map(({ unit: u, depth }) => (
          <Paper
            key={u.id}
            withBorder
            p="sm"
            ml={{ base: depth * 12, sm: depth * 32 }}
            role="treeitem"
            aria-level={depth + 1}
            aria-label={u.name}
          >
            <Group justify="space-between" gap="xs">
              <div>
                <Group gap="xs">
                  <Text fw={700}>{u.name}</Text>
                  {!u.sendingEnabled && (
                    <Badge color="red" variant="light" tt="none">
                      {t('orgUnits.sendingOff')}
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed">
                  {t('orgUnits.regionTz', { region: u.defaultRegion, timezone: u.timezone })} ·{' '}
                  {u.consentRequiredCategories.length
                    ? t('orgUnits.consentFor', {
                        list: u.consentRequiredCategories.map((c) => t(`compose.category.${c}`)).join(', '),
                      })
                    : t('orgUnits.consentNone')}
                </Text>
              </div>
              <Group gap="xs">
                <Button size="compact-sm" variant="subtle" onClick={() => setKeywords(u)}>
                  {t('orgUnits.keywords')}
                </Button>
                {canManage && (
                  <>
                    <Button
                      size="compact-sm"
                      variant="light"
                      onClick={() => setEditing({ unit: u })}
                      aria-label={`${t('orgUnits.edit')} ${u.name}`}
                    >
                      {t('orgUnits.edit')}
                    </Button>
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      onClick={() => setEditing({ parentId: u.id })}
                      aria-label={t('orgUnits.addChild', { name: u.name })}
                    >
                      +
                    </Button>
                  </>
                )}
              </Group>
            </Group>
          </Paper>
        ))}
      </Stack>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={
          editing?.unit ? t('orgUnitForm.titleEdit', { name: editing.unit.name }) : t('orgUnitForm.titleNew')
        }
        size="lg"
      >
        {editing && (
          <OrgUnitForm
            unit={editing.unit}
            parentId={editing.parentId ?? null}
            onClose={() => setEditing(null)}
          />
        )}
      </Modal>
      <KeywordsModal unit={keywords} onClose={() => setKeywords(null)} />
    </Stack>
  );
}

function OrgUnitForm({
  unit,
  parentId,
  onClose,
}: {
  unit?: OrgUnit;
  parentId: string | null;
  onClose(): void;
}) {
  const session = useSession();
  const parent = unit ? unit.parentId : parentId;
  const template = unit ?? session.orgUnits.find((u) => u.id === parentId) ?? session.currentOrgUnit;
  const [name, setName] = useState(unit?.name ?? '');
  const [parentUnit, setParentUnit] = useState<string>(parent ?? '');
  const [region, setRegion] = useState(template?.defaultRegion ?? 'DE');
  const [timezone, setTimezone] = useState(template?.timezone ?? 'Europe/Berlin');
  const [maxTextLength, setMax] = useState<number | string>(unit?.maxTextLength ?? 1000);
  const [sendingEnabled, setSending] = useState(unit?.sendingEnabled ?? true);
  const [categories, setCategories] = useState<Category[]>(unit?.consentRequiredCategories ?? ['marketing']);
  const { busy, error, errors, submit } = useSaveForm({
    save: (): Promise<Schemas['OrgUnit']> => {
      const body = {
        name: name.trim(),
        parentId: parentUnit || null,
        defaultRegion: region.trim().toUpperCase(),
        timezone: timezone.trim(),
        maxTextLength: Number(maxTextLength),
        sendingEnabled,
        consentRequiredCategories: categories,
      };
      return unit
        ? must(api.PATCH('/api/org-units/{id}', { params: { path: { id: unit.id } }, body }))
        : must(api.POST('/api/org-units', { body }));
    },
    invalidate: ['org-units'],
    savedMessage: (saved) => t('orgUnitForm.saved', { name: saved.name }),
    onDone: onClose,
  });

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <TextInput
          label={t('orgUnitForm.name')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          data-autofocus
        />
        <Select
          label={t('orgUnitForm.parent')}
          data={[
            { value: '', label: t('orgUnitForm.noParent') },
            ...session.orgUnits.filter((u) => u.id !== unit?.id).map((u) => ({ value: u.id, label: u.name })),
          ]}
          value={parentUnit}
          onChange={(v) => setParentUnit(v ?? '')}
          allowDeselect={false}
          error={errors.parentId}
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput
            label={t('orgUnitForm.region')}
            description={t('orgUnitForm.regionHelp')}
            value={region}
            onChange={(e) => setRegion(e.currentTarget.value)}
            maxLength={2}
            error={errors.defaultRegion}
          />
          <TextInput
            label={t('orgUnitForm.timezone')}
            value={timezone}
            onChange={(e) => setTimezone(e.currentTarget.value)}
            error={errors.timezone}
          />
          <NumberInput
            label={t('orgUnitForm.maxTextLength')}
            value={maxTextLength}
            onChange={setMax}
            min={1}
            allowDecimal={false}
            error={errors.maxTextLength}
          />
        </SimpleGrid>
        <Switch
          label={t('orgUnitForm.sendingEnabled')}
          checked={sendingEnabled}
          onChange={(e) => setSending(e.currentTarget.checked)}
        />
        <Checkbox.Group
          label={t('orgUnitForm.consentPolicy')}
          description={t('orgUnitForm.consentPolicyHelp')}
          value={categories}
          onChange={(v) => setCategories(v as Category[])}
          error={errors.consentRequiredCategories}
        >
          <Group mt={6}>
            <Checkbox value="transactional" label={t('compose.category.transactional')} />
            <Checkbox value="marketing" label={t('compose.category.marketing')} />
          </Group>
        </Checkbox.Group>
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
