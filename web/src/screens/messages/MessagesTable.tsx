import {
  Anchor,
  Box,
  Group,
  MultiSelect,
  Radio,
  Table,
  Text,
  TextInput,
  Tooltip,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDebouncedCallback } from '@mantine/hooks';
import { memo, useEffect, useRef, useState } from 'react';
import { useSession } from '../../auth/session';
import { STATUS_ORDER, StatusBadge, statusLabel } from '../../components/StatusBadge';
import { formatDateTime, t } from '../../i18n';
import type { Message, MessageFilters } from './useMessages';

/** Local day boundaries as instants: [from, to) for the server's created-at range. */
function dayRange(range: [string | null, string | null]): { from: string | null; to: string | null } {
  const [a, b] = range;
  const start = (d: string) => new Date(`${d}T00:00:00`);
  const from = a ? start(a).toISOString() : null;
  const end = b ?? a;
  const to = end ? new Date(start(end).getTime() + 86_400_000).toISOString() : null;
  return { from, to };
}

function SortHeader({
  label,
  active,
  dir,
  onClick,
}: {
  label: string;
  active: boolean;
  dir?: 'asc' | 'desc';
  onClick(): void;
}) {
  return (
    <UnstyledButton onClick={onClick} aria-label={t('messages.sort', { column: label })} fw={700} fz="sm">
      {label} {active ? (dir === 'asc' ? '▲' : '▼') : '↕'}
    </UnstyledButton>
  );
}

export function MessagesTable(p: {
  rows: Message[];
  filters: MessageFilters;
  onFilters(f: MessageFilters): void;
  loading: boolean;
  selectedId: string | null;
  onSelect(id: string): void;
  onOpen(id: string): void;
}) {
  const session = useSession();
  return (
    // A plain scroll box: Mantine's ScrollContainer provides a context (new on every render) too.
    <div style={{ overflowX: 'auto' }}>
      <div style={{ minWidth: 900 }}>
        <table
          className={C.table}
          style={TABLE_VARS}
          aria-label={t('messages.title')}
          aria-busy={p.loading}
          data-testid="messages-table"
        >
          <TableHead filters={p.filters} onFilters={p.onFilters} />
          <tbody className={C.tbody}>
            {p.rows.map((m) => (
              <MessageRow
                key={m.id}
                m={m}
                selected={m.id === p.selectedId}
                orgUnitName={session.orgUnitName(m.orgUnitId)}
                onSelect={p.onSelect}
                onOpen={p.onOpen}
              />
            ))}
          </tbody>
        </table>
        <Group justify="flex-end" mt={4}>
          <Text size="xs" c="dimmed" aria-live="polite">
            {t('messages.rowsShown', { count: p.rows.length })}
          </Text>
        </Group>
      </div>
    </div>
  );
}

/** Column titles and the filter above each column; memoised, so live row changes leave it alone. */
const TableHead = memo(function TableHead({
  filters,
  onFilters,
}: {
  filters: MessageFilters;
  onFilters(f: MessageFilters): void;
}) {
  const session = useSession();
  const f = filters;
  // Text inputs update the query after a short pause; they keep their own value meanwhile.
  const [q, setQ] = useState(f.q);
  const [phone, setPhone] = useState(f.phone);
  const [range, setRange] = useState<[string | null, string | null]>([null, null]);
  const pushText = useDebouncedCallback((next: Partial<MessageFilters>) => onFilters({ ...f, ...next }), 350);
  const sortOn = (col: 'createdAt' | 'status') =>
    onFilters({
      ...f,
      sort: col === 'status' ? 'status' : f.sort === '-createdAt' ? 'createdAt' : '-createdAt',
    });

  return (
    <thead className={C.thead}>
      <tr className={C.tr} data-with-row-border>
        <th className={C.th} style={{ width: 36 }}>
          <VisuallyHidden>{t('common.details')}</VisuallyHidden>
        </th>
        <th className={C.th}>{t('messages.col.text')}</th>
        <th className={C.th} style={{ width: 150 }}>
          {t('messages.col.phone')}
        </th>
        <th className={C.th} style={{ width: 170 }}>
          <SortHeader
            label={t('messages.col.sentOn')}
            active={f.sort !== 'status'}
            dir={f.sort === 'createdAt' ? 'asc' : 'desc'}
            onClick={() => sortOn('createdAt')}
          />
        </th>
        <th className={C.th} style={{ width: 200 }}>
          <SortHeader
            label={t('messages.col.status')}
            active={f.sort === 'status'}
            onClick={() => sortOn('status')}
          />
        </th>
        <th className={C.th} style={{ width: 150 }}>
          {t('messages.col.orgUnit')}
        </th>
        <th className={C.th} style={{ width: 64 }}>
          {t('messages.col.resent')}
        </th>
      </tr>
      <tr className={C.tr} data-with-row-border>
        <td className={C.td} />
        <td className={C.td}>
          <TextInput
            size="xs"
            aria-label={t('messages.filter.text')}
            placeholder={t('messages.filter.text')}
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              pushText({ q: e.currentTarget.value.trim() });
            }}
            data-testid="filter-text"
          />
        </td>
        <td className={C.td}>
          <TextInput
            size="xs"
            aria-label={t('messages.filter.phone')}
            placeholder={t('messages.filter.phone')}
            value={phone}
            onChange={(e) => {
              setPhone(e.currentTarget.value);
              pushText({ phone: e.currentTarget.value.trim() });
            }}
          />
        </td>
        <td className={C.td}>
          <DatePickerInput
            type="range"
            size="xs"
            clearable
            allowSingleDateInRange
            aria-label={t('messages.filter.sentOn')}
            placeholder={t('messages.filter.sentOn')}
            value={range}
            onChange={(v) => {
              const r = v as [string | null, string | null];
              setRange(r);
              if ((r[0] && r[1]) || (!r[0] && !r[1])) onFilters({ ...f, ...dayRange(r) });
            }}
          />
        </td>
        <td className={C.td}>
          <MultiSelect
            size="xs"
            aria-label={t('messages.filter.status')}
            placeholder={t('messages.filter.status')}
            data={STATUS_ORDER.map((s) => ({ value: s, label: statusLabel(s) }))}
            value={f.status}
            onChange={(status) => onFilters({ ...f, status })}
            clearable
            data-testid="filter-status"
          />
        </td>
        <td className={C.td}>
          <MultiSelect
            size="xs"
            aria-label={t('messages.filter.orgUnit')}
            placeholder={t('common.all')}
            data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
            value={f.orgUnitIds}
            onChange={(orgUnitIds) => onFilters({ ...f, orgUnitIds })}
            clearable
          />
        </td>
        <td className={C.td} />
      </tr>
    </thead>
  );
});

