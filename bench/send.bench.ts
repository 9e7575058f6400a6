/**
 * The send path at scale, on a SQLite file with the real migrations:
 * - "Create receiver list" for 100,000 contacts (goal: under 1 s), next to the raw SQL of the same
 *   join run through better-sqlite3;
 * - a batch of 100,000 recipients accepted and queued (time and peak memory), next to a raw
 *   better-sqlite3 insert of the same 100,000 message rows in one transaction (goal: within 1.5×).
 *
 * Run: npx tsx bench/send.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { systemClock } from '../src/core/clock.js';
import { migrateToLatest, openDb } from '../src/db/db.js';
import { SYSTEM_PRINCIPAL } from '../src/modules/auth/auth.system.js';
import { receiverList, sendBatch } from '../src/modules/send/send.usecases.js';

const N = 100_000;
const config = { defaultValidityHours: 48, maxScheduleDays: 365, maxBatchRecipients: 200_000 };

export interface SendBenchRow {
  case: string;
  ours: string;
  reference: string;
  ratio: number;
  target: string;
  pass: boolean;
}

function seed(file: string) {
  const raw = new SqliteDatabase(file);
  const now = new Date().toISOString();
  raw
    .prepare(
      `insert into org_units (id, parent_id, name, default_region, timezone, sending_enabled, sender_config_id, created_at, updated_at)
       values ('u1', null, 'HQ', 'DE', 'Europe/Berlin', 1, 's1', ?, ?)`,
    )
    .run(now, now);
  raw
    .prepare(
      `insert into provider_accounts (id, name, kind, settings, messages_per_second, max_parts, price_per_part, currency, shift_tables, callback_token, created_at, updated_at)
       values ('p1', 'Sim', 'simulator', '{}', 50, 10, null, null, '[]', 'tok', ?, ?)`,
    )
    .run(now, now);
  raw
    .prepare(
      `insert into sender_configs (id, name, provider_account_id, fallback_provider_account_id, sender_id, created_at, updated_at)
       values ('s1', 'Default', 'p1', null, 'Herald', ?, ?)`,
    )
    .run(now, now);
  const contact = raw.prepare(
    `insert into contacts (id, org_unit_id, kind, name, first_name, last_name, party, department, branch, status, locale, timezone, attributes, created_at, updated_at)
     values (?, 'u1', ?, ?, ?, null, ?, null, null, null, null, null, '{}', ?, ?)`,
  );
  const phone = raw.prepare(
    `insert into contact_phones (id, contact_id, org_unit_id, label, is_primary, e164, country, line_type, original, position)
     values (?, ?, 'u1', 'mobile', 1, ?, 'DE', 'mobile', ?, 0)`,
  );
  raw.transaction(() => {
    for (let i = 0; i < N; i++) {
      const id = `c${String(i).padStart(7, '0')}`;
      const e164 = `+49151${String(10_000_000 + i).slice(-8)}`;
      contact.run(
        id,
        i % 3 === 0 ? 'lead' : 'customer_contact',
        `Contact ${i}`,
        `First${i}`,
        `Party ${i % 500}`,
        now,
        now,
      );
      phone.run(`p${i}`, id, e164, e164);
    }
  })();
  raw.close();
}

function peakMemory<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number; ms: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  return fn().then((result) => {
    const ms = performance.now() - start;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 2 ** 20, ms };
  });
}

export async function run(): Promise<SendBenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-send-'));
  const file = path.join(dir, 'bench.db');
  const db = openDb({ kind: 'sqlite', file });
  await migrateToLatest(db);
  seed(file);
  const rows: SendBenchRow[] = [];

  // Receiver list: ours (through the use case) vs the same join raw, best of 3 each.
  const oursTimes: number[] = [];
  let resolved = 0;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const list = await receiverList({
      db: db.kysely,
      config,
      principal: SYSTEM_PRINCIPAL,
      input: {
        orgUnitId: 'u1',
        recipients: { group: 'all_contacts' },
        category: 'transactional',
        includeItems: true,
      },
    });
    oursTimes.push(performance.now() - start);
    resolved = list.totals.requested;
  }
  const raw = new SqliteDatabase(file, { readonly: true });
  const stmt = raw.prepare(
    `select c.id, c.org_unit_id, c.name, c.first_name, c.last_name, c.party, c.department, c.branch, c.attributes,
            p.id as phone_id, p.e164, p.original, cs.state
       from contacts c
       left join contact_phones p on p.contact_id = c.id and p.is_primary = 1
       left join consent_states cs on cs.e164 = p.e164
      order by c.name, c.id`,
  );
  const rawTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    stmt.all();
    rawTimes.push(performance.now() - start);
  }
  raw.close();
  const ours = Math.min(...oursTimes);
  const ref = Math.min(...rawTimes);
  rows.push({
    case: `receiver list, ${resolved} contacts`,
    ours: `${ours.toFixed(0)} ms`,
    reference: `${ref.toFixed(0)} ms (raw join)`,
    ratio: ours / ref,
    target: 'ours < 1000 ms',
    pass: ours < 1000 && resolved === N,
  });

  // A batch of 100,000 recipients accepted and queued.
  const batch = await peakMemory(() =>
    sendBatch({
      db: db.kysely,
      sqlite: db.sqlite,
      clock: systemClock,
      config,
      principal: SYSTEM_PRINCIPAL,
      input: {
        orgUnitId: 'u1',
        recipients: { group: 'all_contacts' },
        text: 'Dear customer, our office is closed on Friday.',
      },
    }),
  );
  await db.close();

  // Reference: the same number of message rows, inserted raw in one transaction.
  const w = new SqliteDatabase(file);
  w.pragma('journal_mode = WAL');
  w.pragma('synchronous = NORMAL');
  const msgs = w.prepare('select * from messages limit ?').all(N) as Record<string, unknown>[];
  const cols = Object.keys(msgs[0]!);
  const insert = w.prepare(
    `insert into messages (${cols.join(',')}) values (${cols.map(() => '?').join(',')})`,
  );
  const start = performance.now();
  w.transaction(() => {
    for (const m of msgs) insert.run(...cols.map((c) => (c === 'id' ? `r${m.id}` : m[c])));
  })();
  const rawInsertMs = performance.now() - start;
  w.close();
  fs.rmSync(dir, { recursive: true, force: true });
  rows.push({
    case: `batch of ${batch.result.requestedCount} recipients queued (peak RSS ${batch.peakMb.toFixed(0)} MB)`,
    ours: `${batch.ms.toFixed(0)} ms`,
    reference: `${rawInsertMs.toFixed(0)} ms (raw insert of the rows)`,
    ratio: batch.ms / rawInsertMs,
    target: 'ratio ≤ 1.5',
    pass: batch.ms / rawInsertMs <= 1.5 && batch.result.queuedCount === N,
  });
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run();
  console.table(rows.map((r) => ({ ...r, ratio: r.ratio.toFixed(2), pass: r.pass ? 'PASS' : 'FAIL' })));
  process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
}
