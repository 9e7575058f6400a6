import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';

/** `message.status` on /api/events (see docs/live-status.md). */
export interface StatusEvent {
  type: 'message.status';
  eventId: string;
  messageId: string;
  orgUnitId: string;
  batchId: string | null;
  from: string | null;
  to: string;
  toLabel: string;
  applied: boolean;
  reason: string | null;
  source: string;
  at: string;
}
export interface BatchCompletedEvent {
  type: 'batch.completed';
  eventId: string;
  batchId: string;
  orgUnitId: string;
  at: string;
}
export type LiveEvent = StatusEvent | BatchCompletedEvent | { type: 'reset'; reason: string };
type Listener = (e: LiveEvent) => void;

interface LiveValue {
  connected: boolean;
  subscribe(fn: Listener): () => void;
}

const LiveContext = createContext<LiveValue>({ connected: false, subscribe: () => () => {} });

/**
 * One EventSource per signed-in tab. The browser reconnects by itself and resumes with Last-Event-ID;
 * events are deduplicated by `eventId` (the stream is at-least-once across reconnects).
 */
export function LiveProvider({ children, paused = false }: { children: ReactNode; paused?: boolean }) {
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);

  // Paused while the session has ended (the stream would only get 401s); resumes after sign-in.
  useEffect(() => {
    if (paused) return;
    const source = new EventSource('/api/events');
    const seen = new Set<string>();
    const dispatch = (e: LiveEvent) => {
      for (const fn of listeners.current) fn(e);
    };
    const onData = (type: 'message.status' | 'batch.completed') => (ev: MessageEvent<string>) => {
      const data = JSON.parse(ev.data) as StatusEvent | BatchCompletedEvent;
      if (seen.has(data.eventId)) return;
      seen.add(data.eventId);
      if (seen.size > 20_000) seen.clear();
      dispatch({ ...data, type } as LiveEvent);
    };
    source.addEventListener('message.status', onData('message.status'));
    source.addEventListener('batch.completed', onData('batch.completed'));
    source.addEventListener('reset', (ev) =>
      dispatch({ type: 'reset', reason: JSON.parse((ev as MessageEvent<string>).data).reason }),
    );
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => {
      source.close();
      setConnected(false);
    };
  }, [paused]);

  const value = useRef<LiveValue>({
    connected,
    subscribe(fn) {
      listeners.current.add(fn);
      return () => listeners.current.delete(fn);
    },
  });
  value.current = { ...value.current, connected };
  return <LiveContext.Provider value={value.current}>{children}</LiveContext.Provider>;
}

/** Calls `fn` for every live event while the component is mounted (the latest `fn`, no resubscribe). */
export function useLiveEvents(fn: Listener) {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => subscribe((e) => latest.current(e)), [subscribe]);
}

export function useLiveConnected(): boolean {
  return useContext(LiveContext).connected;
}
