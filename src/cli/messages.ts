import type { Command } from 'commander';
import type { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { maskPhone } from '../core/phone/index.js';
import { SYSTEM_PRINCIPAL } from '../modules/auth/auth.system.js';
import { type MessageView, messageQuerySchema } from '../modules/messages/messages.schemas.js';
import { browseMessages } from '../modules/messages/messages.usecases.js';
import { openDatabase } from '../start.js';

interface ListOptions {
  status?: string;
  phone?: string;
  batch?: string;
  referenceType?: string;
  referenceId?: string;
  orgUnit?: string;
  q?: string;
  from?: string;
  to?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
  fullNumbers?: boolean;
}

export function registerMessages(program: Command) {
  const messages = program.command('messages').description('Read the message log (messages list)');
  messages
    .command('list')
    .description('List messages, newest first, with the same filters as GET /api/messages')
    .option('--status <statuses>', 'only these statuses, comma-separated (e.g. failed,status_timeout)')
    .option('--phone <number>', 'only messages to this number')
    .option('--batch <id>', 'only messages of this batch')
    .option('--reference-type <type>', 'business document type, e.g. invoice')
    .option('--reference-id <id>', 'business document id, e.g. INV-0042 (needs --reference-type)')
    .option('--org-unit <ids>', 'only these org units, comma-separated')
    .option('--q <text>', 'the text contains this (last 14 days unless --from)')
    .option('--from <date>', 'created at or after (ISO date or date-time)')
    .option('--to <date>', 'created before (ISO; a bare date includes that day)')
    .option('--limit <n>', 'how many messages (1–500)', '50')
    .option('--cursor <cursor>', 'continue after the previous page')
    .option('--json', 'print JSON instead of a table')
    .option('--full-numbers', 'show phone numbers in full (masked by default)')
    .action(async (opts: ListOptions) => {
      const config = loadConfig();
      const query = parseListOptions(messageQuerySchema(config.maxSearchLength), {
        status: opts.status,
        phone: opts.phone,
        batchId: opts.batch,
        referenceType: opts.referenceType,
        referenceId: opts.referenceId,
        orgUnitId: opts.orgUnit,
        q: opts.q,
        from: opts.from,
        to: opts.to,
        limit: opts.limit,
        cursor: opts.cursor,
      });
      const db = openDatabase(config);
      try {
        const page = await browseMessages({
          db: db.kysely,
          principal: SYSTEM_PRINCIPAL,
          clock: systemClock,
          query,
        });
        const items = opts.fullNumbers ? page.items : page.items.map((m) => ({ ...m, to: maskPhone(m.to) }));
        if (opts.json) {
          console.log(JSON.stringify({ items, nextCursor: page.nextCursor }, null, 2));
          return;
        }
        if (items.length === 0) {
          console.log('No messages match.');
          return;
        }
        console.log(renderTable(items));
        console.log(`\n${items.length} message(s).`);
        if (page.nextCursor) console.log(`More: add --cursor ${page.nextCursor}`);
      } finally {
        await db.close();
      }
    });
}

/** A list command's options (undefined ones left out) validated by the API's query schema. */
export function parseListOptions<S extends z.ZodType>(
  schema: S,
  options: Record<string, string | undefined>,
): z.output<S> {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new AppError(
      'validation.failed',
      first ? `${first.path.join('.')}: ${first.message}` : 'invalid options',
    );
  }
  return parsed.data;
}

export const oneLine = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A plain table with a header; the text column is shortened to one line. */
export function renderTable(items: readonly MessageView[]): string {
  const header = ['CREATED (UTC)', 'TO', 'STATUS', 'PARTS', 'REFERENCE', 'TEXT'];
  const rows = items.map((m) => [
    m.createdAt.slice(0, 16).replace('T', ' '),
    m.to,
    m.statusReason ? `${m.statusLabel} (${m.statusReason})` : m.statusLabel,
    String(m.parts),
    m.reference ? `${m.reference.type} ${m.reference.id}` : '',
    oneLine(m.body, 40),
  ]);
  return renderPlainTable(header, rows);
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function renderPlainTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
