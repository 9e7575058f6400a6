/**
 * The storage floor of the full loop: the SQL statements Herald runs for one message's life, run
 * straight on better-sqlite3 against a fresh file with the real migrations, in one thread, without
 * HTTP, Kysely or any of Herald's own JavaScript. Grouped 16 units per transaction (a savepoint each),
 * as the shared commits group them under load, WAL and synchronous=NORMAL as `herald serve` opens it.
 *
 * Since SQLite has one writer at a time, the sum of these phases bounds the full loop from above on
 * this machine, however fast everything around them gets: at most 1,000,000 / total µs messages a
 * second. The statements are copied from what Herald sends (read off its statement log); keep them in
 * step when the dispatch or report paths change what they write.
 */

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { v7 } from 'uuid';
import { migrateToLatest, openDb } from '../../src/db/db.js';

export interface StorageFloor {
  messages: number;
  /** µs per message, by phase of its life. */
  phases: Record<'accept' | 'claim' | 'rate slot' | 'submit marker' | 'outcome' | 'delivery report', number>;
  totalUs: number;
  /** 1,000,000 / totalUs: the writer's ceiling for the full loop. */
  ceilingMsgsPerSec: number;
}

const GROUP = 16;
const CLAIM = 32;
const TEXT = 'Your order 4711 has shipped and arrives tomorrow.';
const FINAL = [
  'delivered',
  'undelivered',
  'rejected',
  'failed',
  'expired',
  'blocked',
  'status_timeout',
  'canceled',
];

