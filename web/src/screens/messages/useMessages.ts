import { type InfiniteData, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useLiveEvents } from '../../api/live';

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

  // Live: a status change patches the row in place (no reload); a new message (a resend, a send from
  // elsewhere) refetches the list shortly after, merged when many arrive at once.
  const refetchTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const flashed = useRef(new Map<string, number>());
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
    flashed.current.set(e.messageId, Date.now());
    qc.setQueriesData<InfiniteData<Page>>({ queryKey: ['messages', 'list'] }, (data) => {
      if (!data) return data;
      let changed = false;
      const pages = data.pages.map((p) => {
        if (!p.items.some((m) => m.id === e.messageId)) return p;
        changed = true;
        return {
          ...p,
          items: p.items.map((m) =>
            m.id === e.messageId
              ? {
                  ...m,
                  status: e.to as Message['status'],
                  statusLabel: e.toLabel,
                  statusReason: e.reason,
                  canResend: ['accepted', 'failed', 'status_timeout'].includes(e.to) && !m.resentBy,
                }
              : m,
          ),
        };
      });
      return changed ? { ...data, pages } : data;
    });
    void qc.invalidateQueries({ queryKey: ['messages', 'detail', e.messageId] });
  });

  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  return { query, rows, flashed: flashed.current };
}
