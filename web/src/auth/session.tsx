import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, must, onSessionExpired, type Schemas, setCsrfToken } from '../api/client';
import { LoadingPage } from './AuthPages';

export type Me = Schemas['Me'];
export type OrgUnit = Schemas['OrgUnit'];
export type Permission = Me['permissions'][number];

interface SessionValue {
  me: Me;
  /** Org units the user sees (their units and descendants), sorted by name. */
  orgUnits: OrgUnit[];
  /** The unit new messages are sent from and lists default to; chosen in the header, remembered per browser. */
  currentOrgUnit: OrgUnit | undefined;
  setCurrentOrgUnitId(id: string): void;
  orgUnitName(id: string): string;
  can(permission: Permission): boolean;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionValue | null>(null);

/** The signed-in session; only inside <SessionProvider> (i.e. on every screen after sign-in). */
export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** localStorage key of the org unit chosen in the header. */
export const CURRENT_UNIT_KEY = 'herald.currentOrgUnit';

const orgUnitsQuery = {
  queryKey: ['org-units'],
  queryFn: () => must(api.GET('/api/org-units', {})),
  staleTime: 60_000,
};

export function SessionProvider({
  me,
  onSignedOut,
  children,
}: {
  me: Me;
  onSignedOut: () => void;
  children: ReactNode;
}) {
  const qc = useQueryClient();
  const units = useQuery(orgUnitsQuery);
  const orgUnits = useMemo(
    () => [...(units.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name)),
    [units.data],
  );
  const [currentId, setCurrentId] = useState(() => localStorage.getItem(CURRENT_UNIT_KEY) ?? '');
  const currentOrgUnit = orgUnits.find((u) => u.id === currentId) ?? orgUnits[0];
  // Remembered once resolved, so the next start can ask for this unit's data before the list arrives.
  useEffect(() => {
    if (currentOrgUnit && localStorage.getItem(CURRENT_UNIT_KEY) !== currentOrgUnit.id) {
      localStorage.setItem(CURRENT_UNIT_KEY, currentOrgUnit.id);
    }
  }, [currentOrgUnit]);

  const value = useMemo<SessionValue>(
    () => ({
      me,
      orgUnits,
      currentOrgUnit,
      setCurrentOrgUnitId(id) {
        localStorage.setItem(CURRENT_UNIT_KEY, id);
        setCurrentId(id);
      },
      orgUnitName: (id) => orgUnits.find((u) => u.id === id)?.name ?? id.slice(0, 8),
      can: (p) => me.permissions.includes(p),
      async signOut() {
        await must(api.POST('/api/auth/logout', {})).catch(() => undefined);
        setCsrfToken(undefined);
        qc.clear();
        onSignedOut();
      },
    }),
    [me, orgUnits, currentOrgUnit, qc, onSignedOut],
  );
  // Screens may rely on the org units (the current unit, default filters): wait for them once.
  if (units.isPending) return <LoadingPage />;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export type AuthState =
  | { phase: 'loading' }
  | { phase: 'setup' }
  | { phase: 'signed-out'; email?: string; notice?: string }
  | { phase: 'signed-in'; me: Me; expired: boolean };

/**
 * Where the browser stands: loading, first run (no administrator yet), signed out, or signed in.
 * A 401 on any request while signed in marks the session `expired`: the app stays mounted (so forms keep
 * what the user typed) and a sign-in dialog covers it until the user signs in again.
 */
export function useAuthState() {
  const [state, setState] = useState<AuthState>({ phase: 'loading' });
  const qc = useQueryClient();

  // Who is signed in first (the common case, one request); only without a session: is Herald new?
  const refresh = useCallback(async () => {
    try {
      // The org units load alongside (the app needs them next); a 401 there just leaves the cache empty.
      void qc.prefetchQuery(orgUnitsQuery);
      const res = await api.GET('/api/auth/me', {});
      if (res.data) {
        setCsrfToken(res.data.csrfToken);
        return setState({ phase: 'signed-in', me: res.data, expired: false });
      }
      const setup = await must(api.GET('/api/setup', {}));
      setState(setup.needed ? { phase: 'setup' } : { phase: 'signed-out' });
    } catch {
      setState({ phase: 'signed-out', notice: 'network' });
    }
  }, [qc]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(
    () =>
      onSessionExpired(() =>
        setState((s) => (s.phase === 'signed-in' && !s.expired ? { ...s, expired: true } : s)),
      ),
    [],
  );

  const signedIn = useCallback((me: Me) => {
    setCsrfToken(me.csrfToken);
    // The app below is keyed by the user id: the same user again after expiry keeps the mounted screens
    // (and what was typed); another user starts fresh.
    setState({ phase: 'signed-in', me, expired: false });
  }, []);

  return { state, setState, refresh, signedIn };
}