export async function measureStorageFloor(opts: { dir: string; n: number }): Promise<StorageFloor> {
  const file = path.join(opts.dir, 'storage-floor.db');
  const db = openDb({ kind: 'sqlite', file });
  try {
    await migrateToLatest(db);
    const s = db.sqlite!;
    const iso = () => new Date().toISOString();
    const t0 = iso();
    s.prepare(
      `insert into org_units (id, parent_id, name, default_region, timezone, sending_enabled, sender_config_id, created_at, updated_at)
       values ('u1', null, 'HQ', 'DE', 'Europe/Berlin', 1, null, ?, ?)`,
    ).run(t0, t0);
    s.prepare(
      `insert into provider_accounts (id, name, kind, settings, messages_per_second, max_parts, price_per_part, currency, shift_tables, callback_token, created_at, updated_at)
       values ('p1', 'Simulator', 'simulator', '{}', 10000, 10, null, null, '[]', 'token', ?, ?)`,
    ).run(t0, t0);
    s.prepare(`insert into rate_buckets (provider_account_id, next_at_ms) values ('p1', 0)`).run();

    const begin = s.prepare('begin immediate');
    const commit = s.prepare('commit');
    const savepoint = s.prepare('savepoint unit');
    const release = s.prepare('release unit');
    /** One transaction of up to GROUP units, each in its savepoint, as the shared commits run them. */
    const group = <T>(items: readonly T[], unit: (item: T) => void) => {
      begin.run();
      for (const item of items) {
        savepoint.run();
        unit(item);
        release.run();
      }
      commit.run();
    };
    const spent = {
      accept: 0,
      claim: 0,
      'rate slot': 0,
      'submit marker': 0,
      outcome: 0,
      'delivery report': 0,
    };
    const timed = (phase: keyof typeof spent, fn: () => void) => {
      const start = performance.now();
      fn();
      spent[phase] += performance.now() - start;
    };

    // Accept: the SMS Log entry and the message (send.insert.sqlite.ts).
    const insertBatch = s.prepare(
      `insert into batches (id, org_unit_id, sender_type, sender_ref, sender_name, message, template_id, category, request, requested_count, blocked_count, scheduled_at, created_at)
       values (?, 'u1', 'api_key', 'key1', 'CRM', ?, null, 'transactional', '{}', 1, 0, null, ?)`,
    );
    const insertMessage = s.prepare(
      `insert into messages (id, org_unit_id, batch_id, contact_id, phone_id, to_input, to_e164, body, encoding, parts, characters, category, status, status_reason, sender_config_id, provider_account_id, sender_id, gateway_message_id, attempts, scheduled_at, due_at, expires_at, lease_until, leased_by, reference_type, reference_id, campaign_id, trigger_id, resent_of, resent_by, error_code, error_text, created_by_type, created_by_id, created_at, updated_at)
       values (?, 'u1', ?, null, null, ?, ?, ?, 'GSM-7', 1, ?, 'transactional', 'queued', null, null, 'p1', 'Herald', null, 0, null, ?, ?, null, null, null, null, null, null, null, null, null, null, 'api_key', 'key1', ?, ?)`,
    );
    const messages: { id: string; batchId: string; gatewayId: string }[] = [];
    const expires = new Date(Date.now() + 48 * 3_600_000).toISOString();
    for (let i = 0; i < opts.n; i += GROUP) {
      const units = Array.from({ length: Math.min(GROUP, opts.n - i) }, (_, k) => i + k);
      timed('accept', () =>
        group(units, (k) => {
          const now = iso();
          const m = {
            id: v7(),
            batchId: v7(),
            gatewayId: `sim${createHash('sha1').update(String(k)).digest('hex').slice(0, 20)}`,
          };
          const to = `+49151${10_000_000 + k}`;
          insertBatch.run(m.batchId, TEXT, now);
          insertMessage.run(m.id, m.batchId, to, to, TEXT, TEXT.length, now, expires, now, now);
          messages.push(m);
        }),
      );
    }

    // Claim (claim.sqlite.ts): UPDATE … RETURNING of the due messages, 32 at a time.
    const claim = s.prepare(
      `update messages set status = 'sending', lease_until = ?, leased_by = 'w1', attempts = attempts + 1, submit_started_at = null, updated_at = ?
        where messages.id in (select messages.id from messages where (messages.status = 'queued' and messages.due_at <= ? and messages.expires_at > ?) order by due_at limit ${CLAIM})
        returning id, batch_id`,
    );
    for (let claimed = 0; claimed < opts.n; ) {
      timed('claim', () => {
        begin.run();
        const now = iso();
        claimed += claim.all(now, now, now, now).length;
        commit.run();
      });
    }

    // Per message in the worker: rate slot (dispatch.rate.ts), submit marker and outcome (dispatch.outcome.ts).
    const reserve = s.prepare(
      `update rate_buckets set next_at_ms = max(next_at_ms, paused_until_ms, ?) + 0.1 + probe_gap_ms,
              last_slot_ms = max(next_at_ms, paused_until_ms, ?), probe_gap_ms = 0
        where provider_account_id = 'p1' returning last_slot_ms`,
    );
    const mark = s.prepare(
      `update messages set submit_started_at = ?, provider_account_id = 'p1', lease_until = ?, updated_at = ?
        where id = ? and status = 'sending' and leased_by = 'w1' and attempts = 1`,
    );
    const outcome = s.prepare(
      `update messages set updated_at = ?, lease_until = CASE WHEN leased_by = 'w1' THEN NULL ELSE lease_until END,
              leased_by = CASE WHEN leased_by = 'w1' THEN NULL ELSE leased_by END, gateway_message_id = ?,
              submitted_at = ?, provider_account_id = 'p1', error_code = null, error_text = null
        where id = ?`,
    );
    // The status machine (delivery-reports.apply.ts): read, conditional update, history row.
    const current = s.prepare('select id, status, org_unit_id, batch_id from messages where id = ?');
    const move = s.prepare(
      'update messages set status = ?, status_reason = null, updated_at = ?, final_at = ? where id = ? and status = ?',
    );
    const history = s.prepare(
      `insert into message_events (id, message_id, occurred_at, from_status, to_status, applied, reason, source, details)
       values (?, ?, ?, ?, ?, 1, null, ?, '{}')`,
    );
    const applyStatus = (id: string, to: string, source: string, now: string) => {
      const row = current.get(id) as { status: string };
      move.run(to, now, FINAL.includes(to) ? now : null, id, row.status);
      history.run(v7(), id, now, row.status, to, source);
    };
    const keptReports = s.prepare(
      "select id from early_reports where provider_account_id = 'p1' and gateway_id = ? limit 1",
    );
    for (let i = 0; i < opts.n; i += GROUP) {
      const units = messages.slice(i, i + GROUP);
      timed('rate slot', () => group(units, () => reserve.get(Date.now(), Date.now())));
      timed('submit marker', () =>
        group(units, (m) => {
          const now = iso();
          mark.run(now, now, now, m.id);
        }),
      );
      timed('outcome', () => {
        group(units, (m) => {
          const now = iso();
          outcome.run(now, m.gatewayId, now, m.id);
          applyStatus(m.id, 'accepted', 'worker', now);
        });
        for (const m of units) keptReports.get(m.gatewayId);
      });
    }

    // Per report (delivery-reports.usecases.ts, events.publish.ts): receipt, target, status machine,
    // then the batch's completion in a second shared transaction.
    const receipt = s.prepare(
      `insert into report_receipts (provider_account_id, digest, received_at) values ('p1', ?, ?)
       on conflict (provider_account_id, digest) do nothing returning digest`,
    );
    const partTarget = s.prepare(
      `select m.id, m.parts, p.part from message_part_ids as p inner join messages as m on m.id = p.message_id
        where p.provider_account_id = 'p1' and p.gateway_id = ?`,
    );
    const target = s.prepare(
      `select id, parts from messages where provider_account_id = 'p1' and gateway_message_id in (?)
        order by created_at desc limit 1`,
    );
    const open = s.prepare(
      `select id from messages where batch_id = ? and status not in (${FINAL.map(() => '?').join(', ')}) limit 1`,
    );
    const complete = s.prepare('update batches set completed_at = ? where id = ? and completed_at is null');
    const completion = s.prepare(
      `insert into batch_completions (event_id, batch_id, org_unit_id, completed_at) values (?, ?, 'u1', ?)`,
    );
    for (let i = 0; i < opts.n; i += GROUP) {
      const units = messages.slice(i, i + GROUP);
      timed('delivery report', () => {
        group(units, (m) => {
          const now = iso();
          const digest = createHash('sha256').update(`${m.gatewayId}|delivered|${now}`).digest('hex');
          receipt.get(digest, now);
          partTarget.get(m.gatewayId);
          const found = target.get(m.gatewayId) as { id: string };
          applyStatus(found.id, 'delivered', 'dlr', now);
        });
        group(units, (m) => {
          const now = iso();
          if (open.get(m.batchId, ...FINAL)) return;
          if (complete.run(now, m.batchId).changes === 1) completion.run(v7(), m.batchId, now);
        });
      });
    }

    const phases = Object.fromEntries(
      Object.entries(spent).map(([k, ms]) => [k, (ms * 1000) / opts.n]),
    ) as StorageFloor['phases'];
    const totalUs = Object.values(phases).reduce((a, b) => a + b, 0);
    return { messages: opts.n, phases, totalUs, ceilingMsgsPerSec: 1_000_000 / totalUs };
  } finally {
    await db.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
}
