import { admin } from './admin';
import { contacts } from './contacts';
import { dashboard } from './dashboard';
import { gateways } from './gateways';
import { inbound } from './inbound';
import { templates } from './templates';

/** Strings of the data and administration screens, one file per screen, spread into en.ts. */
export const screenStrings = {
  ...contacts,
  ...templates,
  ...inbound,
  ...gateways,
  ...admin,
  ...dashboard,
} as const;
