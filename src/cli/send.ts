import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { migrateToLatest } from '../db/db.js';
import { SYSTEM_PRINCIPAL } from '../modules/auth/auth.system.js';
import { RECIPIENT_GROUP_NAMES, type RecipientGroup } from '../modules/send/send.groups.js';
import { SendBatchSchema } from '../modules/send/send.schemas.js';
import { sendBatch } from '../modules/send/send.usecases.js';
import { openDatabase } from '../start.js';

interface Options {
  to: string[];
  contact: string[];
  group?: string;
  text?: string;
  template?: string;
  orgUnit?: string;
  category?: string;
  at?: string;
  reference?: string;
}

const collect = (v: string, all: string[]) => [...all, v];

export function registerSend(program: Command) {
  program
    .command('send')
    .description('Send an SMS to numbers, contacts or a group (as the operator)')
    .option('--to <number>', 'recipient number (repeat for several)', collect, [])
    .option('--contact <id>', 'recipient contact id (repeat for several)', collect, [])
    .option(
      '--group <name>',
      `recipient group: ${RECIPIENT_GROUP_NAMES.map((g) => g.replaceAll('_', '-')).join(', ')}`,
    )
    .option('--text <text>', 'the message text')
    .option('--template <name>', 'name (or id) of a standard text of the org unit')
    .option('--org-unit <id>', 'org unit to send for (default: the first top-level unit)')
    .option('--category <category>', 'transactional (default) or marketing')
    .option('--at <time>', 'send later, at this ISO 8601 time')
    .option('--reference <type:id>', 'business document the message is about, e.g. invoice:INV-0042')
    .action(async (opts: Options) => {
      const db = openDatabase(loadConfig());
      try {
        await migrateToLatest(db);
        const orgUnitId = opts.orgUnit ?? (await firstRootUnit(db.kysely));
        const templateId = opts.template
          ? await templateIdByName(db.kysely, orgUnitId, opts.template)
          : undefined;
        const [refType, ...refId] = (opts.reference ?? '').split(':');
        const group = opts.group?.replaceAll('-', '_');
        if (group !== undefined && !RECIPIENT_GROUP_NAMES.includes(group as RecipientGroup)) {
          throw new AppError('validation.failed', `Unknown group "${opts.group}".`);
        }
        const parsed = SendBatchSchema.safeParse({
          orgUnitId,
          recipients: {
            ...(opts.to.length > 0 ? { numbers: opts.to } : {}),
            ...(opts.contact.length > 0 ? { contactIds: opts.contact } : {}),
            ...(group ? { group } : {}),
          },
          ...(opts.text !== undefined ? { text: opts.text } : {}),
          ...(templateId ? { templateId } : {}),
          ...(opts.category ? { category: opts.category } : {}),
          ...(opts.at ? { scheduledAt: opts.at } : {}),
          ...(opts.reference ? { reference: { type: refType, id: refId.join(':') } } : {}),
        });
        if (!parsed.success) {
          const i = parsed.error.issues[0];
          throw new AppError('validation.failed', i ? `${i.path.join('.')}: ${i.message}` : 'invalid input');
        }
        const r = await sendBatch({
          db: db.kysely,
          sqlite: db.sqlite,
          clock: systemClock,
          config: loadConfig(),
          principal: SYSTEM_PRINCIPAL,
          input: parsed.data,
        });
        const blocked = Object.entries(r.blocked)
          .map(([reason, n]) => `${reason} ${n}`)
          .join(', ');
        console.log(
          `Batch ${r.batchId}: ${r.requestedCount} requested, ${r.queuedCount} queued, ${r.scheduledCount} scheduled, ` +
            `${r.blockedCount} blocked${blocked ? ` (${blocked})` : ''}, ${r.duplicateCount} duplicate.`,
        );
      } finally {
        await db.close();
      }
    });
}

async function firstRootUnit(db: ReturnType<typeof openDatabase>['kysely']): Promise<string> {
  const unit = await db
    .selectFrom('org_units')
    .select('id')
    .where('parent_id', 'is', null)
    .orderBy('created_at')
    .executeTakeFirst();
  if (!unit) throw new AppError('org_unit.not_found', 'No org unit yet: run `herald admin create` first.');
  return unit.id;
}

async function templateIdByName(
  db: ReturnType<typeof openDatabase>['kysely'],
  orgUnitId: string,
  nameOrId: string,
): Promise<string> {
  const t = await db
    .selectFrom('templates')
    .select('id')
    .where('org_unit_id', '=', orgUnitId)
    .where((eb) =>
      eb.or([eb('id', '=', nameOrId), eb(eb.fn('lower', ['name']), '=', nameOrId.toLowerCase())]),
    )
    .executeTakeFirst();
  if (!t) throw new AppError('template.not_found', `No standard text "${nameOrId}" in this org unit.`);
  return t.id;
}
