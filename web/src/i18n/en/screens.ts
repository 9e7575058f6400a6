import { admin } from './admin.js';
import { contacts } from './contacts.js';
import { dashboard } from './dashboard.js';
import { gateways } from './gateways.js';
import { inbound } from './inbound.js';
import { templates } from './templates.js';

/** Strings of the data and administration screens, one file per screen, spread into en.ts. */
export const screenStrings = {
  ...contacts,
  ...templates,
  ...inbound,
  ...gateways,
  ...admin,
  ...dashboard,
} as const;
