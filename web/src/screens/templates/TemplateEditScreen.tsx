import {
  Alert,
  Anchor,
  Button,
  Grid,
  Group,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError, api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { MessageEditor } from '../../components/MessageEditor';
import { t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { LoadError, ScreenHeader, ScreenLoading } from '../../shell/ScreenState';

type Template = Schemas['Template'];
type Category = Template['category'];

/** The unknown variables of a `template.invalid` problem, or its first compile error, in plain words. */
function bodyError(err: unknown): string | undefined {
  if (!(err instanceof ApiError) || err.problem.code !== 'template.invalid') return fieldErrors(err).body;
  return problemText(err);
}

/** A template opened by id, or a new one (`/templates/new`). */
export default function TemplateEditScreen() {
  const { id = 'new' } = useParams();
  const isNew = id === 'new';
  const template = useQuery({
    queryKey: ['templates', 'detail', id],
    queryFn: () => must(api.GET('/api/templates/{id}', { params: { path: { id } } })),
    enabled: !isNew,
  });
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/templates" size="sm">
        ← {t('template.back')}
      </Anchor>
      <ScreenHeader title={isNew ? t('template.titleNew') : t('template.titleEdit')} />
      {!isNew && template.isPending && <ScreenLoading />}
      {template.error && <LoadError error={template.error} onRetry={() => void template.refetch()} />}
      {(isNew || template.data) && <TemplateForm key={template.data?.id ?? 'new'} template={template.data} />}
    </Stack>
  );
}

function TemplateForm({ template }: { template?: Template }) {
  const session = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const canManage = session.can('templates.manage');
  const [name, setName] = useState(template?.name ?? '');
  const [category, setCategory] = useState<Category>(template?.category ?? 'transactional');
  const [orgUnitId, setOrgUnitId] = useState(template?.orgUnitId ?? session.currentOrgUnit?.id ?? '');
  const [body, setBody] = useState(template?.body ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const errors = fieldErrors(error);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const saved = template
        ? await must(
            api.PATCH('/api/templates/{id}', {
              params: { path: { id: template.id } },
              body: { name, category, body },
            }),
          )
        : await must(api.POST('/api/templates', { body: { name, category, body, orgUnitId } }));
      await qc.invalidateQueries({ queryKey: ['templates'] });
      notifications.show({ color: 'green', message: t('template.saved', { name: saved.name }) });
      if (!template) navigate(`/templates/${saved.id}`, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!template) return;
    setBusy(true);
    try {
      await must(api.DELETE('/api/templates/{id}', { params: { path: { id: template.id } } }));
      await qc.invalidateQueries({ queryKey: ['templates'] });
      notifications.show({ color: 'green', message: t('template.deleted', { name: template.name }) });
      navigate('/templates');
    } catch (err) {
      setError(err);
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <form
          onSubmit={save}
          noValidate
          aria-label={template ? t('template.titleEdit') : t('template.titleNew')}
        >
          <Stack gap="sm">
            <TextInput
              label={t('template.name')}
              required
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={
                errors.name ??
                (error instanceof ApiError && error.problem.code === 'template.name_taken'
                  ? problemText(error)
                  : undefined)
              }
              readOnly={!canManage}
            />
            <Group gap="md" align="flex-end">
              <SegmentedControl
                aria-label={t('compose.category')}
                value={category}
                onChange={(v) => setCategory(v as Category)}
                readOnly={!canManage}
                data={[
                  { value: 'transactional', label: t('compose.category.transactional') },
                  { value: 'marketing', label: t('compose.category.marketing') },
                ]}
              />
              <Select
                label={t('template.orgUnit')}
                data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
                value={orgUnitId}
                onChange={(v) => v && setOrgUnitId(v)}
                allowDeselect={false}
                disabled={!!template}
                error={errors.orgUnitId}
                w={220}
              />
            </Group>
            <MessageEditor
              id="template-body"
              label={t('template.body')}
              value={body}
              onChange={setBody}
              orgUnitId={orgUnitId}
              variables
              error={bodyError(error)}
            />
            {error !== undefined && !bodyError(error) && (
              <Alert color="red" role="alert">
                {problemText(error)}
              </Alert>
            )}
            {canManage && (
              <Group justify="space-between">
                <Button type="submit" loading={busy}>
                  {t('template.save')}
                </Button>
                {template && (
                  <Button variant="subtle" color="red" onClick={() => setConfirmDelete(true)}>
                    {t('template.delete')}
                  </Button>
                )}
              </Group>
            )}
          </Stack>
        </form>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <TemplatePreview body={body} />
      </Grid.Col>
      <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title={t('template.delete')}>
        <Text size="sm">{t('template.deleteConfirm', { name: template?.name ?? '' })}</Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setConfirmDelete(false)}>
            {t('common.cancel')}
          </Button>
          <Button color="red" loading={busy} onClick={() => void remove()}>
            {t('template.delete')}
          </Button>
        </Group>
      </Modal>
    </Grid>
  );
}

/** The text rendered for a chosen contact (or with sample values) as the user types, with its counter. */
function TemplatePreview({ body }: { body: string }) {
  const session = useSession();
  const [search, setSearch] = useState('');
  const [contactId, setContactId] = useState<string | null>(null);
  const [q] = useDebouncedValue(search.trim(), 250);
  const contacts = useQuery({
    queryKey: ['contacts', 'pick', q],
    queryFn: () => must(api.GET('/api/contacts', { params: { query: { limit: 20, ...(q ? { q } : {}) } } })),
    enabled: session.can('contacts.read'),
    placeholderData: keepPreviousData,
  });
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  useEffect(() => {
    if (!contacts.data) return;
    setOptions((old) => {
      const chosen = old.filter((o) => o.value === contactId);
      const fresh = contacts.data.items.map((c) => ({ value: c.id, label: c.name }));
      return [...chosen, ...fresh.filter((o) => o.value !== contactId)];
    });
  }, [contacts.data, contactId]);
  const [text] = useDebouncedValue(body, 250);
  const preview = useQuery({
    queryKey: ['templates', 'preview', text, contactId],
    queryFn: () =>
      must(api.POST('/api/templates/preview', { body: { body: text, ...(contactId ? { contactId } : {}) } })),
    enabled: text.trim().length > 0,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const p = preview.data;
  return (
    <Paper withBorder p="md" data-testid="template-preview">
      <Stack gap="sm">
        <Title order={3} size="h5">
          {t('template.preview')}
        </Title>
        <Select
          label={t('template.previewFor')}
          description={t('template.previewForHelp')}
          placeholder={t('template.previewSample')}
          data={options}
          value={contactId}
          onChange={setContactId}
          searchable
          clearable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options: o }) => o}
          nothingFoundMessage={t('common.noRows')}
        />
        {!text.trim() && <Text c="dimmed">{t('template.previewEmpty')}</Text>}
        {preview.error && (
          <Text c="red" size="sm" role="alert">
            {problemText(preview.error)}
          </Text>
        )}
        {p && text.trim() && (
          <>
            <Paper bg="gray.0" p="sm" radius="md" aria-live="polite" aria-busy={preview.isFetching}>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="preview-text">
                {p.text}
              </Text>
            </Paper>
            <Text size="xs" c="dimmed" data-testid="preview-counter">
              {t('template.previewLine', { characters: p.characters, parts: p.parts, encoding: p.encoding })}
            </Text>
            {p.unknownVariables.length > 0 && (
              <Alert color="orange" role="alert" p="xs" data-testid="unknown-variables">
                {t('template.unknownVariables', {
                  list: p.unknownVariables.map((v) => `{{${v}}}`).join(', '),
                })}
              </Alert>
            )}
            {p.variables.length > 0 && (
              <Text size="xs" c="dimmed">
                {t('template.variablesUsed', { list: p.variables.join(', ') })}
              </Text>
            )}
          </>
        )}
      </Stack>
    </Paper>
  );
}
