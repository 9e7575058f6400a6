import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { AppError } from '../core/errors.js';
import { maskPhone } from '../core/phone/index.js';
import { SYSTEM_PRINCIPAL } from '../modules/auth/auth.system.js';
import { callbackUrlFor } from '../modules/gateways/gateways.usecases.js';
import { browseInbound, type InboundView } from '../modules/inbound/inbound.browse.js';
import { inboundQuerySchema } from '../modules/inbound/inbound.schemas.js';
import { simulatorTarget } from '../modules/inbound/inbound.usecases.js';
import { postSimulatorInbound } from '../providers/simulator/simulator.provider.js';
import { openDatabase } from '../start.js';
import { oneLine, parseListOptions, renderPlainTable } from './messages.js';

interface ListOptions {
  number?: string;
  contact?: string;
  keyword?: string;
  orgUnit?: string;
  from?: string;
  to?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
  fullNumbers?: boolean;
}

interface SimulateOptions {
  account: string;
  from: string;
  text: string;
  to?: string;
  url?: string;
  id?: string;
}

export function registerInbound(program: Command) {
  const inbound = program.command('inbound').description('Inbound SMS: list them, or simulate one');
  inbound
    .command('list')
    .description('List inbound SMS, newest first, with the same filters as GET /api/inbound')
    .option('--number <number>', 'only from this number (E.164, or as the gateway wrote it)')
    .option('--contact <id>', 'only from this contact')
    .option('--keyword <action>', 'opt_out, opt_in, opt_in_if_opted_out, help, any or none')
    .option('--org-unit <id>', 'only this org unit')
    .option('--from <date>', 'received at or after (ISO date or date-time)')
    .option('--to <date>', 'received before (ISO; a bare date includes that day)')
    .option('--limit <n>', 'how many (1–500)', '50')
    .option('--cursor <cursor>', 'continue after the previous page')
    .option('--json', 'print JSON instead of a table')
    .option('--full-numbers', 'show phone numbers in full (masked by default)')
    .action(async (opts: ListOptions) => {
      const config = loadConfig();
      const query = parseListOptions(inboundQuerySchema, {
        number: opts.number,
        contactId: opts.contact,
        keyword: opts.keyword,
        orgUnitId: opts.orgUnit,
        from: opts.from,
        to: opts.to,
        limit: opts.limit,
        cursor: opts.cursor,
      });
      const db = openDatabase(config);
      try {
        const page = await browseInbound({ db: db.kysely, principal: SYSTEM_PRINCIPAL, query });
        const items = opts.fullNumbers
          ? page.items
          : page.items.map((m) => ({ ...m, from: maskPhone(m.fromE164 ?? m.from), fromE164: null }));
        if (opts.json) {
          console.log(JSON.stringify({ items, nextCursor: page.nextCursor }, null, 2));
          return;
        }
        if (items.length === 0) {
          console.log('No inbound messages match.');
          return;
        }
        console.log(renderInboundTable(items));
        console.log(`\n${items.length} inbound message(s).`);
        if (page.nextCursor) console.log(`More: add --cursor ${page.nextCursor}`);
      } finally {
        await db.close();
      }
    });

  inbound
    .command('simulate')
    .description(
      'Make a simulated handset send an SMS to a simulator gateway: posts it, signed, to the running server',
    )
    .requiredOption('--account <id>', 'the simulator gateway account (id)')
    .requiredOption('--from <number>', "the handset's number, e.g. +4915123456789")
    .requiredOption('--text <text>', 'the message, e.g. STOP')
    .option(
      '--to <address>',
      'the number or sender id it is sent to (default: the account’s first sender id)',
    )
    .option('--url <baseUrl>', 'where the server listens (default: HERALD_PUBLIC_URL, else http://HOST:PORT)')
    .option('--id <gatewayMessageId>', 'the gateway message id (default: a new one; repeat one to replay)')
    .action(async (opts: SimulateOptions) => {
      const config = loadConfig();
      const db = openDatabase(config);
      const { account, to } = await simulatorTarget(db.kysely, opts.account, opts.to).finally(() =>
        db.close(),
      );
      const url = `${callbackUrlFor(opts.url ?? config.baseUrl, account.callback_token)}/inbound`;
      const res = await postSimulatorInbound(
        (u, init) => fetch(u, init),
        url,
        { from: opts.from, to, text: opts.text, ...(opts.id ? { id: opts.id } : {}) },
        account.callback_token,
      );
      const body = await res.text();
      if (!res.ok) {
        throw new AppError('internal', `The server answered ${res.status}: ${body.slice(0, 200)}`);
      }
      console.log(
        `Sent "${opts.text}" from ${maskPhone(opts.from)} to ${to}: the server answered ${res.status}.`,
      );
    });
}

/** A plain table with a header; the text column is shortened to one line. */
export function renderInboundTable(items: readonly InboundView[]): string {
  const header = ['RECEIVED (UTC)', 'FROM', 'TO', 'KEYWORD', 'TEXT'];
  const rows = items.map((m) => [
    m.receivedAt.slice(0, 16).replace('T', ' '),
    m.from,
    m.to,
    m.keyword ? `${m.keyword.keyword} → ${m.keyword.effect ?? m.keyword.action}` : '',
    oneLine(m.text, 40),
  ]);
  return renderPlainTable(header, rows);
}
