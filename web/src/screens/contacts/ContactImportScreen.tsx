import {
  Alert,
  Anchor,
  Button,
  Code,
  FileInput,
  Group,
  Paper,
  Progress,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  detectDelimiter,
  fieldOfHeader,
  PHONE_FIELDS,
  SCALAR_FIELDS,
} from '../../../../src/modules/contacts/contacts.csv';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { formatNumber, type MessageKey, t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';
import { LoadError, ScreenHeader } from '../../shell/ScreenState';
import { type ContactKind, kindOptions } from './contactKinds';
import { firstRecords } from './csvHead';

type Job = Schemas['ContactImportJob'];
const FIELDS = [...SCALAR_FIELDS.filter((f) => f !== 'consent'), ...PHONE_FIELDS, 'consent'] as const;
const DELIMITER_NAME: Record<string, string> = { ',': ',', ';': ';', '\t': 'tab' };

interface Head {
  headers: string[];
  sample: string[];
  delimiter: string;
}

async function readHead(file: File): Promise<Head> {
  const text = await file.slice(0, 64 * 1024).text();
  const delimiter = detectDelimiter(text);
  const [headers = [], sample = []] = firstRecords(text, delimiter);
  return { headers, sample, delimiter };
}

/** Field → header, guessed as the server would read the headers without a mapping. */
function guessMapping(headers: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) {
    const f = fieldOfHeader(h);
    if (f && !out[f]) out[f] = h;
  }
  return out;
}

const fieldLabel = (f: string) =>
  f.startsWith('attr_') ? t('import.attribute', { key: f.slice(5) }) : t(`import.field.${f}` as MessageKey);

