import type { Migration, MigrationProvider } from 'kysely';
import type { DialectName } from '../dialect.js';
import { identity } from './0001_identity.js';
import { smsCenter } from './0002_sms_center.js';
import { contactsSearch } from './0003_contacts_search.js';
import { messagesIndexes } from './0004_messages_indexes.js';
import { batchCompletion } from './0005_batch_completion.js';
import { dispatch } from './0006_dispatch.js';
import { reportsResend } from './0007_reports_resend.js';
import { webhooks } from './0008_webhooks.js';
import { inbound } from './0009_inbound.js';
import { partIds } from './0010_part_ids.js';
import { dispatchIndexes } from './0011_dispatch_indexes.js';
import { gatewayOwners } from './0012_gateway_owners.js';
import { inboundParts } from './0013_inbound_parts.js';
import { columnTypes, type HeraldMigration } from './migration-helpers.js';

/**
 * Every migration, in order. Names are sortable and never change once released.
 * Listed in code (not read from a folder) so the built package carries them.
 */
const MIGRATIONS: Record<string, HeraldMigration> = {
  '0001_identity': identity,
  '0002_sms_center': smsCenter,
  '0003_contacts_search': contactsSearch,
  '0004_messages_indexes': messagesIndexes,
  '0005_batch_completion': batchCompletion,
  '0006_dispatch': dispatch,
  '0007_reports_resend': reportsResend,
  '0008_webhooks': webhooks,
  '0009_inbound': inbound,
  '0010_part_ids': partIds,
  '0011_dispatch_indexes': dispatchIndexes,
  '0012_gateway_owners': gatewayOwners,
  '0013_inbound_parts': inboundParts,
};

export function migrationProvider(dialect: DialectName): MigrationProvider {
  const t = columnTypes(dialect);
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(MIGRATIONS)) out[name] = m(t, dialect);
      return out;
    },
  };
}
