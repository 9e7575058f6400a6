import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { SSEStreamingApi } from 'hono/streaming';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { fixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { silentLogger } from '../src/core/logger.js';
import { type Db, openDb } from '../src/db/db.js';
import { createTestDb, TEST_DIALECTS, withDatabase } from '../src/db/test-dialects.js';
import { createApp } from '../src/http/app.js';
import { createMetrics } from '../src/http/metrics.js';
import type { EventBus, HeraldEvent } from '../src/modules/events/events.bus.js';
import {
  createPostgresBus,
  MAX_NOTIFY_BYTES,
  type PostgresEventBus,
  packPayloads,
} from '../src/modules/events/events.bus.postgres.js';
import { publishStatusChanges } from '../src/modules/events/events.publish.js';
import { runLiveStream } from '../src/modules/events/events.sse.js';
import {
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorReport,
} from '../src/providers/simulator/simulator.provider.js';
import { startServer } from '../src/start.js';
import { insertOrgUnit, messageFactory } from './helpers/message-factory.js';
import { ADMIN, createTestApp, type TestApp } from './helpers/test-app.js';

type Json = Record<string, unknown>;
const NOW = '2026-11-22T09:00:00.000Z';
const pgUrl = process.env.HERALD_TEST_POSTGRES_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Frame {
  event: string;
  id?: string;
  data?: string;
  comments: string[];
}

/** A minimal EventSource: fetch + a parser of the text/event-stream format. */
async function connectSse(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const frames: Frame[] = [];
  let ended = false;
  const done = (async () => {
    if (!res.body || res.status !== 200) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done: end, value } = await reader.read();
        if (end) break;
        buf += decoder.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const frame: Frame = { event: 'message', comments: [] };
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) {
              frame.comments.push(line.slice(1).trim());
              continue;
            }
            const colon = line.indexOf(':');
            const key = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (key === 'event') frame.event = value;
            else if (key === 'id') frame.id = value;
            else if (key === 'data') data.push(value);
          }
          if (data.length > 0) frame.data = data.join('\n');
          frames.push(frame);
        }
      }
    } catch {
      // aborted by the test
    } finally {
      ended = true;
    }
  })();
  const waitFor = async (pred: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = frames.find(pred);
      if (f) return f;
      if (ended) throw new Error(`stream ended; frames: ${JSON.stringify(frames)}`);
      if (Date.now() > deadline) throw new Error(`no such frame in time; frames: ${JSON.stringify(frames)}`);
      await sleep(10);
    }
  };
  const events = (type?: string) =>
    frames
      .filter((f) => f.data !== undefined && (type === undefined || f.event === type))
      .map((f) => ({ event: f.event, id: f.id, data: JSON.parse(f.data!) as Json }));
  const waitForEvent = async (pred: (data: Json, f: Frame) => boolean, timeoutMs?: number) => {
    const f = await waitFor((x) => x.data !== undefined && pred(JSON.parse(x.data) as Json, x), timeoutMs);
    return { event: f.event, id: f.id, data: JSON.parse(f.data!) as Json };
  };
  if (res.status === 200) await waitFor((f) => f.comments.includes('ready'));
  return {
    res,
    frames,
    events,
    waitFor,
    waitForEvent,
    ended: () => ended,
    done,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

async function listen(fetchFn: (req: Request) => Response | Promise<Response>) {
  const server = serve({ fetch: fetchFn, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

/** Accepted messages with gateway ids, and signed delivery reports posted over HTTP. */
function gatewayFixture(db: Db['kysely'], orgUnitId: string) {
  const f = messageFactory(db, { orgUnitId, now: NOW });
  const account = () =>
    db.selectFrom('provider_accounts').select(['id', 'callback_token']).executeTakeFirstOrThrow();
  const accepted = async (gatewayId: string, over: Json = {}) => {
    const a = await account();
    return f.insertMessage({
      status: 'accepted',
      provider_account_id: a.id,
      gateway_message_id: gatewayId,
      ...over,
    });
  };
  const report = async (
    base: string | ((path: string, init: RequestInit) => Response | Promise<Response>),
    payload: Json,
  ) => {
    const a = await account();
    const body = JSON.stringify(payload);
    const init: RequestInit = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, a.callback_token),
      },
      body,
    };
    const path = `/api/callbacks/${a.callback_token}`;
    const res = typeof base === 'string' ? await fetch(`${base}${path}`, init) : await base(path, init);
    expect(res.status).toBe(200);
    return (await res.json()) as Json;
  };
  return { f, accepted, report };
}

describe.each(TEST_DIALECTS)('live status (GET /api/events) on %s', (dialect) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['setupAdmin']>>;
  let server: Awaited<ReturnType<typeof listen>>;
  let g: ReturnType<typeof gatewayFixture>;
  const clients: Awaited<ReturnType<typeof connectSse>>[] = [];
  beforeEach(async () => {
    t = await createTestApp(dialect, { HERALD_EVENTS_HEARTBEAT_SECONDS: '1' });
    admin = await t.setupAdmin();
    server = await listen(t.app.fetch);
    g = gatewayFixture(t.db.kysely, admin.orgUnitId);
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await server.close();
    await t.close();
  });
  const connect = async (headers: Record<string, string> = { cookie: admin.session.cookie }, query = '') => {
    const c = await connectSse(`${server.base}/api/events${query}`, headers);
    clients.push(c);
    return c;
  };
  const eventRowOf = (messageId: string) =>
    t.db.kysely
      .selectFrom('message_events')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();

  it('streams a status change made by a delivery report to a browser session', async () => {
    const m = await g.accepted('sim-live-1');
    const c = await connect();
    expect(c.res.status).toBe(200);
    expect(c.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(c.res.headers.get('cache-control')).toBe('no-cache');
    await g.report(server.base, { id: 'sim-live-1', status: 'delivered' });
    const e = await c.waitForEvent((d) => d.messageId === m.id);
    const row = await eventRowOf(m.id);
    expect(e).toEqual({
      event: 'message.status',
      id: row.id,
      data: {
        type: 'message.status',
        eventId: row.id,
        messageId: m.id,
        orgUnitId: admin.orgUnitId,
        batchId: null,
        from: 'accepted',
        to: 'delivered',
        toLabel: 'Received',
        applied: true,
        reason: null,
        source: 'dlr',
        at: NOW,
      },
    });
    expect(c.frames.some((f) => f.data === undefined && f.comments.includes('ready'))).toBe(true);
  });

  it('sends only changes of the caller’s org units, for a session and for an API key', async () => {
    const north = await insertOrgUnit(t.db.kysely, { name: 'North', now: NOW });
    const hqMessage = await g.accepted('sim-hq');
    const northMessage = await g.accepted('sim-north', { org_unit_id: north });
    const keyRes = await t.request('/api/api-keys', {
      method: 'POST',
      headers: admin.headers,
      json: { name: 'north crm', permissions: ['messages.read'], orgUnitIds: [north] },
    });
    expect(keyRes.status).toBe(201);
    const { key } = (await keyRes.json()) as { key: string };
    const userRes = await t.request('/api/users', {
      method: 'POST',
      headers: admin.headers,
      json: {
        email: 'hq@example.com',
        name: 'HQ user',
        password: 'twelve chars min',
        roles: ['sms_user'],
        orgUnitIds: [admin.orgUnitId],
      },
    });
    expect(userRes.status).toBe(201);
    const hqUser = await t.loginAs('hq@example.com', 'twelve chars min');

    const northClient = await connect({ authorization: `Bearer ${key}` });
    const hqClient = await connect({ cookie: hqUser.cookie });
    const everything = await connect();
    // HQ first: if it leaked, the north stream would have it before its own event.
    await g.report(server.base, { id: 'sim-hq', status: 'delivered' });
    await g.report(server.base, { id: 'sim-north', status: 'delivered' });
    await northClient.waitForEvent((d) => d.messageId === northMessage.id);
    await hqClient.waitForEvent((d) => d.messageId === hqMessage.id);
    await everything.waitForEvent((d) => d.messageId === northMessage.id);
    // Also after a heartbeat's re-check of the durable record.
    await sleep(1300);
    expect(northClient.events().map((e) => e.data.messageId)).toEqual([northMessage.id]);
    expect(hqClient.events().map((e) => e.data.messageId)).toEqual([hqMessage.id]);
    expect(
      everything
        .events()
        .map((e) => e.data.messageId)
        .sort(),
    ).toEqual([hqMessage.id, northMessage.id].sort());
    // Resuming does not widen the scope either.
    const resumed = await connect(
      { authorization: `Bearer ${key}` },
      `?lastEventId=${hqClient.events()[0]!.id}`,
    );
    await sleep(300);
    expect(resumed.events().map((e) => e.data.messageId)).not.toContain(hqMessage.id);
  });

  it('resumes with Last-Event-ID: what happened while disconnected is replayed in order', async () => {
    const a = await g.accepted('sim-r1');
    const b = await g.accepted('sim-r2');
    const c = await g.accepted('sim-r3');
    const first = await connect();
    await g.report(server.base, { id: 'sim-r1', status: 'delivered' });
    const seenA = await first.waitForEvent((d) => d.messageId === a.id);
    await first.close();
    await g.report(server.base, { id: 'sim-r2', status: 'sent' });
    await g.report(server.base, { id: 'sim-r3', status: 'undelivered', err: 'X' });
    await g.report(server.base, { id: 'sim-r2', status: 'delivered' });

    const second = await connect({ cookie: admin.session.cookie, 'last-event-id': seenA.id! });
    await second.waitForEvent((d) => d.messageId === b.id && d.to === 'delivered');
    const replayed = second.events('message.status').map((e) => [e.data.messageId, e.data.to]);
    expect(replayed).toEqual([
      [b.id, 'sent'],
      [c.id, 'undelivered'],
      [b.id, 'delivered'],
    ]);
    // The SSE ids advance with the stream, so a further reconnect continues after the last one.
    const ids = second.events().map((e) => e.id!);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]! > seenA.id!).toBe(true);
    // The same works with the query parameter (a page reload, where headers cannot be set).
    const third = await connect({ cookie: admin.session.cookie }, `?lastEventId=${ids[0]}`);
    await third.waitForEvent((d) => d.messageId === b.id && d.to === 'delivered');
    const thirdEvents = third.events().map((e) => e.data.eventId as string);
    expect(thirdEvents.filter((id) => id > ids[0]!)).toEqual(ids.slice(1));
    // At-least-once: events of the overlap window before the resume point may come again (a change
    // committed late must not be lost); the resume point itself never does. Clients dedupe by eventId.
    const again = thirdEvents.filter((id) => id < ids[0]!);
    expect(again).toEqual([seenA.data.eventId]);
  });

  it('streams batch.completed after the last message of a batch, and replays it on resume', async () => {
    const batch = await g.f.insertBatch({ requested_count: 2 });
    const m1 = await g.accepted('sim-b1', { batch_id: batch.id });
    await g.accepted('sim-b2', { batch_id: batch.id });
    const c = await connect();
    await g.report(server.base, { id: 'sim-b1', status: 'delivered' });
    const e1 = await c.waitForEvent((d) => d.messageId === m1.id);
    await g.report(server.base, { id: 'sim-b2', status: 'delivered' });
    const done = await c.waitForEvent((d) => d.type === 'batch.completed');
    expect(done.event).toBe('batch.completed');
    expect(done.data).toMatchObject({ batchId: batch.id, orgUnitId: admin.orgUnitId, at: NOW });
    expect(done.id! > e1.id!).toBe(true);
    const resumed = await connect({ cookie: admin.session.cookie, 'last-event-id': e1.id! });
    await resumed.waitForEvent((d) => d.type === 'batch.completed');
    expect(resumed.events().map((e) => e.event)).toEqual(['message.status', 'batch.completed']);
  });

  it('a cancel reaches the stream', async () => {
    const m = await g.f.insertMessage({ status: 'queued' });
    const c = await connect();
    const res = await t.request(`/api/messages/${m.id}/cancel`, { method: 'POST', headers: admin.headers });
    expect(res.status).toBe(200);
    const e = await c.waitForEvent((d) => d.messageId === m.id);
    expect(e.data).toMatchObject({ from: 'queued', to: 'canceled', source: 'user', applied: true });
  });

  it('a change committed late, with an id behind the stream position, arrives exactly once', async () => {
    const early = await g.accepted('sim-late-1');
    const other = await g.accepted('sim-late-2');
    // Its id is taken now, but its transaction commits only after another change was streamed.
    const lateId = newId();
    await sleep(5);
    const c = await connect();
    await g.report(server.base, { id: 'sim-late-2', status: 'delivered' });
    const position = await c.waitForEvent((d) => d.messageId === other.id);
    expect(lateId < position.id!).toBe(true);
    await t.db.kysely
      .updateTable('messages')
      .set({ status: 'delivered' })
      .where('id', '=', early.id)
      .execute();
    await g.f.insertEvent(early.id, {
      id: lateId,
      from_status: 'accepted',
      to_status: 'delivered',
      source: 'dlr',
    });
    await publishStatusChanges({
      db: t.db.kysely,
      bus: t.bus,
      clock: t.clock,
      changes: [
        {
          eventId: lateId,
          messageId: early.id,
          orgUnitId: admin.orgUnitId,
          batchId: null,
          from: 'accepted',
          to: 'delivered',
          applied: true,
          at: NOW,
        },
      ],
    });
    const late = await c.waitForEvent((d) => d.eventId === lateId);
    // The SSE id stays at the position, so a reconnect does not go back and repeat what was sent.
    expect(late.id).toBe(position.id);
    await sleep(1500); // a heartbeat re-reads the overlap window: still exactly once
    expect(c.events().filter((e) => e.data.eventId === lateId)).toHaveLength(1);
    expect(c.events()).toHaveLength(2);
  });

  it('a late change arrives through its own wake-up, without waiting for a heartbeat', async () => {
    // A second app on the same database whose heartbeat is far away.
    const slow = createApp({
      db: t.db,
      config: loadConfig({ HERALD_LOG_LEVEL: 'silent', HERALD_EVENTS_HEARTBEAT_SECONDS: '120' }),
      clock: t.clock,
      logger: silentLogger,
      metrics: createMetrics({ defaults: false }),
      bus: t.bus,
    });
    const slowServer = await listen(slow.fetch);
    try {
      const early = await g.accepted('sim-hint-1');
      const other = await g.accepted('sim-hint-2');
      const lateId = newId();
      await sleep(5);
      const c = await connectSse(`${slowServer.base}/api/events`, { cookie: admin.session.cookie });
      clients.push(c);
      await g.report(server.base, { id: 'sim-hint-2', status: 'delivered' });
      await c.waitForEvent((d) => d.messageId === other.id);
      await g.f.insertEvent(early.id, {
        id: lateId,
        from_status: 'accepted',
        to_status: 'sent',
        source: 'dlr',
      });
      await publishStatusChanges({
        db: t.db.kysely,
        bus: t.bus,
        clock: t.clock,
        changes: [
          {
            eventId: lateId,
            messageId: early.id,
            orgUnitId: admin.orgUnitId,
            batchId: null,
            from: 'accepted',
            to: 'sent',
            applied: true,
            at: NOW,
          },
        ],
      });
      await c.waitForEvent((d) => d.eventId === lateId, 2000);
    } finally {
      for (const c of clients.splice(0)) await c.close();
      await slowServer.close();
    }
  });

  it('a change whose wake-up was lost arrives with the next heartbeat', async () => {
    const m = await g.accepted('sim-lost');
    const c = await connect();
    // Past the stream's first reads: from now on only a heartbeat's re-check can find the row.
    await c.waitFor((f) => f.comments.includes('heartbeat'));
    const heartbeats = () => c.frames.filter((f) => f.comments.includes('heartbeat')).length;
    const before = heartbeats();
    await g.f.insertEvent(m.id, { from_status: 'accepted', to_status: 'sent', source: 'dlr' }); // nobody publishes
    const e = await c.waitForEvent((d) => d.messageId === m.id, 3000);
    expect(e.data).toMatchObject({ to: 'sent' });
    expect(heartbeats()).toBeGreaterThan(before);
  });

  it('a stream that starts sends nothing from before it started', async () => {
    const m = await g.accepted('sim-before');
    await g.report(server.base, { id: 'sim-before', status: 'delivered' });
    const c = await connect();
    await sleep(1300); // past a heartbeat re-check
    expect(c.events()).toEqual([]);
    expect((await eventRowOf(m.id)).to_status).toBe('delivered');
  });

  it('ends cleanly: the subscription is dropped when the client goes away, and streams end when the bus closes', async () => {
    let active = 0;
    const subscribe = t.bus.subscribe.bind(t.bus);
    t.bus.subscribe = (handler) => {
      active++;
      const off = subscribe(handler);
      return () => {
        active--;
        off();
      };
    };
    const c = await connect();
    expect(active).toBe(1);
    await c.close();
    const deadline = Date.now() + 2000;
    while (active > 0 && Date.now() < deadline) await sleep(10);
    expect(active).toBe(0);

    const d = await connect();
    await t.bus.close();
    const end = Date.now() + 2000;
    while (!d.ended() && Date.now() < end) await sleep(10);
    expect(d.ended()).toBe(true);
  });

  it('an unusable Last-Event-ID says reset and streams on from now', async () => {
    const c = await connect({ cookie: admin.session.cookie, 'last-event-id': 'not-an-id' });
    const reset = await c.waitForEvent((d) => d.reason !== undefined);
    expect(reset).toMatchObject({ event: 'reset', data: { reason: 'unknown_resume_point' } });
    const old = await connect({
      cookie: admin.session.cookie,
      'last-event-id': '01890000-0000-7000-8000-000000000000', // 2023: older than a day
    });
    expect((await old.waitForEvent((d) => d.reason !== undefined)).data).toEqual({
      reason: 'resume_point_too_old',
    });
    // A resume point in the future would silence the stream: it is treated as unknown, and news flow.
    const future = await connect({
      cookie: admin.session.cookie,
      'last-event-id': 'ffffffff-ffff-7fff-bfff-ffffffffffff',
    });
    expect((await future.waitForEvent((d) => d.reason !== undefined)).data).toEqual({
      reason: 'unknown_resume_point',
    });
    const m = await g.accepted('sim-future');
    await g.report(server.base, { id: 'sim-future', status: 'delivered' });
    await future.waitForEvent((d) => d.messageId === m.id);
  });

  it('ends a stream after its maximum duration (the client reconnects and is authenticated again)', async () => {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const stream = new SSEStreamingApi(writable, readable);
    const text = (async () => {
      let out = '';
      const reader = stream.responseReadable.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return out;
        out += new TextDecoder().decode(value);
      }
    })();
    const started = Date.now();
    await runLiveStream(stream, {
      db: t.db.kysely,
      bus: t.bus,
      scope: { all: true },
      logger: silentLogger,
      lastEventId: undefined,
      heartbeatMs: 60_000,
      maxDurationMs: 300,
    });
    await stream.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await text).toMatch(/^retry: 2000\n\n: ready\n\n$/);
  });

  it('needs a caller who may read messages', async () => {
    const anonymous = await connectSse(`${server.base}/api/events`);
    expect(anonymous.res.status).toBe(401);
    const keyRes = await t.request('/api/api-keys', {
      method: 'POST',
      headers: admin.headers,
      json: { name: 'sender only', permissions: ['messages.send'], orgUnitIds: [admin.orgUnitId] },
    });
    const { key } = (await keyRes.json()) as { key: string };
    const denied = await connectSse(`${server.base}/api/events`, { authorization: `Bearer ${key}` });
    expect(denied.res.status).toBe(403);
    expect(((await denied.res.json()) as Json).code).toBe('auth.forbidden');
  });
});

