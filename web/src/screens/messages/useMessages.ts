import { type InfiniteData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { type StatusEvent, useLiveEvents } from '../../api/live';

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

/** Keyset pages of the messages overview (the server's cursor), with live status patches. */
export function useMessages(f: MessageFilters) {
  const qc = useQueryClient();
  const key = ['messages', 'list', f] as const;
  const query = useInfiniteQuery({
    queryKey: key,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
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
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  // Live: status changes patch their rows in place (no reload). Changes arriving together (a burst of
  // delivery reports) are applied in one pass, one render. A new message (a resend, a send from
  // elsewhere) refetches the list shortly after, merged when many arrive at once.
  const refetchTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const pending = useRef(new Map<string, StatusEvent>());
  const flushTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const flush = () => {
    flushTimer.current = undefined;
    const changes = pending.current;
    pending.current = new Map();
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

  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { query, rows };
}

const RESENDABLE = new Set(['accepted', 'failed', 'status_timeout']);

/** A row after a live status change (the server's labels travel with the event). */
function patch(m: Message, e: StatusEvent | undefined): Message {
  if (!e) return m;
  return {
    ...m,
    status: e.to as Message['status'],
    statusLabel: e.toLabel,
    statusReason: e.reason,
    canResend: RESENDABLE.has(e.to) && !m.resentBy,
  };
}