/** CSV import: choose a file, map its columns, watch the progress, read the rows that were not imported. */
export default function ContactImportScreen() {
  const session = useSession();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<Head>();
  const [readError, setReadError] = useState<string>();
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [orgUnitId, setOrgUnitId] = useState(session.currentOrgUnit?.id ?? '');
  const [defaultKind, setDefaultKind] = useState<ContactKind>('other');
  const [attestation, setAttestation] = useState('');
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>();
  const [jobId, setJobId] = useState<string>();

  useEffect(() => {
    setHead(undefined);
    setReadError(undefined);
    setUploadError(undefined);
    if (!file) return;
    readHead(file)
      .then((h) => {
        if (h.headers.length === 0) return setReadError(t('import.noHeader'));
        setHead(h);
        setMapping(guessMapping(h.headers));
      })
      .catch(() => setReadError(t('import.readError')));
  }, [file]);

  const attrFields = useMemo(
    () =>
      (head?.headers ?? [])
        .map((h) => fieldOfHeader(h))
        .filter((f): f is `attr_${string}` => !!f?.startsWith('attr_')),
    [head],
  );
  const fields = [...FIELDS, ...attrFields];
  const hasName = !!(mapping.name || mapping.first_name || mapping.last_name);
  const hasPhone = PHONE_FIELDS.some((f) => mapping[f]);
  const needsAttestation = !!mapping.consent;
  const problems = fieldErrors(uploadError);

  const job = useQuery({
    queryKey: ['contacts', 'import', jobId],
    queryFn: () => must(api.GET('/api/contacts/imports/{id}', { params: { path: { id: jobId! } } })),
    enabled: !!jobId,
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 500 : false),
  });
  const finished = job.data && job.data.state !== 'running';
  useEffect(() => {
    if (finished) void qc.invalidateQueries({ queryKey: ['contacts', 'list'] });
  }, [finished, qc]);

  const start = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file || !head || !hasName || !hasPhone) return;
    setUploading(true);
    setUploadError(undefined);
    try {
      const chosen = Object.fromEntries(Object.entries(mapping).filter(([, h]) => h));
      const created = await must(
        api.POST('/api/contacts/imports', {
          params: {
            query: {
              orgUnitId,
              defaultKind,
              delimiter: (DELIMITER_NAME[head.delimiter] ?? 'auto') as ',' | ';' | 'tab',
              mapping: JSON.stringify(chosen),
              ...(needsAttestation ? { attestation: attestation.trim() } : {}),
            },
          },
          body: file as unknown as string,
          bodySerializer: (b: unknown) => b as BodyInit,
          headers: { 'content-type': 'text/csv' },
        }),
      );
      setJobId(created.id);
    } catch (err) {
      setUploadError(err);
    } finally {
      setUploading(false);
    }
  };

  const reset = () => {
    setJobId(undefined);
    setFile(null);
    setAttestation('');
  };

  return (
    <Stack gap="md">
      <Anchor component={Link} to="/contacts" size="sm">
        ← {t('contact.back')}
      </Anchor>
      <ScreenHeader title={t('import.title')} intro={t('import.intro')} />
      {!jobId && (
        <form onSubmit={start} noValidate aria-label={t('import.title')}>
          <Stack gap="sm" maw={900}>
            <Group grow align="flex-start" wrap="wrap">
              <FileInput
                label={t('import.file')}
                placeholder={t('import.filePlaceholder')}
                accept=".csv,text/csv"
                value={file}
                onChange={setFile}
                error={readError}
                clearable
                miw={240}
                data-testid="import-file"
              />
              <Select
                label={t('import.orgUnit')}
                data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
                value={orgUnitId}
                onChange={(v) => v && setOrgUnitId(v)}
                allowDeselect={false}
                error={problems.orgUnitId}
                miw={200}
              />
              <Select
                label={t('import.defaultKind')}
                data={kindOptions()}
                value={defaultKind}
                onChange={(v) => v && setDefaultKind(v as ContactKind)}
                allowDeselect={false}
                miw={200}
              />
            </Group>
            {head && (
              <Paper withBorder p="sm">
                <Group justify="space-between" mb="xs">
                  <Title order={3} size="h5">
                    {t('import.mapping')}
                  </Title>
                  <Text size="xs" c="dimmed">
                    {t('import.columns', { count: head.headers.length })} ·{' '}
                    {t('import.delimiter', { d: DELIMITER_NAME[head.delimiter] ?? head.delimiter })}
                  </Text>
                </Group>
                <Text size="sm" c="dimmed" mb="xs">
                  {t('import.mappingHelp')}
                </Text>
                <Table.ScrollContainer minWidth={520}>
                  <Table aria-label={t('import.mapping')} data-testid="import-mapping">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('import.field')}</Table.Th>
                        <Table.Th>{t('import.column')}</Table.Th>
                        <Table.Th>{t('import.sample')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {fields.map((f) => {
                        const h = mapping[f];
                        const idx = h ? head.headers.indexOf(h) : -1;
                        return (
                          <Table.Tr key={f}>
                            <Table.Td>{fieldLabel(f)}</Table.Td>
                            <Table.Td>
                              <Select
                                aria-label={`${t('import.column')}: ${fieldLabel(f)}`}
                                data={head.headers.map((x) => ({ value: x, label: x }))}
                                value={h ?? null}
                                placeholder={t('import.notImported')}
                                onChange={(v) => setMapping((m) => ({ ...m, [f]: v ?? '' }))}
                                clearable
                                size="xs"
                              />
                            </Table.Td>
                            <Table.Td>
                              <Text size="xs" c="dimmed" lineClamp={1}>
                                {idx >= 0 ? head.sample[idx] : ''}
                              </Text>
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                {!hasName && (
                  <Text size="sm" c="red" role="alert">
                    {t('import.needName')}
                  </Text>
                )}
                {!hasPhone && (
                  <Text size="sm" c="red" role="alert">
                    {t('import.needPhone')}
                  </Text>
                )}
              </Paper>
            )}
            {needsAttestation && (
              <Textarea
                label={t('import.attestation')}
                description={t('import.attestationHelp')}
                required
                value={attestation}
                onChange={(e) => setAttestation(e.currentTarget.value)}
                error={problems.attestation}
                autosize
                minRows={2}
              />
            )}
            {uploadError !== undefined && (
              <Alert color="red" role="alert" data-testid="import-upload-error">
                {problemText(uploadError)}
              </Alert>
            )}
            <Group>
              <Button
                type="submit"
                loading={uploading}
                disabled={!head || !hasName || !hasPhone || (needsAttestation && !attestation.trim())}
              >
                {uploading ? t('import.uploading') : t('import.start')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {jobId && job.error && <LoadError error={job.error} onRetry={() => void job.refetch()} />}
      {jobId && job.data && <ImportProgress job={job.data} onAnother={reset} />}
    </Stack>
  );
}

function ImportProgress({ job, onAnother }: { job: Job; onAnother(): void }) {
  const pct =
    job.state !== 'running'
      ? 100
      : job.bytesTotal
        ? Math.min(100, (job.bytesRead / job.bytesTotal) * 100)
        : 0;
  const line = t('import.progressLine', {
    imported: formatNumber(job.rowsImported),
    duplicate: formatNumber(job.rowsDuplicate),
    failed: formatNumber(job.rowsFailed),
    total: formatNumber(job.rowsTotal),
  });
  return (
    <Stack gap="sm" maw={1000}>
      <Paper withBorder p="md">
        <Stack gap="xs">
          <Progress
            value={pct}
            size="lg"
            animated={job.state === 'running'}
            color={job.state === 'failed' ? 'red' : job.rowsFailed ? 'orange' : 'green'}
            aria-label={t('import.progress')}
            data-testid="import-progress"
            data-state={job.state}
          />
          <Text size="sm" role="status" aria-live="polite" data-testid="import-status">
            {job.state === 'running'
              ? `${t('import.running')} ${line}`
              : job.state === 'done'
                ? t('import.done', {
                    imported: formatNumber(job.rowsImported),
                    duplicate: formatNumber(job.rowsDuplicate),
                    failed: formatNumber(job.rowsFailed),
                  })
                : t('import.failed', { error: job.error ?? '' })}
          </Text>
          {job.options.ignoredColumns.length > 0 && (
            <Text size="xs" c="dimmed">
              {t('import.notImported')}: {job.options.ignoredColumns.join(', ')}
            </Text>
          )}
        </Stack>
      </Paper>
      {job.state !== 'running' && <ImportErrors jobId={job.id} />}
      {job.state !== 'running' && (
        <Group>
          <Button component={Link} to="/contacts" variant="light">
            {t('contact.back')}
          </Button>
          <Button variant="default" onClick={onAnother}>
            {t('import.another')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function ImportErrors({ jobId }: { jobId: string }) {
  const errors = useInfiniteQuery({
    queryKey: ['contacts', 'import', jobId, 'errors'],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      must(
        api.GET('/api/contacts/imports/{id}/errors', {
          params: { path: { id: jobId }, query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = errors.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">
        {t('import.errors')}
      </Title>
      {errors.error && <LoadError error={errors.error} onRetry={() => void errors.refetch()} />}
      {!errors.isPending && rows.length === 0 && <Text c="dimmed">{t('import.noErrors')}</Text>}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped aria-label={t('import.errors')} data-testid="import-errors">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={60}>{t('import.col.row')}</Table.Th>
                <Table.Th w={60}>{t('import.col.line')}</Table.Th>
                <Table.Th w={130}>{t('import.col.kind')}</Table.Th>
                <Table.Th>{t('import.col.message')}</Table.Th>
                <Table.Th>{t('import.col.raw')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={`${r.rowNumber}-${r.kind}`} data-kind={r.kind}>
                  <Table.Td>{r.rowNumber}</Table.Td>
                  <Table.Td>{r.lineNumber ?? ''}</Table.Td>
                  <Table.Td>{r.kind}</Table.Td>
                  <Table.Td>{r.message}</Table.Td>
                  <Table.Td>
                    <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{r.raw ?? ''}</Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {errors.hasNextPage && (
        <Button
          variant="default"
          onClick={() => void errors.fetchNextPage()}
          loading={errors.isFetchingNextPage}
        >
          {t('common.loadMore')}
        </Button>
      )}
    </Stack>
  );
}