const FLASH_COLOR = '#fff3bf'; // Mantine yellow.1

/**
 * A plain <table> with Mantine's Table classes rather than <Table>: Mantine's table parts read a context
 * that is new on every render, so one live status change would re-render every cell of every row.
 */
const C = Table.classes;
const TABLE_VARS = {
  '--table-layout': 'fixed',
  '--table-vertical-spacing': '6px',
} as React.CSSProperties;

/**
 * One row; memoised, so a live status change re-renders only its row (the overview may hold thousands).
 * A changed status flashes the row briefly.
 */
const MessageRow = memo(function MessageRow({
  m,
  selected,
  orgUnitName,
  onSelect,
  onOpen,
}: {
  m: Message;
  selected: boolean;
  orgUnitName: string;
  onSelect(id: string): void;
  onOpen(id: string): void;
}) {
  const ref = useRef<HTMLTableRowElement>(null);
  const shown = useRef(m.status);
  useEffect(() => {
    const el = ref.current;
    if (!el || shown.current === m.status) return;
    shown.current = m.status;
    // The Web Animations API: no forced layout of the (possibly thousands of rows) table per change.
    el.animate?.([{ backgroundColor: FLASH_COLOR }, { backgroundColor: 'transparent' }], {
      duration: 1_200,
      easing: 'ease-out',
    });
  }, [m.status]);
  return (
    <tr
      ref={ref}
      className={selected ? `${C.tr} row-selected` : C.tr}
      data-with-row-border
      data-striped="odd"
      data-hover
      data-id={m.id}
      data-status={m.status}
      onClick={() => onSelect(m.id)}
      onDoubleClick={() => onOpen(m.id)}
      aria-selected={selected}
    >
      <td className={C.td}>
        <Radio
          size="xs"
          name="message-selection"
          checked={selected}
          onChange={() => onSelect(m.id)}
          aria-label={t('messages.selectRow', { phone: m.to })}
        />
      </td>
      <td className={C.td}>
        <Anchor
          component="button"
          type="button"
          c="inherit"
          size="sm"
          ta="left"
          onClick={(e: React.MouseEvent) => {
            e.stopPropagation();
            onSelect(m.id);
            onOpen(m.id);
          }}
        >
          <Text size="sm" lineClamp={2} style={{ wordBreak: 'break-word' }}>
            {m.body}
          </Text>
        </Anchor>
      </td>
      <td className={`${C.td} nowrap`}>{m.to}</td>
      <td className={`${C.td} nowrap`}>{formatDateTime(m.createdAt)}</td>
      <td className={C.td} data-testid="status-cell">
        <StatusBadge status={m.status} reason={m.statusReason} />
      </td>
      <td className={C.td}>{orgUnitName}</td>
      <td className={C.td} style={{ textAlign: 'center' }}>
        {m.resentOf ? (
          <Tooltip label={t('messages.resentMark')}>
            <Box
              component="span"
              aria-label={t('messages.resentMark')}
              data-testid="resent-mark"
              c="indigo"
              fw={700}
            >
              ✓
            </Box>
          </Tooltip>
        ) : null}
      </td>
    </tr>
  );
});
