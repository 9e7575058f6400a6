import {
  Alert,
  Button,
  Divider,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { type MessageKey, t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { ScreenLoading } from '../../shell/ScreenState';
import { SHARED, useOwnership } from './ownership';
import { type JsonSchema, SettingsFields, type SettingsValues, settingsToSend } from './SettingsFields';

type Gateway = Schemas['Gateway'];
type Kind = Gateway['kind'];
type Shift = Gateway['shiftTables'][number];
const MASK = '********';

/** A refusal that names one setting (`details.field`, e.g. an address not allowed) goes next to that field. */
function withDetailField(err: unknown, errors: Record<string, string>): Record<string, string> {
  const field = err instanceof ApiError ? (err.problem as { field?: unknown }).field : undefined;
  return typeof field === 'string' && !errors[field] ? { ...errors, [field]: problemText(err) } : errors;
}

export const kindLabel = (k: string) => t(`gatewayKind.${k}` as MessageKey);

export function useGatewayKinds() {
  return useQuery({
    queryKey: ['gateway-kinds'],
    queryFn: () => must(api.GET('/api/gateway-kinds', {})),
    staleTime: Infinity,
  });
}

/** Add a gateway of any kind, or edit one; its settings form comes from the kind's schema. */
export function GatewayFormModal({
  opened,
  onClose,
  gateway,
}: {
  opened: boolean;
  onClose(): void;
  gateway?: Gateway;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={gateway ? t('gatewayForm.titleEdit', { name: gateway.name }) : t('gatewayForm.titleNew')}
      size="xl"
    >
      {opened && <GatewayForm gateway={gateway} onClose={onClose} />}
    </Modal>
  );
}

function initialSettings(gateway: Gateway | undefined, secretFields: string[]) {
  const values: SettingsValues = {};
  const secretsSet = new Set<string>();
  for (const [k, v] of Object.entries(gateway?.settings ?? {})) {
    if (secretFields.includes(k)) {
      if (v === MASK) secretsSet.add(k);
    } else values[k] = v;
  }
  return { values, secretsSet };
}

function GatewayForm({ gateway, onClose }: { gateway?: Gateway; onClose(): void }) {
  const qc = useQueryClient();
  const kinds = useGatewayKinds();
  const session = useSession();
  const ownership = useOwnership();
  // Shared gateways are the system managers'; a unit manager adds gateways for their units.
  const seesAll = session.me.orgUnits === 'all';
  const [owner, setOwner] = useState(
    gateway ? (gateway.orgUnitId ?? SHARED) : seesAll ? SHARED : (session.currentOrgUnit?.id ?? ''),
  );
  const [kind, setKind] = useState<Kind>(gateway?.kind ?? 'simulator');
  const [name, setName] = useState(gateway?.name ?? '');
  const [messagesPerSecond, setMps] = useState<number | string>(gateway?.messagesPerSecond ?? 10);
  const [maxParts, setMaxParts] = useState<number | string>(gateway?.maxParts ?? 10);
  const [price, setPrice] = useState<number | string>(gateway?.pricePerPart ?? '');
  const [currency, setCurrency] = useState(gateway?.currency ?? '');
  const [shiftTables, setShiftTables] = useState<Shift[]>(gateway?.shiftTables ?? []);
  const [settingsByKind, setSettingsByKind] = useState<Partial<Record<Kind, SettingsValues>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [jsonErrors, setJsonErrors] = useState<Record<string, string>>({});
  const errors = withDetailField(error, fieldErrors(error));

  if (kinds.isPending) return <ScreenLoading />;
  if (kinds.error) return <Alert color="red">{problemText(kinds.error)}</Alert>;
  const def = kinds.data.items.find((k) => k.kind === kind);
  const schema = (def?.settingsSchema ?? {}) as JsonSchema;
  const secretFields = def?.secretFields ?? [];
  const initial = initialSettings(gateway?.kind === kind ? gateway : undefined, secretFields);
  // What was typed is kept per kind, so switching the kind back and forth loses nothing.
  const values = settingsByKind[kind] ?? initial.values;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const { settings, jsonErrors: bad } = settingsToSend(schema, values, '', initial.secretsSet);
    setJsonErrors(bad);
    if (Object.keys(bad).length) {
      // Take the user to the first setting that needs attention (the dialog may be scrolled away from it).
      const form = e.currentTarget as HTMLFormElement;
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    setBusy(true);
    setError(undefined);
    const common = {
      name: name.trim(),
      messagesPerSecond: Number(messagesPerSecond),
      maxParts: Number(maxParts),
      pricePerPart: price === '' ? null : Number(price),
      currency: currency.trim().toUpperCase() || null,
      shiftTables,
      orgUnitId: owner === SHARED ? null : owner,
    };
    try {
      const saved = gateway
        ? await must(
            api.PATCH('/api/gateways/{id}', {
              params: { path: { id: gateway.id } },
              body: { ...common, settings },
            }),
          )
        : await must(api.POST('/api/gateways', { body: { ...common, kind, settings } }));
      await qc.invalidateQueries({ queryKey: ['gateways'] });
      notifications.show({ color: 'green', message: t('gatewayForm.saved', { name: saved.name }) });
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={gateway ? t('gatewayForm.titleEdit', { name: gateway.name }) : t('gatewayForm.titleNew')}
    >
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label={t('gatewayForm.kind')}
            data={kinds.data.items.map((k) => ({ value: k.kind, label: kindLabel(k.kind) }))}
            value={kind}
            onChange={(v) => v && setKind(v as Kind)}
            allowDeselect={false}
            disabled={!!gateway}
            data-testid="gateway-kind"
          />
          <TextInput
            label={t('gatewayForm.name')}
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            data-autofocus
          />
          <Select
            label={t('gatewayForm.orgUnit')}
            description={t('gatewayForm.orgUnitHelp')}
            data={ownership.ownerOptions(owner)}
            value={owner}
            onChange={(v) => v && setOwner(v)}
            allowDeselect={false}
            error={errors.orgUnitId}
            data-testid="gateway-org-unit"
          />
          <NumberInput
            label={t('gatewayForm.messagesPerSecond')}
            value={messagesPerSecond}
            onChange={setMps}
            min={0}
            decimalScale={3}
            error={errors.messagesPerSecond}
          />
          <NumberInput
            label={t('gatewayForm.maxParts')}
            value={maxParts}
            onChange={setMaxParts}
            min={1}
            max={255}
            allowDecimal={false}
            error={errors.maxParts}
          />
          <NumberInput
            label={t('gatewayForm.pricePerPart')}
            value={price}
            onChange={setPrice}
            min={0}
            error={errors.pricePerPart}
          />
          <TextInput
            label={t('gatewayForm.currency')}
            description={t('gatewayForm.currencyHelp')}
            value={currency}
            onChange={(e) => setCurrency(e.currentTarget.value)}
            maxLength={3}
            error={errors.currency}
          />
        </SimpleGrid>
        <MultiSelect
          label={t('gatewayForm.shiftTables')}
          data={(['turkish', 'spanish', 'portuguese'] as const).map((s) => ({
            value: s,
            label: t(`shift.${s}`),
          }))}
          value={shiftTables}
          onChange={(v) => setShiftTables(v as Shift[])}
          clearable
        />
        <Divider label={t('gatewayForm.settings')} labelPosition="left" />
        <Text size="xs" c="dimmed">
          {t('gatewayForm.settingsHelp')}
        </Text>
        <SettingsFields
          key={kind}
          schema={schema}
          values={values}
          onChange={(v) => setSettingsByKind((m) => ({ ...m, [kind]: v }))}
          secretFields={secretFields}
          secretsSet={initial.secretsSet}
          errors={errors}
          jsonErrors={jsonErrors}
        />
        {Object.keys(jsonErrors).length > 0 && (
          <Alert color="red" role="alert" data-testid="gateway-check">
            {t('gatewayForm.checkFields')}
          </Alert>
        )}
        {error !== undefined && (
          <Alert color="red" role="alert" data-testid="gateway-error">
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
