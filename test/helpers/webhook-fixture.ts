import type { Insertable } from 'kysely';
import { silentLogger } from '../../src/core/logger.js';
import type { DialectName } from '../../src/db/dialect.js';
import type { MessageTable } from '../../src/modules/messages/messages.table.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/modules/webhooks/webhooks.worker.js';
import { messageFactory } from './message-factory.js';
import { createTestApp } from './test-app.js';
import { manualTimers, OPEN_WEBHOOK_ENV, startReceiver } from './webhook-receiver.js';

/**
 * A migrated app with an administrator, a receiver on 127.0.0.1, helpers that write status changes
 * straight into `messages`/`message_events` (as a worker or delivery report would), and webhook
 * workers driven by hand (`tick()`) on the test clock.
 */
export async function webhookFixture(dialect: DialectName, env: Record<string, string> = OPEN_WEBHOOK_ENV) {
  const t = await createTestApp(dialect, env);
  const admin = await t.setupAdmin();
  const rx = await startReceiver();
  const f = messageFactory(t.db.kysely, { orgUnitId: admin.orgUnitId, now: t.clock.now().toISOString() });
  const workers: WebhookWorker[] = [];

  const addEndpoint = async (over: Record<string, unknown> = {}) => {
    const res = await t.request('/api/webhooks', {
      method: 'POST',
      headers: admin.headers,
      json: { orgUnitId: admin.orgUnitId, url: rx.url, eventTypes: ['message.status_changed'], ...over },
    });
    if (res.status !== 201) throw new Error(`create webhook: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; secret: string };
  };

  /** A message that moved `from` → `to` now (an applied `message_events` row). */
  const statusChange = async (
    to = 'delivered',
    over: Partial<Insertable<MessageTable>> = {},
    event: { id?: string; applied?: boolean; from?: string } = {},
  ) => {
    const now = t.clock.now().toISOString();
    const message = await f.insertMessage({ status: to, created_at: now, updated_at: now, ...over });
    const ev = await f.insertEvent(message.id, {
      ...(event.id ? { id: event.id } : {}),
      occurred_at: now,
      from_status: event.from ?? 'sent',
      to_status: to,
      applied: event.applied ?? true,
      reason: null,
    });
    return { message, event: ev };
  };

  const worker = (opts: Partial<Parameters<typeof startWebhookWorker>[0]> = {}) => {
    const w = startWebhookWorker({
      db: t.db.kysely,
      config: t.config,
      clock: t.clock,
      logger: silentLogger,
      timers: manualTimers,
      random: () => 0,
      ...opts,
    });
    workers.push(w);
    return w;
  };

  const deliveries = () =>
    t.db.kysely.selectFrom('webhook_deliveries').selectAll().orderBy('created_at').orderBy('id').execute();
  const attemptsOf = (deliveryId: string) =>
    t.db.kysely
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('attempted_at')
      .execute();

  const close = async () => {
    for (const w of workers) await w.stop();
    await rx.close();
    await t.close();
  };

  return { t, admin, rx, f, addEndpoint, statusChange, worker, deliveries, attemptsOf, close };
}

export type WebhookFixture = Awaited<ReturnType<typeof webhookFixture>>;
