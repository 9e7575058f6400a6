import { isMessageStatus, STATUS_TABLE } from '@core/status/index.js';
import { type InfiniteData, type QueryClient, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { type StatusEvent, useLiveEvents } from '../../api/live';
import { CURRENT_UNIT_KEY } from '../../auth/session';

export type Message = Schemas['Message'];
type Page = { items: Message[]; nextCursor: string | null };

export interface MessageFilters {
  q: string;
  phone: string;
  from: string | null;
  to: string | null;
  status: string[];
  orgUnitIds: string[];
  sort: '-createdAt' | 'createdAt' | 'status';
  batchId?: string;
}

export const PAGE_SIZE = 50;

/** The overview's filters when it opens: the current org unit, newest first. */
export function defaultMessageFilters(orgUnitId: string | undefined): MessageFilters {
  return {
    q: '',
    phone: '',
    from: null,
    to: null,
    status: [],
    orgUnitIds: orgUnitId ? [orgUnitId] : [],
    sort: '-createdAt',
  };
}

/** The list query (key and pages), shared by the screen and the start-up prefetch. */
export function messagesListOptions(f: MessageFilters) {
  return {
    queryKey: ['messages', 'list', f] as const,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }: { pageParam: string | undefined }) =>
      must(
        api.GET('/api/messages', {
          params: {
            query: {
              limit: PAGE_SIZE,
              sort: f.sort,
              ...(pageParam ? { cursor: pageParam } : {}),
              ...(f.q ? { q: f.q } : {}),
              ...(f.phone ? { phone: f.phone } : {}),
              ...(f.from ? { from: f.from } : {}),
              ...(f.to ? { to: f.to } : {}),
              ...(f.status.length ? { status: f.status } : {}),
              ...(f.orgUnitIds.length ? { orgUnitId: f.orgUnitIds } : {}),
              ...(f.batchId ? { batchId: f.batchId } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last: Page) => last.nextCursor ?? undefined,
  };
}

/**
 * Opening /messages: the first page is asked for while the app still checks the session, with the org
 * unit this browser used last (the screen's default filter), so it does not wait for the screen's code.
 */
export function prefetchMessages(qc: QueryClient) {
  const unit = localStorage.getItem(CURRENT_UNIT_KEY);
  if (unit) void qc.prefetchInfiniteQuery(messagesListOptions(defaultMessageFilters(unit)));
}

/** Keyset pages of the messages overview (the server's cursor), with live status patches. */
export function useMessages(f: MessageFilters) {
  const qc = useQueryClient();
  const query = useInfiniteQuery(messagesListOptions(f));

  // Live: status changes patch their rows in place (no reload). Changes arriving together (a burst of
  // delivery reports) are applied in one pass, one render. A new message (a resend, a send from
  // elsewhere) refetches the list shortly after, merged when many arrive at once.
  const refetchTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const pending = useRef(new Map<string, StatusEvent>());
  const flushTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // Changes of the last seconds, laid again over a list that was (re)fetched meanwhile: its answer may
  // have been read before them. Only forward moves apply (the server's status ranks), never backwards.
  const recent = useRef(new Map<string, { e: StatusEvent; at: number }>());
  const apply = (changes: Map<string, StatusEvent>) =>
    qc.setQueriesData<InfiniteData<Page>>({ queryKey: ['messages', 'list'] }, (data) => {
      if (!data) return data;
      let changed = false;
      const pages = data.pages.map((p) => {
        if (!p.items.some((m) => changes.has(m.id))) return p;
        changed = true;
        return { ...p, items: p.items.map((m) => patch(m, changes.get(m.id))) };
      });
      return changed ? { ...data, pages } : data;
    });
  const flush = () => {
    flushTimer.current = undefined;
    const changes = pending.current;
    pending.current = new Map();
    const now = Date.now();
    for (const [id, e] of changes) recent.current.set(id, { e, at: now });
    apply(changes);
    for (const id of changes.keys()) void qc.invalidateQueries({ queryKey: ['messages', 'detail', id] });
  };
  useLiveEvents((e) => {
    if (e.type === 'reset') return void qc.invalidateQueries({ queryKey: ['messages'] });
    if (e.type !== 'message.status' || !e.applied) return;
    if (e.from === null) {
      clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(
        () => void qc.invalidateQueries({ queryKey: ['messages', 'list'] }),
        400,
      );
      return;
    }
    pending.current.set(e.messageId, e);
    flushTimer.current ??= setTimeout(flush, 0);
  });
  useEffect(() => () => clearTimeout(flushTimer.current), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a fetch lands (dataUpdatedAt)
  useEffect(() => {
    const cutoff = Date.now() - RECENT_MS;
    const again = new Map<string, StatusEvent>();
    for (const [id, r] of recent.current) {
      if (r.at < cutoff) recent.current.delete(id);
      else again.set(id, r.e);
    }
    if (again.size) apply(again);
  }, [query.dataUpdatedAt]);

  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { query, rows };
}

const RESENDABLE = new Set(['accepted', 'failed', 'status_timeout']);
const RECENT_MS = 10_000;

/** A row after a live status change (the server's labels travel with the event); never backwards. */
function patch(m: Message, e: StatusEvent | undefined): Message {
  if (!e || m.status === e.to || !isMessageStatus(e.to)) return m;
  const now = STATUS_TABLE[m.status];
  // The row may have missed a step (a refetch, a merged burst): a move from its status, or any move up.
  if (now.final || (e.from !== m.status && STATUS_TABLE[e.to].rank <= now.rank)) return m;
  return {
    ...m,
    status: e.to as Message['status'],
    statusLabel: e.toLabel,
    statusReason: e.reason,
    canResend: RESENDABLE.has(e.to) && !m.resentBy,
  };
}
