import { Badge, Button, Group, Modal, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { formatDateTime, type MessageKey, t } from '../../i18n';
import { problemText } from '../../lib/problem';

type ConsentState = Schemas['Consent']['state'];
const COLOR: Record<ConsentState, string> = { opted_in: 'green', opted_out: 'red', unknown: 'gray' };

export const consentLabel = (s: string) => t(`consent.${s}` as MessageKey);

/** One number: its consent state, the append-only history, and (with consent.manage) opt-in / opt-out. */
export function ConsentPanel({ phone, orgUnitId }: { phone: Schemas['ContactPhone']; orgUnitId: string }) {
  const session = useSession();
  const qc = useQueryClient();
  const number = phone.e164 ?? phone.original;
  const consent = useQuery({
    queryKey: ['consent', number, orgUnitId],
    queryFn: () =>
      must(api.GET('/api/consent/{phone}', { params: { path: { phone: number }, query: { orgUnitId } } })),
    enabled: !!phone.e164,
    retry: false,
  });
  const [recording, setRecording] = useState<ConsentState | null>(null);
  const [evidence, setEvidence] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const record = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!recording) return;
    setBusy(true);
    setError(undefined);
    try {
      await must(
        api.POST('/api/consent', {
          body: {
            phone: number,
            state: recording,
            orgUnitId,
            ...(evidence.trim() ? { evidence: { note: evidence.trim() } } : {}),
          },
        }),
      );
      await qc.invalidateQueries({ queryKey: ['consent'] });
      notifications.show({
        color: 'green',
        message: t('contact.consentRecorded', { phone: number, state: consentLabel(recording) }),
      });
      setRecording(null);
      setEvidence('');
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  };

  const state = consent.data?.state;
  return (
    <Paper withBorder p="sm" data-testid="phone-card" data-phone={number}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Group gap="xs">
          <Text fw={600} className="nowrap">
            {number}
          </Text>
          <Text size="sm" c="dimmed">
            {phone.label}
            {phone.lineType && phone.lineType !== phone.label ? ` · ${phone.lineType}` : ''}
          </Text>
          {phone.primary && (
            <Badge size="sm" variant="outline">
              {t('contact.primary')}
            </Badge>
          )}
        </Group>
        <Group gap="xs">
          {state && (
            <Badge color={COLOR[state]} variant="light" tt="none" data-testid="consent-state">
              {t('contact.consent')}: {consentLabel(state)}
            </Badge>
          )}
          {session.can('consent.manage') && phone.e164 && (
            <>
              <Button
                size="compact-xs"
                variant="light"
                color="green"
                onClick={() => setRecording('opted_in')}
              >
                {t('contact.optIn')}
              </Button>
              <Button size="compact-xs" variant="light" color="red" onClick={() => setRecording('opted_out')}>
                {t('contact.optOut')}
              </Button>
            </>
          )}
        </Group>
      </Group>
      {consent.error && (
        <Text size="sm" c="red" role="alert">
          {problemText(consent.error)}
        </Text>
      )}
      {consent.data && (
        <Table.ScrollContainer minWidth={420} mt="xs">
          <Table fz="xs" aria-label={t('contact.consentHistory', { phone: number })}>
            <Table.Tbody>
              {consent.data.history.length === 0 && (
                <Table.Tr>
                  <Table.Td c="dimmed">{t('contact.consentNone')}</Table.Td>
                </Table.Tr>
              )}
              {consent.data.history.map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td className="nowrap">{formatDateTime(h.occurredAt)}</Table.Td>
                  <Table.Td>{consentLabel(h.state)}</Table.Td>
                  <Table.Td>{t(`consent.source.${h.source}` as MessageKey)}</Table.Td>
                  <Table.Td>
                    {Object.entries(h.evidence)
                      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
                      .join(', ')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={recording !== null}
        onClose={() => setRecording(null)}
        title={recording === 'opted_in' ? t('contact.optIn') : t('contact.optOut')}
      >
        <form onSubmit={record} noValidate>
          <Stack gap="sm">
            <Text size="sm">{number}</Text>
            <TextInput
              label={t('contact.consentEvidence')}
              description={t('contact.consentEvidenceHelp')}
              value={evidence}
              onChange={(e) => setEvidence(e.currentTarget.value)}
              error={error}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRecording(null)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={busy} color={recording === 'opted_in' ? 'green' : 'red'}>
                {recording === 'opted_in' ? t('contact.optIn') : t('contact.optOut')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Paper>
  );
}
