import { PERMISSIONS, type Principal } from './auth.permissions.js';

/** The operator acting through the CLI on the server itself: may do everything, everywhere. */
export const SYSTEM_PRINCIPAL: Principal = {
  kind: 'user',
  id: 'system',
  userId: 'system',
  name: 'System (CLI)',
  permissions: new Set(PERMISSIONS),
  orgScope: { all: true },
};
