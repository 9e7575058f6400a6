import { lazy, type ReactNode } from 'react';
import type { Permission } from '../auth/session';
import type { MessageKey } from '../i18n';

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
}

const SmsCenter = lazy(() => import('../screens/sms-center/SmsCenterScreen'));
const Messages = lazy(() => import('../screens/messages/MessagesScreen'));
const SmsLog = lazy(() => import('../screens/sms-log/SmsLogScreen'));
const SmsLogDetail = lazy(() => import('../screens/sms-log/BatchDetailScreen'));

export const SCREENS: ScreenDef[] = [
  {
    path: '/sms-center',
    label: 'nav.smsCenter',
    section: 'sms',
    permission: 'messages.send',
    element: <SmsCenter />,
  },
  {
    path: '/messages',
    label: 'nav.messages',
    section: 'sms',
    permission: 'messages.read',
    element: <Messages />,
  },
  { path: '/sms-log', label: 'nav.smsLog', section: 'sms', permission: 'log.read', element: <SmsLog /> },
  { path: '/sms-log/:id', section: 'sms', permission: 'log.read', element: <SmsLogDetail /> },
  // Contacts, Templates, Inbound, Gateways, Administration and the Dashboard are added here.
];

export const SECTIONS: { id: ScreenDef['section']; label: MessageKey }[] = [
  { id: 'sms', label: 'nav.section.sms' },
  { id: 'data', label: 'nav.section.data' },
  { id: 'admin', label: 'nav.section.admin' },
];
