import type { QueryClient } from '@tanstack/react-query';
import { type ComponentType, lazy, type ReactNode } from 'react';
import { matchPath } from 'react-router-dom';
import type { Permission } from '../auth/session';
import type { MessageKey } from '../i18n';
import { prefetchMessages } from '../screens/messages/useMessages';

/**
 * Every screen of the app, in navigation order. Adding a screen = one entry here (see web/README.md):
 * the router and the navigation are built from this list. Screens load lazily (one chunk each).
 */
export interface ScreenDef {
  /** URL path (react-router pattern), e.g. `/contacts` or `/contacts/:id`. */
  path: string;
  /** Navigation label; screens without one (detail pages) are routed but not listed. */
  label?: MessageKey;
  section: 'sms' | 'data' | 'admin';
  /** Hidden (and not routed) for users without it. */
  permission?: Permission;
  element: ReactNode;
  /** Starts loading the screen's code (at start-up for the URL being opened, see main.tsx). */
  preload?: () => Promise<unknown>;
  /** Asks for the screen's first data at start-up, when the URL being opened is this screen. */
  prefetch?: (qc: QueryClient) => void;
}

/** A lazily loaded screen: `...lazyScreen(() => import('../screens/x/XScreen'))` in an entry below. */
export function lazyScreen(load: () => Promise<{ default: ComponentType }>) {
  const Screen = lazy(load);
  return { element: <Screen />, preload: load };
}

export const SCREENS: ScreenDef[] = [
  {
    path: '/sms-center',
    label: 'nav.smsCenter',
    section: 'sms',
    permission: 'messages.send',
    ...lazyScreen(() => import('../screens/sms-center/SmsCenterScreen')),
  },
  {
    path: '/messages',
    label: 'nav.messages',
    section: 'sms',
    prefetch: prefetchMessages,
    permission: 'messages.read',
    ...lazyScreen(() => import('../screens/messages/MessagesScreen')),
  },
  {
    path: '/sms-log',
    label: 'nav.smsLog',
    section: 'sms',
    permission: 'log.read',
    ...lazyScreen(() => import('../screens/sms-log/SmsLogScreen')),
  },
  {
    path: '/sms-log/:id',
    section: 'sms',
    permission: 'log.read',
    ...lazyScreen(() => import('../screens/sms-log/BatchDetailScreen')),
  },
  {
    path: '/dashboard',
    label: 'nav.dashboard',
    section: 'data',
    permission: 'messages.read',
    ...lazyScreen(() => import('../screens/dashboard/DashboardScreen')),
  },
  {
    path: '/contacts',
    label: 'nav.contacts',
    section: 'data',
    permission: 'contacts.read',
    ...lazyScreen(() => import('../screens/contacts/ContactsScreen')),
  },
  {
    path: '/contacts/import',
    section: 'data',
    permission: 'contacts.manage',
    ...lazyScreen(() => import('../screens/contacts/ContactImportScreen')),
  },
  {
    path: '/contacts/:id',
    section: 'data',
    permission: 'contacts.read',
    ...lazyScreen(() => import('../screens/contacts/ContactDetailScreen')),
  },
  {
    path: '/templates',
    label: 'nav.templates',
    section: 'data',
    permission: 'templates.read',
    ...lazyScreen(() => import('../screens/templates/TemplatesScreen')),
  },
  {
    path: '/templates/:id',
    section: 'data',
    permission: 'templates.read',
    ...lazyScreen(() => import('../screens/templates/TemplateEditScreen')),
  },
  {
    path: '/inbound',
    label: 'nav.inbound',
    section: 'sms',
    permission: 'messages.read',
    ...lazyScreen(() => import('../screens/inbound/InboundScreen')),
  },
  {
    path: '/gateways',
    label: 'nav.gateways',
    section: 'admin',
    permission: 'gateways.manage',
    ...lazyScreen(() => import('../screens/gateways/GatewaysScreen')),
  },
  {
    path: '/admin',
    label: 'nav.admin',
    section: 'admin',
    permission: 'users.read',
    ...lazyScreen(() => import('../screens/admin/AdminScreen')),
  },
];

export const SECTIONS: { id: ScreenDef['section']; label: MessageKey }[] = [
  { id: 'sms', label: 'nav.section.sms' },
  { id: 'data', label: 'nav.section.data' },
  { id: 'admin', label: 'nav.section.admin' },
];

/** Loads the code (and first data) of the screen at `pathname` while the app still asks who is signed in. */
export function preloadScreenFor(pathname: string, qc: QueryClient) {
  const screen = SCREENS.find((s) => matchPath(s.path, pathname));
  void screen?.preload?.();
  screen?.prefetch?.(qc);
}
