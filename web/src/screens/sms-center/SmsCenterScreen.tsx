import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Stack,
  Text,
} from '@mantine/core';
import { DateTimePicker } from '@mantine/dates';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { MessageEditor } from '../../components/MessageEditor';
import { formatNumber, t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { ScreenHeader } from '../../shell/ScreenState';
import { ReceiverListTable } from './ReceiverListTable';
import {
  emptyRecipients,
  isEmptyRecipients,
  type RecipientsDraft,
  RecipientsPicker,
  toRecipients,
} from './RecipientsPicker';

type Category = 'transactional' | 'marketing';

/** SMS Center: Send To, Create Receiver List, Message with counter, send now or at a time. */
export default function SmsCenterScreen() {
  const session = useSession();
  const qc = useQueryClient();
  const orgUnitId = session.currentOrgUnit?.id;
  const [draft, setDraft] = useState<RecipientsDraft>(emptyRecipients);
  const [text, setText] = useState('');
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [category, setCategory] = useState<Category>('marketing');
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [scheduledAt, setScheduledAt] = useState<string | null>(null);
  const [transliterate, setTransliterate] = useState(false);
  const [list, setList] = useState<{ key: string; data: Schemas['ReceiverList'] }>();
  const [listBusy, setListBusy] = useState(false);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Schemas['BatchResult']>();
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID());

  const templates = useQuery({
    queryKey: ['templates', orgUnitId],
    queryFn: () => must(api.GET('/api/templates', { params: { query: { orgUnitId, limit: 100 } } })),
    enabled: !!orgUnitId,
  });
  const template = templates.data?.items.find((tp) => tp.id === templateId);
  // Sent as the template while its text is unchanged (the SMS Log then names it); edited, as plain text.
  const useTemplate = template !== undefined && template.body === text;

  const recipients = toRecipients(draft);
  const recipientsKey = JSON.stringify([recipients, category, orgUnitId]);
  const stale = list !== undefined && list.key !== recipientsKey;

  const createList = async () => {
    if (!orgUnitId) return;
    setListBusy(true);
    setError(undefined);
    try {
      const data = await must(
        api.POST('/api/batches/receivers', { body: { orgUnitId, category, recipients, includeItems: true } }),
      );
      setList({ key: recipientsKey, data });
    } catch (err) {
      setError(problemText(err));
    } finally {
      setListBusy(false);
    }
  };

  // Sending to a group is not undone by a click: the form asks once, naming how many will get it.
  const [confirming, setConfirming] = useState(false);
  const askToSend = (e: React.FormEvent) => {
    e.preventDefault();
    if (!orgUnitId) return;
    setError(undefined);
    setErrors({});
    if (isEmptyRecipients(recipients)) return setError(t('center.noRecipients'));
    if (!text.trim()) return setErrors({ text: t('compose.textRequired') });
    setConfirming(true);
  };

  const send = async () => {
    if (!orgUnitId) return;
    setConfirming(false);
    setSending(true);
    try {
      const body: Schemas['SendBatch'] = {
        orgUnitId,
        category,
        recipients,
        transliterate,
        ...(useTemplate ? { templateId: template.id } : { text }),
        ...(when === 'later' && scheduledAt
          ? { scheduledAt: new Date(scheduledAt.replace(' ', 'T')).toISOString() }
          : {}),
      };
      const r = await must(
        api.POST('/api/batches', { body, params: { header: { 'idempotency-key': idempotencyKey } } }),
      );
      setResult(r);
      setIdempotencyKey(crypto.randomUUID());
      void qc.invalidateQueries({ queryKey: ['messages'] });
      void qc.invalidateQueries({ queryKey: ['batches'] });
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(problemText(err));
    } finally {
      setSending(false);
    }
  };

  const okCount = list && !stale ? (list.data.totals.ok ?? 0) : undefined;

  return (
    <form onSubmit={askToSend} noValidate aria-label={t('center.title')}>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={t('center.sendSms')} centered>
        <Text size="sm" mb="md" data-testid="confirm-text">
          {okCount !== undefined
            ? t('center.confirm', { count: formatNumber(okCount) })
            : t('center.confirmUnknown')}
        </Text>
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </Button>
          <Button onClick={() => void send()} data-autofocus data-testid="confirm-send">
            {t('center.sendSms')}
          </Button>
        </Group>
      </Modal>
      <Stack gap="md" maw={1100}>
        <ScreenHeader title={t('center.title')} intro={t('center.intro')} />
        <RecipientsPicker
          value={draft}
          onChange={(d) => {
            setDraft(d);
            setResult(undefined);
          }}
          orgUnitId={orgUnitId}
        />
        <Group gap="sm">
          <SegmentedControl
            aria-label={t('compose.category')}
            value={category}
            onChange={(v) => setCategory(v as Category)}
            data={[
              { value: 'marketing', label: t('compose.category.marketing') },
              { value: 'transactional', label: t('compose.category.transactional') },
            ]}
          />
          <Button variant="light" onClick={createList} loading={listBusy} data-testid="create-receiver-list">
            {t('center.createReceiverList')}
          </Button>
        </Group>
        {list && <ReceiverListTable list={list.data} stale={stale} />}
        <Paper withBorder p="md">
          <MessageEditor
            value={text}
            onChange={(v) => {
              setText(v);
              setResult(undefined);
            }}
            orgUnitId={orgUnitId}
            variables
            recipients={okCount}
            transliterate={transliterate}
            error={errors.text}
            onTemplate={(id) => {
              setTemplateId(id);
              const tp = templates.data?.items.find((x) => x.id === id);
              if (tp) setCategory(tp.category);
            }}
          />
          <Checkbox
            mt="sm"
            label={t('center.transliterate')}
            checked={transliterate}
            onChange={(e) => setTransliterate(e.currentTarget.checked)}
          />
        </Paper>
        <Group align="flex-end" gap="sm">
          <SegmentedControl
            aria-label={t('center.when')}
            value={when}
            onChange={(v) => setWhen(v as 'now' | 'later')}
            data={[
              { value: 'now', label: t('center.sendNow') },
              { value: 'later', label: t('center.schedule') },
            ]}
          />
          {when === 'later' && (
            <DateTimePicker
              label={t('center.scheduledAt')}
              value={scheduledAt}
              onChange={(v) => setScheduledAt(v as string | null)}
              minDate={new Date()}
              required
              w={240}
              error={errors.scheduledAt}
            />
          )}
          <Button
            type="submit"
            loading={sending}
            disabled={!orgUnitId || (when === 'later' && !scheduledAt)}
            data-testid="send-sms"
          >
            {t('center.sendSms')}
            {okCount !== undefined ? ` (${formatNumber(okCount)})` : ''}
          </Button>
        </Group>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {result && (
          <Alert color="green" role="status" data-testid="send-result">
            <Text size="sm">
              {t('center.result', {
                queued: result.queuedCount,
                scheduled: result.scheduledCount,
                blocked: result.blockedCount,
              })}
            </Text>
            <Group gap="md" mt={4}>
              <Anchor component={Link} to={`/sms-log/${result.batchId}`} size="sm">
                {t('center.openBatch')}
              </Anchor>
              <Anchor component={Link} to="/messages" size="sm">
                {t('center.openMessages')}
              </Anchor>
            </Group>
          </Alert>
        )}
      </Stack>
    </form>
  );
}
