import type { RateBucketTable } from '../dispatch/dispatch.tables.js';
import type { ApiKeyTable } from '../modules/api-keys/api-keys.table.js';
import type { SessionTable } from '../modules/auth/auth.table.js';
import type { BatchTable } from '../modules/batches/batches.table.js';
import type { ConsentEventTable, ConsentStateTable } from '../modules/consent/consent.table.js';
import type {
  ContactPhoneTable,
  ContactTable,
  ImportJobTable,
  ImportRowErrorTable,
} from '../modules/contacts/contacts.table.js';
import type {
  EarlyReportTable,
  MessagePartIdTable,
  MessagePartReportTable,
  ReportReceiptTable,
} from '../modules/delivery-reports/delivery-reports.table.js';
import type { BatchCompletionTable } from '../modules/events/events.table.js';
import type { ProviderAccountTable, SenderConfigTable } from '../modules/gateways/gateways.table.js';
import type { IdempotencyKeyTable } from '../modules/idempotency/idempotency.table.js';
import type {
  InboundMessageTable,
  InboundPartTable,
  OrgUnitKeywordsTable,
} from '../modules/inbound/inbound.table.js';
import type { MessageEventTable, MessageTable } from '../modules/messages/messages.table.js';
import type { OrgUnitTable } from '../modules/org-units/org-units.table.js';
import type { SecurityEventTable } from '../modules/security-events/security-events.table.js';
import type { TemplateTable } from '../modules/templates/templates.table.js';
import type { UserOrgUnitTable, UserTable } from '../modules/users/users.table.js';
import type {
  WebhookAttemptTable,
  WebhookCursorTable,
  WebhookDeliveryTable,
  WebhookEndpointTable,
} from '../modules/webhooks/webhooks.table.js';

/** The one Database type: every table Herald stores, as Kysely sees it. */
/** Instance-wide facts such as `setup_completed`. */
export interface InstanceFactTable {
  key: string;
  value: string;
  created_at: string;
}

export interface Database {
  instance_facts: InstanceFactTable;
  org_units: OrgUnitTable;
  users: UserTable;
  user_org_units: UserOrgUnitTable;
  sessions: SessionTable;
  api_keys: ApiKeyTable;
  security_events: SecurityEventTable;
  provider_accounts: ProviderAccountTable;
  sender_configs: SenderConfigTable;
  contacts: ContactTable;
  contact_phones: ContactPhoneTable;
  consent_events: ConsentEventTable;
  consent_states: ConsentStateTable;
  templates: TemplateTable;
  batches: BatchTable;
  messages: MessageTable;
  rate_buckets: RateBucketTable;
  message_events: MessageEventTable;
  idempotency_keys: IdempotencyKeyTable;
  import_jobs: ImportJobTable;
  import_row_errors: ImportRowErrorTable;
  early_reports: EarlyReportTable;
  message_part_reports: MessagePartReportTable;
  message_part_ids: MessagePartIdTable;
  report_receipts: ReportReceiptTable;
  batch_completions: BatchCompletionTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  webhook_cursors: WebhookCursorTable;
  inbound_messages: InboundMessageTable;
  inbound_parts: InboundPartTable;
  org_unit_keywords: OrgUnitKeywordsTable;
}
