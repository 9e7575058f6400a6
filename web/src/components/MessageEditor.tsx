import { Button, Group, Menu, Stack, Text, Textarea } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, must } from '../api/client';
import { t } from '../i18n';
import { CounterLine, Ucs2Helper, useTextCount } from './MessageCounter';

export interface MessageEditorProps {
  value: string;
  onChange(text: string): void;
  orgUnitId: string | undefined;
  label?: string;
  error?: string;
  /** Offer the variables picker (templates are rendered per recipient in the SMS Center). */
  variables?: boolean;
  recipients?: number;
  transliterate?: boolean;
  /** Called with the standard text chosen (its id), e.g. to send by template. */
  onTemplate?(id: string | null): void;
  id?: string;
}

/** Inserts `snippet` at the caret of `el` (replacing a selection) and puts the caret after it. */
export function insertAtCursor(
  el: HTMLTextAreaElement | null,
  value: string,
  snippet: string,
  onChange: (v: string) => void,
) {
  const start = el?.selectionStart ?? value.length;
  const end = el?.selectionEnd ?? value.length;
  const next = value.slice(0, start) + snippet + value.slice(end);
  onChange(next);
  requestAnimationFrame(() => {
    if (!el) return;
    el.focus();
    el.setSelectionRange(start + snippet.length, start + snippet.length);
  });
}

/** Message box: standard texts and variables inserted at the cursor, live counter, Unicode helper. */
export function MessageEditor(p: MessageEditorProps) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const count = useTextCount(p.value, p.orgUnitId, p.transliterate);
  const templates = useQuery({
    queryKey: ['templates', p.orgUnitId],
    queryFn: () =>
      must(api.GET('/api/templates', { params: { query: { orgUnitId: p.orgUnitId, limit: 100 } } })),
    enabled: !!p.orgUnitId,
  });
  const variables = useQuery({
    queryKey: ['template-variables'],
    queryFn: () => must(api.GET('/api/templates/variables', {})),
    enabled: !!p.variables,
    staleTime: Infinity,
  });
  const insert = (snippet: string) => insertAtCursor(ref.current, p.value, snippet, p.onChange);
  const tooLong = count.tooLong ? t('counter.tooLong', { max: count.maxLength ?? 0 }) : undefined;
  const tooMany = count.tooManyParts ? t('counter.tooManyParts', { max: count.maxParts ?? 0 }) : undefined;

  return (
    <Stack gap={6}>
      <Group justify="space-between" align="flex-end" gap="xs">
        <Text component="label" htmlFor={p.id ?? 'message'} fw={500} size="sm">
          {p.label ?? t('compose.message')}{' '}
          <Text span c="red" aria-hidden>
            *
          </Text>
        </Text>
        <Group gap="xs">
          <Menu position="bottom-end" width={320}>
            <Menu.Target>
              <Button size="compact-sm" variant="light" title={t('compose.standardTextsHint')}>
                {t('compose.standardTexts')}
              </Button>
            </Menu.Target>
            <Menu.Dropdown mah={320} style={{ overflowY: 'auto' }}>
              {(templates.data?.items ?? []).length === 0 && (
                <Menu.Label>{t('compose.noTemplates')}</Menu.Label>
              )}
              {(templates.data?.items ?? []).map((tpl) => (
                <Menu.Item
                  key={tpl.id}
                  onClick={() => {
                    insert(tpl.body);
                    p.onTemplate?.(tpl.id);
                  }}
                >
                  <Text size="sm" fw={600}>
                    {tpl.name}
                  </Text>
                  <Text size="xs" c="dimmed" lineClamp={2}>
                    {tpl.body}
                  </Text>
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          {p.variables && (
            <Menu position="bottom-end" width={300}>
              <Menu.Target>
                <Button size="compact-sm" variant="light" title={t('compose.variablesHint')}>
                  {t('compose.variables')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown mah={320} style={{ overflowY: 'auto' }}>
                {(variables.data?.items ?? []).map((v) => (
                  <Menu.Item key={v.path} onClick={() => insert(`{{${v.path}}}`)}>
                    <Text size="sm" ff="monospace">{`{{${v.path}}}`}</Text>
                    <Text size="xs" c="dimmed">
                      {v.description}
                    </Text>
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          )}
        </Group>
      </Group>
      <Textarea
        id={p.id ?? 'message'}
        ref={ref}
        value={p.value}
        onChange={(e) => p.onChange(e.currentTarget.value)}
        autosize
        minRows={4}
        maxRows={12}
        required
        aria-required
        error={p.error ?? tooLong ?? tooMany}
        description={p.variables ? t('compose.messageHelp') : undefined}
        inputWrapperOrder={['input', 'description', 'error']}
      />
      <CounterLine count={count} recipients={p.recipients} />
      <Ucs2Helper text={p.value} chars={count.ucs2Characters} onChange={p.onChange} />
    </Stack>
  );
}
