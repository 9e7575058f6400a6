import {
  Anchor,
  Button,
  Grid,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, must } from '../../api/client';
import { useLiveEvents } from '../../api/live';
import { useSession } from '../../auth/session';
import { StatusBadge } from '../../components/StatusBadge';
import { formatDateTime, t } from '../../i18n';
import { problemText } from '../../lib/problem';
import { LoadError, ScreenHeader, ScreenLoading } from '../../shell/ScreenState';
import { KeywordEffect } from '../inbound/KeywordEffect';
import { useSendSms } from '../send-dialog/SendSmsDialog';
import { ConsentPanel } from './ConsentPanel';
import { ContactFormModal } from './ContactFormModal';
import { kindLabel } from './contactKinds';

function Fact({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm">{value || t('common.none')}</Text>
    </div>
  );
}

/** One contact: details, numbers with consent state and history, messages sent and received, Send SMS. */
export default function ContactDetailScreen() {
  const { id = '' } = useParams();
  const session = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const sendSms = useSendSms();
  const [editing, setEditing] = useState(false);
  const contact = useQuery({
    queryKey: ['contacts', 'detail', id],
    queryFn: () => must(api.GET('/api/contacts/{id}', { params: { path: { id } } })),
  });
  const sent = useQuery({
    queryKey: ['messages', 'contact', id],
    queryFn: () => must(api.GET('/api/messages', { params: { query: { contactId: id, limit: 50 } } })),
    enabled: session.can('messages.read'),
  });
  const received = useQuery({
    queryKey: ['inbound', 'contact', id],
    queryFn: () => must(api.GET('/api/inbound', { params: { query: { contactId: id, limit: 50 } } })),
    enabled: session.can('messages.read'),
  });
  useLiveEvents((e) => {
    if (e.type === 'message.status' || e.type === 'reset')
      void qc.invalidateQueries({ queryKey: ['messages', 'contact', id] });
  });

  const c = contact.data;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const remove = async () => {
    if (!c) return;
    setDeleting(true);
    try {
      await must(api.DELETE('/api/contacts/{id}', { params: { path: { id: c.id } } }));
      await qc.invalidateQueries({ queryKey: ['contacts'] });
      notifications.show({ color: 'green', message: t('contact.deleted', { name: c.name }) });
      navigate('/contacts');
    } catch (err) {
      notifications.show({ color: 'red', title: t('contact.delete'), message: problemText(err) });
    } finally {
      setDeleting(false);
      setConfirmDelete(false);
    }
  };

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/contacts" size="sm">
        ← {t('contact.back')}
      </Anchor>
      {contact.isPending && <ScreenLoading />}
      {contact.error && <LoadError error={contact.error} onRetry={() => void contact.refetch()} />}
      {c && (
        <>
          <ScreenHeader
            title={c.name}
            intro={[kindLabel(c.kind), c.party].filter(Boolean).join(' · ')}
            actions={
              <>
                {session.can('messages.send') && (
                  <Button onClick={() => sendSms.open({ contact: c })} disabled={c.phones.length === 0}>
                    {t('contact.sendSms')}
                  </Button>
                )}
                {session.can('contacts.manage') && (
                  <>
                    <Button variant="light" onClick={() => setEditing(true)}>
                      {t('contact.edit')}
                    </Button>
                    <Button variant="subtle" color="red" onClick={() => setConfirmDelete(true)}>
                      {t('contact.delete')}
                    </Button>
                  </>
                )}
              </>
            }
          />
          <Paper withBorder p="md">
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Fact label={t('contactForm.firstName')} value={c.firstName} />
              <Fact label={t('contactForm.lastName')} value={c.lastName} />
              <Fact label={t('contactForm.department')} value={c.department} />
              <Fact label={t('contactForm.branch')} value={c.branch} />
              <Fact label={t('contactForm.status')} value={c.status} />
              <Fact label={t('contactForm.orgUnit')} value={session.orgUnitName(c.orgUnitId)} />
              {Object.entries(c.attributes).map(([k, v]) => (
                <Fact key={k} label={k} value={String(v)} />
              ))}
            </SimpleGrid>
          </Paper>
          <Title order={3} size="h4">
            {t('contact.phones')}
          </Title>
          {c.phones.length === 0 && <Text c="dimmed">{t('contact.noPhones')}</Text>}
          <Stack gap="xs">
            {c.phones.map((p) => (
              <ConsentPanel key={p.id} phone={p} orgUnitId={c.orgUnitId} />
            ))}
          </Stack>
          <Grid>
            <Grid.Col span={{ base: 12, xl: 7 }}>
              <Title order={3} size="h4" mb="xs">
                {t('contact.messagesSent')}
              </Title>
              {sent.error && <LoadError error={sent.error} onRetry={() => void sent.refetch()} />}
              <Table.ScrollContainer minWidth={480}>
                <Table aria-label={t('contact.messagesSent')} data-testid="contact-messages">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('messages.col.sentOn')}</Table.Th>
                      <Table.Th>{t('messages.col.phone')}</Table.Th>
                      <Table.Th>{t('messages.col.text')}</Table.Th>
                      <Table.Th>{t('messages.col.status')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {(sent.data?.items ?? []).map((m) => (
                      <Table.Tr key={m.id}>
                        <Table.Td className="nowrap">{formatDateTime(m.createdAt)}</Table.Td>
                        <Table.Td className="nowrap">{m.to}</Table.Td>
                        <Table.Td>
                          <Text size="sm" lineClamp={2}>
                            {m.body}
                          </Text>
                        </Table.Td>
                        <Table.Td data-testid="status-cell" miw={150}>
                          <StatusBadge status={m.status} reason={m.statusReason} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {sent.data?.items.length === 0 && <Text c="dimmed">{t('contact.noMessages')}</Text>}
            </Grid.Col>
            <Grid.Col span={{ base: 12, xl: 5 }}>
              <Title order={3} size="h4" mb="xs">
                {t('contact.messagesReceived')}
              </Title>
              {received.error && <LoadError error={received.error} onRetry={() => void received.refetch()} />}
              <Stack gap="xs" data-testid="contact-inbound">
                {(received.data?.items ?? []).map((m) => (
                  <Paper key={m.id} withBorder p="xs">
                    <Text size="xs" c="dimmed">
                      {formatDateTime(m.receivedAt)} · {m.fromE164 ?? m.from}
                    </Text>
                    <Text size="sm">{m.text}</Text>
                    {m.keyword && <KeywordEffect k={m.keyword} />}
                  </Paper>
                ))}
                {received.data?.items.length === 0 && <Text c="dimmed">{t('contact.noMessages')}</Text>}
              </Stack>
            </Grid.Col>
          </Grid>
          <ContactFormModal opened={editing} onClose={() => setEditing(false)} contact={c} />
          <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title={t('contact.delete')}>
            <Text size="sm">{t('contact.deleteConfirm', { name: c.name })}</Text>
            <Group justify="flex-end" mt="md">
              <Button variant="default" onClick={() => setConfirmDelete(false)}>
                {t('common.cancel')}
              </Button>
              <Button color="red" loading={deleting} onClick={() => void remove()}>
                {t('contact.delete')}
              </Button>
            </Group>
          </Modal>
        </>
      )}
    </Stack>
  );
}
