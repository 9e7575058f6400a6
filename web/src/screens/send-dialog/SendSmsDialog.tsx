import { consentDecision } from '@core/consent.js';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { ApiError, api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { MessageEditor } from '../../components/MessageEditor';
import { t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';

/** What the dialog is opened for: a contact (its numbers in a dropdown) or nothing (a typed number). */
export interface SendSmsTarget {
  contact?: Pick<Schemas['Contact'], 'id' | 'name' | 'orgUnitId' | 'phones'>;
  /** Pre-filled number when there is no contact. */
  phone?: string;
}

const SendSmsContext = createContext<{ open(target: SendSmsTarget): void } | null>(null);

/** Opens the Send SMS dialog from anywhere: `useSendSms().open({ contact })`. */
export function useSendSms() {
  const c = useContext(SendSmsContext);
  if (!c) throw new Error('useSendSms outside SendSmsProvider');
  return c;
}

export function SendSmsProvider({ children }: { children: ReactNode }) {
  const [target, setTarget] = useState<SendSmsTarget | null>(null);
  // A new key per opening: a fresh form; closing and reopening for the same target starts clean.
  const [openings, setOpenings] = useState(0);
  const open = useCallback((tg: SendSmsTarget) => {
    setTarget(tg);
    setOpenings((n) => n + 1);
  }, []);
  const value = useMemo(() => ({ open }), [open]);
  return (
    <SendSmsContext.Provider value={value}>
      {children}
      <Modal
        opened={target !== null}
        onClose={() => setTarget(null)}
        title={t('dialog.title')}
        size="lg"
        fullScreen={false}
      >
        {target && <SendSmsForm key={openings} target={target} onClose={() => setTarget(null)} />}
      </Modal>
    </SendSmsContext.Provider>
  );
}

type Category = 'transactional' | 'marketing';

function SendSmsForm({ target, onClose }: { target: SendSmsTarget; onClose(): void }) {
  const session = useSession();
  const qc = useQueryClient();
  const contact = target.contact;
  const orgUnitId = contact?.orgUnitId ?? session.currentOrgUnit?.id;
  const unit = session.orgUnits.find((u) => u.id === orgUnitId);
  const usablePhones = contact?.phones ?? [];
  const [phoneId, setPhoneId] = useState<string | null>(
    usablePhones.find((p) => p.primary)?.id ?? usablePhones[0]?.id ?? null,
  );
  const [typed, setTyped] = useState(target.phone ?? '');
  const [text, setText] = useState('');
  const [category, setCategory] = useState<Category>('transactional');
  const [keepOpen, setKeepOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());

  const phone = contact ? (usablePhones.find((p) => p.id === phoneId)?.e164 ?? '') : typed.trim();
  const [checkedPhone] = useDebouncedValue(phone, 300);
  const consent = useQuery({
    queryKey: ['consent', checkedPhone, orgUnitId],
    queryFn: () =>
      must(
        api.GET('/api/consent/{phone}', { params: { path: { phone: checkedPhone }, query: { orgUnitId } } }),
      ),
    enabled: checkedPhone.length >= 3 && !!orgUnitId,
    retry: false,
  });
  const decision =
    consent.data && unit
      ? consentDecision(consent.data.state, category, unit.consentRequiredCategories)
      : undefined;
  const phoneWarning =
    errors.to ??
    (consent.error instanceof ApiError && consent.error.status < 500
      ? t('dialog.invalidPhone')
      : decision === 'no_consent'
        ? t('dialog.consentMissing')
        : decision === 'opted_out'
          ? t('dialog.optedOut')
          : undefined);
  const consentPending = phone.length > 0 && (phone !== checkedPhone || consent.isFetching);
  const tooLong = unit ? [...text].length > unit.maxTextLength : false;
  const canSend =
    !busy && phone.length > 0 && text.trim().length > 0 && decision === 'ok' && !consentPending && !tooLong;

  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!canSend) return;
    setBusy(true);
    setErrors({});
    setOutcome(undefined);
    try {
      const body: Schemas['SendMessage'] = contact
        ? { contactId: contact.id, phoneId: phoneId ?? undefined, text, category }
        : { to: phone, orgUnitId, text, category };
      const r = await must(
        api.POST('/api/messages', { body, params: { header: { 'idempotency-key': idempotencyKey } } }),
      );
      setIdempotencyKey(crypto.randomUUID());
      void qc.invalidateQueries({ queryKey: ['messages'] });
      void qc.invalidateQueries({ queryKey: ['batches'] });
      if (r.status === 'blocked') {
        const reason = r.statusReason ? t(`reason.${r.statusReason}` as 'reason.no_consent') : r.status;
        setOutcome({ ok: false, text: t('dialog.blocked', { phone: r.to, reason }) });
        return;
      }
      const msg = t('dialog.sent', { phone: r.to, status: t(`status.${r.status}` as 'status.queued') });
      notifications.show({ color: 'green', message: msg });
      if (keepOpen) {
        setText('');
        setOutcome({ ok: true, text: msg });
      } else onClose();
    } catch (err) {
      setErrors(fieldErrors(err));
      setOutcome({ ok: false, text: problemText(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={send} noValidate aria-label={t('dialog.title')}>
      <Stack gap="sm">
        {contact && (
          <Text size="sm">
            {t('dialog.contact')}: <b>{contact.name}</b>
          </Text>
        )}
        {contact ? (
          <Select
            label={t('dialog.phone')}
            data={usablePhones.map((p) => ({ value: p.id, label: `${p.e164 ?? p.original} (${p.label})` }))}
            value={phoneId}
            onChange={setPhoneId}
            required
            allowDeselect={false}
            error={phoneWarning}
            description={decision === 'ok' ? t('dialog.consentOk') : undefined}
            data-autofocus
          />
        ) : (
          <TextInput
            label={t('dialog.phoneFree')}
            type="tel"
            autoComplete="tel"
            required
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            error={phoneWarning}
            description={
              consentPending
                ? t('dialog.consentChecking')
                : decision === 'ok'
                  ? t('dialog.consentOk')
                  : t('dialog.phoneHelp')
            }
            data-autofocus
          />
        )}
        <SegmentedControl
          aria-label={t('compose.category')}
          value={category}
          onChange={(v) => setCategory(v as Category)}
          data={[
            { value: 'transactional', label: t('compose.category.transactional') },
            { value: 'marketing', label: t('compose.category.marketing') },
          ]}
        />
        <MessageEditor
          id="dialog-text"
          label={t('dialog.text')}
          value={text}
          onChange={setText}
          orgUnitId={orgUnitId}
          error={errors.text}
        />
        {outcome && (
          <Alert
            color={outcome.ok ? 'green' : 'red'}
            role={outcome.ok ? 'status' : 'alert'}
            data-testid="dialog-outcome"
          >
            {outcome.text}
          </Alert>
        )}
        <Group justify="space-between">
          <Checkbox
            label={t('dialog.keepOpen')}
            checked={keepOpen}
            onChange={(e) => setKeepOpen(e.currentTarget.checked)}
          />
          <Group gap="xs">
            <Button variant="default" onClick={onClose}>
              {t('common.close')}
            </Button>
            <Button type="submit" loading={busy} disabled={!canSend}>
              {t('dialog.send')}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}
