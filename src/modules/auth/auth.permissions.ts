/** Named permissions. Routes ask for one; roles and API keys grant sets of them. */
export const PERMISSIONS = [
  'org_units.read',
  'org_units.manage',
  'users.read',
  'users.manage',
  'api_keys.manage',
  'security_events.read',
  'contacts.read',
  'contacts.manage',
  'consent.manage',
  'templates.read',
  'templates.manage',
  'messages.send',
  'messages.read',
  'messages.resend',
  'log.read',
  'log.export',
  'campaigns.manage',
  'triggers.manage',
  'gateways.manage',
  'webhooks.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['system_manager', 'sms_manager', 'sms_user', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

const READ: Permission[] = ['org_units.read', 'contacts.read', 'templates.read', 'messages.read', 'log.read'];

/**
 * What each role may do. A role's permissions apply within the user's org units (and their descendants);
 * `system_manager` also sees every org unit.
 */
export const ROLE_PERMISSIONS = {
  system_manager: [...PERMISSIONS],
  sms_manager: [
    ...READ,
    'users.read',
    'api_keys.manage',
    'contacts.manage',
    'consent.manage',
    'templates.manage',
    'messages.send',
    'messages.resend',
    'log.export',
    'campaigns.manage',
    'triggers.manage',
    'gateways.manage',
    'webhooks.manage',
  ],
  sms_user: [...READ, 'contacts.manage', 'consent.manage', 'messages.send', 'messages.resend'],
  auditor: [...READ, 'users.read', 'log.export', 'security_events.read'],
} as const satisfies Record<Role, readonly Permission[]>;

export function permissionsOfRoles(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r]));
}

/** Who is acting: a logged-in user or an API key, with what it may do and which org units it sees. */
export interface Principal {
  kind: 'user' | 'api_key';
  id: string;
  /** For API keys: the user who created the key (the key can never do more than that user could). */
  userId: string;
  name: string;
  permissions: ReadonlySet<Permission>;
  /** `all`, or the org unit ids this principal sees — its units and all their descendants. */
  orgScope: OrgScope;
  /** Browser sessions only: the CSRF token unsafe requests must echo in `X-CSRF-Token`. */
  csrfToken?: string;
}

export type OrgScope = { all: true } | { all: false; ids: ReadonlySet<string> };

export const canSeeOrgUnit = (scope: OrgScope, id: string) => scope.all || scope.ids.has(id);
