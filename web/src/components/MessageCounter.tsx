import { analyzeText, TRANSLITERATIONS } from '@core/encoding/index.js';
import { Alert, Badge, Button, Group, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, must } from '../api/client';
import { formatMoney, formatNumber, t } from '../i18n';

export interface CountInfo {
  characters: number;
  encoding: 'GSM-7' | 'UCS-2';
  parts: number;
  unitsLeftInPart: number;
  ucs2Characters: readonly string[];
  tooLong: boolean;
  maxLength: number | null;
}

/**
 * Counts as the user types. The browser runs the server's own analyzeText (src/core/encoding) for an
 * instant answer; the server's count for the org unit (its route's shift tables, price and maximum
 * length) replaces it once it arrives for the same text.
 */
export function useTextCount(
  text: string,
  orgUnitId: string | undefined,
  transliterate = false,
): CountInfo & {
  estimatedCost: { amount: number; currency: string } | null;
  tooManyParts: boolean;
  maxParts: number | null;
} {
  const local = useMemo(() => analyzeText(text, { transliterate }), [text, transliterate]);
  const [debounced] = useDebouncedValue(text, 200);
  const server = useQuery({
    queryKey: ['count', orgUnitId, debounced, transliterate],
    queryFn: () =>
      must(
        api.POST('/api/messages/count', {
          body: { text: debounced, transliterate, ...(orgUnitId ? { orgUnitId } : {}) },
        }),
      ),
    enabled: debounced.length > 0,
    staleTime: 60_000,
    placeholderData: (prev) => prev,
  });
  // The server's answer only for exactly this text (not a placeholder kept from an earlier text).
  const s = server.data && !server.isPlaceholderData && debounced === text && text ? server.data : undefined;
  const maxLength = server.data?.maxLength ?? null;
  return {
    characters: s?.characters ?? local.characters,
    encoding: s?.encoding ?? local.encoding,
    parts: text.length === 0 ? 0 : (s?.parts ?? local.parts.length),
    unitsLeftInPart: s?.unitsLeftInPart ?? local.unitsLeftInPart,
    ucs2Characters: s?.ucs2Characters ?? local.ucs2Characters,
    tooLong: maxLength !== null && local.characters > maxLength,
    maxLength,
    estimatedCost: s?.estimatedCost ?? null,
    tooManyParts: s?.tooManyParts ?? false,
    maxParts: s?.maxParts ?? null,
  };
}

/** Total Characters, Total Message(s), encoding, units left, estimated cost — announced politely. */
export function CounterLine({
  count,
  recipients,
}: {
  count: ReturnType<typeof useTextCount>;
  recipients?: number;
}) {
  const cost = count.estimatedCost
    ? formatMoney(count.estimatedCost.amount * (recipients ?? 1), count.estimatedCost.currency)
    : null;
  return (
    <Group gap="md" aria-label={t('counter.label')} role="status" aria-live="polite" data-testid="counter">
      <Text size="sm">
        {t('counter.characters')}: <b data-testid="count-characters">{formatNumber(count.characters)}</b>
        {count.maxLength !== null && (
          <Text span c="dimmed">
            {' '}
            / {formatNumber(count.maxLength)}
          </Text>
        )}
      </Text>
      <Text size="sm">
        {t('counter.parts')}: <b data-testid="count-parts">{count.parts}</b>
      </Text>
      <Badge
        variant="light"
        color={count.encoding === 'UCS-2' ? 'yellow' : 'gray'}
        data-testid="count-encoding"
      >
        {t('counter.encoding')}: {count.encoding}
      </Badge>
      <Text size="sm" c="dimmed">
        {t('counter.unitsLeft')}: {count.unitsLeftInPart}
      </Text>
      {cost && (
        <Text size="sm">
          {t('counter.cost')}: <b>{cost}</b>
        </Text>
      )}
    </Group>
  );
}

/**
 * The text with the characters that force UCS-2 highlighted, and a one-click replacement for each
 * (the same look-alike table the sender's "transliterate" uses; a character without one can be removed).
 */
export function Ucs2Helper({
  text,
  chars,
  onChange,
}: {
  text: string;
  chars: readonly string[];
  onChange(text: string): void;
}) {
  if (chars.length === 0) return null;
  const set = new Set(chars);
  const pieces: React.ReactNode[] = [];
  let plain = '';
  let key = 0;
  for (const ch of text) {
    if (set.has(ch)) {
      if (plain) pieces.push(plain);
      plain = '';
      pieces.push(
        <mark key={key++} className="ucs2-mark">
          {ch}
        </mark>,
      );
    } else plain += ch;
  }
  if (plain) pieces.push(plain);
  const replaceAll = () => {
    let out = '';
    for (const ch of text) out += set.has(ch) ? (TRANSLITERATIONS.get(ch) ?? ch) : ch;
    onChange(out);
  };
  const anyReplaceable = chars.some((c) => TRANSLITERATIONS.has(c));
  return (
    <Alert color="yellow" p="xs" data-testid="ucs2-helper">
      <Text size="sm" mb={4}>
        {t('counter.ucs2Warning')}
      </Text>
      <Text
        size="sm"
        style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
        mb="xs"
        data-testid="ucs2-preview"
      >
        {pieces}
      </Text>
      <Group gap={6}>
        {chars.map((c) => {
          const to = TRANSLITERATIONS.get(c);
          return (
            <Button
              key={c}
              size="compact-xs"
              variant="default"
              onClick={() => onChange(text.split(c).join(to ?? ''))}
              aria-label={
                to !== undefined ? t('counter.replace', { from: c, to }) : t('counter.remove', { char: c })
              }
            >
              {to !== undefined ? `${c} → ${to}` : `${c} ✕`}
            </Button>
          );
        })}
        {anyReplaceable && chars.length > 1 && (
          <Button size="compact-xs" variant="light" onClick={replaceAll}>
            {t('counter.replaceAll')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}
