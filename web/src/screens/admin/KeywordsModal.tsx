import { Alert, Badge, Button, Group, Modal, Select, SimpleGrid, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { type OrgUnit, useSession } from '../../auth/session';
import { t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { LoadError, ScreenLoading } from '../../shell/ScreenState';

type Settings = Schemas['KeywordSettings'];
type Lang = Settings['language'];
const LANGS: Lang[] = ['en', 'de', 'fr', 'es', 'tr', 'ar', 'no'];
const lines = (v: string) =>
  v
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

/** The keyword lists and reply texts of one org unit (GET/PUT /api/org-units/{id}/keywords). */
export function KeywordsModal({ unit, onClose }: { unit: OrgUnit | null; onClose(): void }) {
  return (
    <Modal
      opened={unit !== null}
      onClose={onClose}
      title={unit ? t('keywords.title', { name: unit.name }) : ''}
      size="xl"
    >
      {unit && <KeywordsLoader unit={unit} onClose={onClose} />}
    </Modal>
  );
}

function KeywordsLoader({ unit, onClose }: { unit: OrgUnit; onClose(): void }) {
  const q = useQuery({
    queryKey: ['org-units', unit.id, 'keywords'],
    queryFn: () => must(api.GET('/api/org-units/{id}/keywords', { params: { path: { id: unit.id } } })),
  });
  if (q.isPending) return <ScreenLoading />;
  if (q.error) return <LoadError error={q.error} onRetry={() => void q.refetch()} />;
  return <KeywordsForm unit={unit} settings={q.data} onClose={onClose} />;
}

function KeywordsForm({ unit, settings, onClose }: { unit: OrgUnit; settings: Settings; onClose(): void }) {
  const session = useSession();
  const qc = useQueryClient();
  const canManage = session.can('org_units.manage');
  const [language, setLanguage] = useState<Lang>(settings.language);
  const [optOut, setOptOut] = useState(settings.keywords.optOut.join('\n'));
  const [optIn, setOptIn] = useState(settings.keywords.optIn.join('\n'));
  const [optInIf, setOptInIf] = useState(settings.keywords.optInIfOptedOut.join('\n'));
  const [help, setHelp] = useState(settings.keywords.help.join('\n'));
  const [replyOptOut, setReplyOptOut] = useState(settings.replies.optOut);
  const [replyOptIn, setReplyOptIn] = useState(settings.replies.optIn);
  const [replyHelp, setReplyHelp] = useState(settings.replies.help);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const errors = fieldErrors(error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await must(
        api.PUT('/api/org-units/{id}/keywords', {
          params: { path: { id: unit.id } },
          body: {
            language,
            keywords: {
              optOut: lines(optOut),
              optIn: lines(optIn),
              optInIfOptedOut: lines(optInIf),
              help: lines(help),
            },
            replies: { optOut: replyOptOut, optIn: replyOptIn, help: replyHelp },
          },
        }),
      );
      await qc.invalidateQueries({ queryKey: ['org-units', unit.id, 'keywords'] });
      notifications.show({ color: 'green', message: t('keywords.saved', { name: unit.name }) });
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const area = (label: string, value: string, set: (v: string) => void, field: string) => (
    <Textarea
      label={label}
      value={value}
      onChange={(e) => set(e.currentTarget.value)}
      autosize
      minRows={3}
      maxRows={8}
      readOnly={!canManage}
      error={errors[field]}
    />
  );

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Group justify="space-between">
          <Text size="sm" c="dimmed" maw={560}>
            {t('keywords.intro')}
          </Text>
          <Badge variant="light" tt="none">
            {settings.customized ? t('keywords.customized') : t('keywords.defaults')}
          </Badge>
        </Group>
        <Select
          label={t('keywords.language')}
          data={LANGS.map((l) => ({ value: l, label: l.toUpperCase() }))}
          value={language}
          onChange={(v) => v && setLanguage(v as Lang)}
          allowDeselect={false}
          readOnly={!canManage}
          w={200}
        />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {area(t('keywords.optOut'), optOut, setOptOut, 'keywords.optOut')}
          {area(t('keywords.optIn'), optIn, setOptIn, 'keywords.optIn')}
          {area(t('keywords.optInIfOptedOut'), optInIf, setOptInIf, 'keywords.optInIfOptedOut')}
          {area(t('keywords.help'), help, setHelp, 'keywords.help')}
        </SimpleGrid>
        <Text size="xs" c="dimmed">
          {t('keywords.replyHelpText')}
        </Text>
        {area(t('keywords.replyOptOut'), replyOptOut, setReplyOptOut, 'replies.optOut')}
        {area(t('keywords.replyOptIn'), replyOptIn, setReplyOptIn, 'replies.optIn')}
        {area(t('keywords.replyHelp'), replyHelp, setReplyHelp, 'replies.help')}
        {error !== undefined && (
          <Alert color="red" role="alert">
            {problemText(error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {canManage ? t('common.cancel') : t('common.close')}
          </Button>
          {canManage && (
            <Button type="submit" loading={busy}>
              {t('common.save')}
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
