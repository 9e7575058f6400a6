import {
  ActionIcon,
  Alert,
  Button,
  Group,
  Modal,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { type MessageKey, t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { type Contact, type ContactKind, kindOptions } from './contactKinds';

type PhoneRow = { number: string; label: string };

/** Errors of the phone rows from the problem's issues (`["phones", 1, "number"]`). */
function phoneErrors(err: unknown): Record<number, string> {
  const out: Record<number, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const i of err.problem.issues ?? []) {
    if (i.path[0] === 'phones' && typeof i.path[1] === 'number' && !out[i.path[1]])
      // The server names the reason with a code (`too_short`, `duplicate` …): say it in words.
      out[i.path[1]] = t(`phoneError.${i.message}` as MessageKey) ?? i.message;
  }
  return out;
}

/** Create or edit a contact. What was typed stays when saving fails; errors sit at their field. */
export function ContactFormModal({
  opened,
  onClose,
  contact,
}: {
  opened: boolean;
  onClose(): void;
  contact?: Contact;
}) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={contact ? t('contactForm.titleEdit', { name: contact.name }) : t('contactForm.titleNew')}
      size="lg"
    >
      {opened && <ContactForm contact={contact} onClose={onClose} />}
    </Modal>
  );
}

function ContactForm({ contact, onClose }: { contact?: Contact; onClose(): void }) {
  const session = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState(contact?.name ?? '');
  const [firstName, setFirstName] = useState(contact?.firstName ?? '');
  const [lastName, setLastName] = useState(contact?.lastName ?? '');
  const [kind, setKind] = useState<ContactKind>(contact?.kind ?? 'customer_contact');
  const [party, setParty] = useState(contact?.party ?? '');
  const [department, setDepartment] = useState(contact?.department ?? '');
  const [branch, setBranch] = useState(contact?.branch ?? '');
  const [orgUnitId, setOrgUnitId] = useState(contact?.orgUnitId ?? session.currentOrgUnit?.id ?? '');
  const [phones, setPhones] = useState<PhoneRow[]>(
    contact?.phones.length
      ? contact.phones.map((p) => ({ number: p.e164 ?? p.original, label: p.label }))
      : [{ number: '', label: 'mobile' }],
  );
  const [primary, setPrimary] = useState(
    String(Math.max(0, contact?.phones.findIndex((p) => p.primary) ?? 0)),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const errors = fieldErrors(error);
  const perPhone = phoneErrors(error);

  const setPhone = (i: number, patch: Partial<PhoneRow>) =>
    setPhones((list) => list.map((p, j) => (j === i ? { ...p, ...patch } : p)));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const filled = phones
      .map((p, i) => ({ ...p, primary: String(i) === primary }))
      .filter((p) => p.number.trim());
    const body = {
      name: name.trim(),
      firstName: firstName.trim() || null,
      lastName: lastName.trim() || null,
      kind,
      party: party.trim() || null,
      department: department.trim() || null,
      branch: branch.trim() || null,
      orgUnitId,
      phones: filled.map((p) => ({
        number: p.number.trim(),
        label: p.label.trim() || 'mobile',
        primary: p.primary,
      })),
    };
    try {
      const saved: Schemas['Contact'] = contact
        ? await must(api.PATCH('/api/contacts/{id}', { params: { path: { id: contact.id } }, body }))
        : await must(api.POST('/api/contacts', { body: { ...body, attributes: {} } }));
      await qc.invalidateQueries({ queryKey: ['contacts'] });
      notifications.show({ color: 'green', message: t('contact.saved', { name: saved.name }) });
      onClose();
      if (!contact) navigate(`/contacts/${saved.id}`);
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
      aria-label={contact ? t('contactForm.titleEdit', { name: contact.name }) : t('contactForm.titleNew')}
    >
      <Stack gap="sm">
        <TextInput
          label={t('contactForm.name')}
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          data-autofocus
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput
            label={t('contactForm.firstName')}
            value={firstName}
            onChange={(e) => setFirstName(e.currentTarget.value)}
            error={errors.firstName}
          />
          <TextInput
            label={t('contactForm.lastName')}
            value={lastName}
            onChange={(e) => setLastName(e.currentTarget.value)}
            error={errors.lastName}
          />
          <Select
            label={t('contactForm.kind')}
            data={kindOptions()}
            value={kind}
            onChange={(v) => v && setKind(v as ContactKind)}
            allowDeselect={false}
            error={errors.kind}
          />
          <Select
            label={t('contactForm.orgUnit')}
            data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
            value={orgUnitId}
            onChange={(v) => v && setOrgUnitId(v)}
            allowDeselect={false}
            error={errors.orgUnitId}
          />
          <TextInput
            label={t('contactForm.party')}
            value={party}
            onChange={(e) => setParty(e.currentTarget.value)}
            error={errors.party}
          />
          <TextInput
            label={t('contactForm.department')}
            value={department}
            onChange={(e) => setDepartment(e.currentTarget.value)}
            error={errors.department}
          />
          <TextInput
            label={t('contactForm.branch')}
            value={branch}
            onChange={(e) => setBranch(e.currentTarget.value)}
            error={errors.branch}
          />
        </SimpleGrid>
        <Radio.Group value={primary} onChange={setPrimary} label={t('contact.phones')}>
          <Stack gap="xs" mt={4}>
            {phones.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, their index is their identity
              <Group key={i} gap="xs" align="flex-start" wrap="nowrap">
                <TextInput
                  label={t('contactForm.phoneNumber', { n: i + 1 })}
                  type="tel"
                  value={p.number}
                  onChange={(e) => setPhone(i, { number: e.currentTarget.value })}
                  error={perPhone[i]}
                  style={{ flex: 2 }}
                />
                <TextInput
                  label={t('contactForm.phoneLabel', { n: i + 1 })}
                  value={p.label}
                  onChange={(e) => setPhone(i, { label: e.currentTarget.value })}
                  style={{ flex: 1 }}
                />
                <Radio
                  value={String(i)}
                  mt={32}
                  aria-label={t('contactForm.primaryPhone', { n: i + 1 })}
                  title={t('contact.primary')}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  mt={28}
                  aria-label={t('contactForm.removePhone', { n: i + 1 })}
                  onClick={() => setPhones((list) => list.filter((_, j) => j !== i))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
          </Stack>
        </Radio.Group>
        <Group>
          <Button
            variant="subtle"
            size="xs"
            onClick={() => setPhones((l) => [...l, { number: '', label: 'mobile' }])}
            disabled={phones.length >= 10}
          >
            {t('contactForm.addPhone')}
          </Button>
        </Group>
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