describe.each(TEST_DIALECTS)('herald serve with live streams on %s', (dialect) => {
  it('serves the stream, and stopping the server ends it instead of waiting for it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-events-serve-'));
    const pg = dialect === 'postgres' ? await createTestDb('postgres') : undefined;
    try {
      let databaseUrl = '';
      if (pg) {
        const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(pg.kysely);
        databaseUrl = withDatabase(pgUrl!, rows[0]!.name);
      }
      const running = await startServer(
        loadConfig({
          HERALD_DATA_DIR: dir,
          HERALD_DATABASE_URL: databaseUrl,
          HERALD_PORT: '0',
          HERALD_LOG_LEVEL: 'silent',
        }),
        { logger: silentLogger },
      );
      let stopped = false;
      try {
        const setup = await fetch(`${running.url}/api/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            ...ADMIN,
            orgUnit: { name: 'Head Office', defaultRegion: 'DE', timezone: 'Europe/Berlin' },
          }),
        });
        expect(setup.status).toBe(201);
        const login = await fetch(`${running.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
        });
        const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
        const c = await connectSse(`${running.url}/api/events`, { cookie });
        if (dialect === 'postgres') {
          // The PostgreSQL bus was chosen: its listener connection is there.
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
            where application_name = 'herald-events' and datname = current_database()`.execute(pg!.kysely);
          expect(rows[0]!.n).toBe(1);
        }
        const started = Date.now();
        await running.stop();
        stopped = true;
        expect(Date.now() - started).toBeLessThan(3000);
        await c.done;
        expect(c.ended()).toBe(true);
      } finally {
        if (!stopped) await running.stop();
      }
    } finally {
      await pg?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NOTIFY payloads', () => {
  it('pack many events into payloads under the PostgreSQL limit, none lost, in order', () => {
    const events: HeraldEvent[] = Array.from({ length: 300 }, (_, i) => ({
      type: 'message.status',
      eventId: newId(),
      messageId: newId(),
      orgUnitId: newId(),
      batchId: i % 2 ? newId() : null,
      from: 'accepted',
      to: 'delivered',
      applied: true,
      at: NOW,
    }));
    const payloads = packPayloads('origin', events);
    expect(payloads.length).toBeGreaterThan(5);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_NOTIFY_BYTES);
    const back = payloads.flatMap((p) => (JSON.parse(p) as { o: string; e: HeraldEvent[] }).e);
    expect(back).toEqual(events);
  });
});

// LISTEN/NOTIFY exists only on PostgreSQL; without HERALD_TEST_POSTGRES_URL the global setup prints the skip line.
describe.skipIf(!pgUrl)('live status across processes (PostgreSQL LISTEN/NOTIFY)', () => {
  /** One Herald API process: its own pool, its own bus, the same database. */
  const instance = async (db: Db, bus: EventBus) => {
    const app = createApp({
      db,
      // A heartbeat far away: whatever arrives within seconds came through NOTIFY, not a re-check.
      config: loadConfig({ HERALD_LOG_LEVEL: 'silent', HERALD_EVENTS_HEARTBEAT_SECONDS: '120' }),
      clock: fixedClock(NOW),
      logger: silentLogger,
      metrics: createMetrics({ defaults: false }),
      bus,
    });
    const request = (path: string, init: RequestInit = {}) => app.request(path, init);
    return { app, request };
  };
  let first: Db;
  let second: Db;
  let busA: PostgresEventBus;
  let busB: PostgresEventBus;
  let url: string;
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  const clients: Awaited<ReturnType<typeof connectSse>>[] = [];
  beforeEach(async () => {
    first = await createTestDb('postgres');
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(first.kysely);
    url = withDatabase(pgUrl!, rows[0]!.name);
    second = openDb({ kind: 'postgres', url, poolSize: 2 });
    busA = createPostgresBus({ db: first.kysely, url, backoff: { initialMs: 50, maxMs: 200 } });
    busB = createPostgresBus({ db: second.kysely, url, listen: false });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
    await server?.close();
    await busA.close();
    await busB.close();
    await second.close();
    await first.close();
  });

  const setup = async () => {
    const a = await instance(first, busA);
    const b = await instance(second, busB);
    const res = await a.request('/api/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...ADMIN,
        orgUnit: { name: 'Head Office', defaultRegion: 'DE', timezone: 'Europe/Berlin' },
      }),
    });
    const { orgUnitId } = (await res.json()) as { orgUnitId: string };
    const login = await b.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    server = await listen(a.app.fetch);
    await busA.ready();
    const c = await connectSse(`${server.base}/api/events`, { cookie });
    clients.push(c);
    return { a, b, orgUnitId, c, g: gatewayFixture(second.kysely, orgUnitId) };
  };

  it('a change made in another process (other pool, other bus) reaches a stream served by this one', async () => {
    const { b, c, g } = await setup();
    const m = await g.accepted('sim-x1');
    const seenByA: HeraldEvent[] = [];
    busA.subscribe((e) => seenByA.push(e));
    // The delivery report is handled by the second instance (as a worker or another API node would).
    await g.report((path, init) => b.request(path, init), { id: 'sim-x1', status: 'delivered' });
    const e = await c.waitForEvent((d) => d.messageId === m.id, 3000);
    expect(e.data).toMatchObject({ from: 'accepted', to: 'delivered', applied: true });
    expect(seenByA).toEqual([expect.objectContaining({ type: 'message.status', messageId: m.id })]);
  });

  it('the listener reconnects when its connection is killed, and events flow again', async () => {
    const { b, c, g } = await setup();
    const before = await g.accepted('sim-k1');
    const after = await g.accepted('sim-k2');
    await g.report((path, init) => b.request(path, init), { id: 'sim-k1', status: 'delivered' });
    await c.waitForEvent((d) => d.messageId === before.id, 3000);
    const listenerPid = async () =>
      (
        await sql<{ pid: number }>`select pid from pg_stat_activity
          where application_name = 'herald-events' and datname = current_database()`.execute(second.kysely)
      ).rows.map((r) => r.pid);
    const [old] = await listenerPid();
    expect(old).toBeDefined();
    await sql`select pg_terminate_backend(${old})`.execute(second.kysely);
    const deadline = Date.now() + 5000;
    for (;;) {
      const pids = await listenerPid();
      if (pids.length === 1 && pids[0] !== old) break;
      if (Date.now() > deadline) throw new Error('the listener did not reconnect');
      await sleep(25);
    }
    await sleep(50); // LISTEN follows the connect
    await g.report((path, init) => b.request(path, init), { id: 'sim-k2', status: 'delivered' });
    await c.waitForEvent((d) => d.messageId === after.id, 3000);
  });
});
