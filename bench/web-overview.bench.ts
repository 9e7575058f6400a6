/**
 * The messages overview in a real browser (Debian's Chromium, headless) against a real `herald serve`
 * (SQLite file) holding 1,000,000 messages of the user's org unit:
 *
 * 1. first render — from navigation to the first row on screen (`/messages`, a fresh tab: the app's
 *    requests for the session, org units and the first page), 1 cold + 15 warm loads; reference: the
 *    first page's API request alone (GET /api/messages, the same query) timed from Node in this run.
 *    Goal: ≤ 1 s.
 * 2. report to screen — 1,000 delivery reports (the simulator's signed callback, 25 per second) for
 *    1,000 `accepted` messages shown in the overview (20 pages loaded); from the POST leaving Node to
 *    the row's status changing in the page (a MutationObserver timestamps it). Reference: the same
 *    report to the `message.status` event arriving on a Node SSE client of /api/events (the server's
 *    part). Goal: p95 ≤ 500 ms.
 *
 * Run: npm run bench -- web-overview   (building the database takes about a minute)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { migrateToLatest, openDb } from '../src/db/db.js';
import { completeSetup } from '../src/modules/auth/auth.usecases.js';
import {
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorReport,
} from '../src/providers/simulator/simulator.provider.js';
import { startServer } from '../src/start.js';
import { buildWebApp, freePort, haveChromium, launchChromium } from '../test/web-support.js';

/** HERALD_BENCH_MESSAGES=… for a quicker look; the figures count only with the default. */
const MESSAGES = Number(process.env.HERALD_BENCH_MESSAGES ?? 1_000_000);
const REPORTS = 1_000;
const REPORTS_PER_SECOND = 25;
const WARM_LOADS = 15;
const ADMIN = { name: 'Bench Admin', email: 'bench@example.com', password: 'bench password 123' };

const now = () => performance.timeOrigin + performance.now();
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1))]!;
};
const idAt = (ms: number, seq: number) => {
  const hex = ms.toString(16).padStart(12, '0');
  const s = seq.toString(16).padStart(15, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${s.slice(0, 3)}-8${s.slice(3, 6)}-${s.slice(3, 15)}`;
};

/** A migrated SQLite file with the first administrator, 1,000,000 final messages and 1,000 accepted ones. */
async function buildDatabase(file: string) {
  const db = openDb({ kind: 'sqlite', file });
  await migrateToLatest(db);
  const { orgUnitId } = await completeSetup({
    db: db.kysely,
    clock: systemClock,
    input: { ...ADMIN, orgUnit: { name: 'Head Office', defaultRegion: 'DE', timezone: 'Europe/Berlin' } },
  });
  const account = await db.kysely
    .selectFrom('provider_accounts')
    .select(['id', 'callback_token'])
    .executeTakeFirstOrThrow();
  await db.close();

  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  const insert = raw.prepare(
    `insert into messages (id, org_unit_id, to_input, to_e164, body, encoding, parts, characters, category, status,
       status_reason, provider_account_id, gateway_message_id, attempts, expires_at, created_by_type, created_by_id,
       created_at, updated_at, submitted_at, final_at)
     values (?, ?, ?, ?, ?, 'GSM-7', 1, ?, 'transactional', ?, ?, ?, ?, 1, ?, 'user', 'u', ?, ?, ?, ?)`,
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  const start = Date.now() - 60 * 86_400_000;
  const statuses = ['delivered', 'delivered', 'delivered', 'delivered', 'undelivered', 'failed', 'blocked'];
  const CHUNK = 50_000;
  for (let c = 0; c < MESSAGES; c += CHUNK) {
    raw.transaction(() => {
      for (let i = c; i < Math.min(MESSAGES, c + CHUNK); i++) {
        const ms = start + Math.floor((i / MESSAGES) * 59 * 86_400_000);
        const phone = `+49151${String(10_000_000 + ((i * 7919) % 9_000_000)).slice(-8)}`;
        const body = `Your order ${100_000 + i} has shipped and arrives tomorrow.`;
        const status = statuses[i % statuses.length]!;
        insert.run(
          idAt(ms, i % 4096),
          orgUnitId,
          phone,
          phone,
          body,
          body.length,
          status,
          status === 'blocked' ? 'no_consent' : null,
          status === 'blocked' ? null : account.id,
          status === 'blocked' ? null : `old${i.toString(16)}`,
          iso(ms + 48 * 3_600_000),
          iso(ms),
          iso(ms),
          status === 'blocked' ? null : iso(ms + 2_000),
          iso(ms + 10_000),
        );
      }
    })();
  }
  // The newest: 1,000 accepted messages waiting for their delivery reports.
  const targets: { id: string; gatewayId: string }[] = [];
  const fresh = Date.now() - 60_000;
  raw.transaction(() => {
    for (let i = 0; i < REPORTS; i++) {
      const id = idAt(fresh + i, 0);
      const gatewayId = `sim${(0xa000000 + i).toString(16)}`;
      const phone = `+49160${String(10_000_000 + i).slice(-8)}`;
      const body = `Your appointment ${i} is confirmed.`;
      insert.run(
        id,
        orgUnitId,
        phone,
        phone,
        body,
        body.length,
        'accepted',
        null,
        account.id,
        gatewayId,
        iso(fresh + 48 * 3_600_000),
        iso(fresh + i),
        iso(fresh + i),
        iso(fresh + i + 500),
        null,
      );
      targets.push({ id, gatewayId });
    }
  })();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.exec('analyze');
  raw.close();
  return { orgUnitId, callbackToken: account.callback_token, targets };
}

async function login(url: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  });
  return res.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
}

/** A Node SSE client: arrival time of each applied `message.status` event, by message id. */
function listenForEvents(url: string, session: string) {
  const arrivals = new Map<string, number>();
  const controller = new AbortController();
  const ready = (async () => {
    const res = await fetch(`${url}/api/events`, {
      headers: { cookie: `herald_session=${session}` },
      signal: controller.signal,
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let resolveReady: () => void = () => {};
    const isReady = new Promise<void>((r) => {
      resolveReady = r;
    });
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let cut = buffer.indexOf('\n\n');
          while (cut >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (block.startsWith(': ready')) resolveReady();
            if (block.includes('event: message.status')) {
              const line = block.split('\n').find((l) => l.startsWith('data: '));
              const data = JSON.parse(line!.slice(6)) as { messageId: string; applied: boolean };
              if (data.applied && !arrivals.has(data.messageId)) arrivals.set(data.messageId, now());
            }
            cut = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // aborted at the end
      }
    })();
    await Promise.race([isReady, new Promise((r) => setTimeout(r, 2_000))]);
  })();
  return { arrivals, ready, close: () => controller.abort() };
}

/** Records, in the page, when each row's data-status first changes (epoch ms, sub-ms resolution). */
async function watchRows(page: Page) {
  await page.evaluate(() => {
    const changes: Record<string, number> = {};
    const arrived: Record<string, number> = {};
    const w = window as unknown as { __changes: Record<string, number>; __arrived: Record<string, number> };
    w.__changes = changes;
    w.__arrived = arrived;
    // A second stream in the page: when the event reaches the browser, before the app handles it.
    new EventSource('/api/events').addEventListener('message.status', (e) => {
      const t = performance.timeOrigin + performance.now();
      const d = JSON.parse((e as MessageEvent<string>).data) as { messageId: string; applied: boolean };
      if (d.applied && arrived[d.messageId] === undefined) arrived[d.messageId] = t;
    });
    new MutationObserver((records) => {
      const t = performance.timeOrigin + performance.now();
      for (const r of records) {
        const id = (r.target as HTMLElement).dataset.id;
        if (id && changes[id] === undefined) changes[id] = t;
      }
    }).observe(document.querySelector('[data-testid=messages-table] tbody')!, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-status'],
    });
  });
}

export async function run() {
  if (!haveChromium) {
    console.log('skipped: /usr/bin/chromium is not installed');
    return [];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-web-'));
  const file = path.join(dir, 'herald.db');
  const built = Date.now();
  const [{ orgUnitId, callbackToken, targets }] = await Promise.all([buildDatabase(file), buildWebApp()]);
  console.log(
    `database with ${MESSAGES + REPORTS} messages built in ${((Date.now() - built) / 1000).toFixed(0)} s`,
  );

  const port = await freePort();
  const server = await startServer(
    loadConfig({
      HERALD_DATA_DIR: dir,
      HERALD_HOST: '127.0.0.1',
      HERALD_PORT: String(port),
      HERALD_PUBLIC_URL: `http://127.0.0.1:${port}`,
      HERALD_LOG_LEVEL: 'silent',
    }),
    { logger: silentLogger },
  );
  const browser = await launchChromium();
  const rows: Record<string, string | number>[] = [];
  try {
    const session = await login(server.url);
    await browser.context.addCookies([{ name: 'herald_session', value: session, url: server.url }]);

    // 1. First render.
    const apiTimes: number[] = [];
    for (let i = 0; i < WARM_LOADS; i++) {
      const t0 = now();
      const res = await fetch(`${server.url}/api/messages?limit=50&sort=-createdAt&orgUnitId=${orgUnitId}`, {
        headers: { cookie: `herald_session=${session}` },
      });
      await res.json();
      apiTimes.push(now() - t0);
    }
    const page = await browser.newPage();
    const renders: number[] = [];
    for (let i = 0; i <= WARM_LOADS; i++) {
      await page.goto(`${server.url}/messages`);
      await page.locator('[data-testid=messages-table] tbody tr').first().waitFor({ timeout: 30_000 });
      // Navigation start → first row in the DOM (performance.now() counts from the navigation).
      renders.push(await page.evaluate(() => performance.now()));
    }
    const [cold, ...warm] = renders;
    rows.push({
      case: 'first render of the overview (1M messages), cold',
      'p50 (ms)': cold!.toFixed(0),
      'p95 (ms)': cold!.toFixed(0),
      'reference p50 (ms)': percentile(apiTimes, 50).toFixed(1),
      'reference p95 (ms)': percentile(apiTimes, 95).toFixed(1),
      goal: '≤ 1000',
      result: cold! <= 1000 ? 'PASS' : 'FAIL',
    });
    rows.push({
      case: `first render, warm (${WARM_LOADS} loads)`,
      'p50 (ms)': percentile(warm, 50).toFixed(0),
      'p95 (ms)': percentile(warm, 95).toFixed(0),
      'reference p50 (ms)': percentile(apiTimes, 50).toFixed(1),
      'reference p95 (ms)': percentile(apiTimes, 95).toFixed(1),
      goal: '≤ 1000',
      result: percentile(warm, 95) <= 1000 ? 'PASS' : 'FAIL',
    });

    // 2. Report to screen: all 1,000 accepted rows on screen (20 pages).
    const table = page.locator('[data-testid=messages-table] tbody tr');
    while ((await table.count()) < REPORTS) {
      const before = await table.count();
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=messages-table] tbody tr').length > n,
        before,
      );
    }
    await page.getByText('Live updates on').first().waitFor();
    await watchRows(page);
    const sse = listenForEvents(server.url, session);
    await sse.ready;

    // HERALD_BENCH_PROFILE=file.cpuprofile: a CPU profile of the page while the reports arrive.
    const profileTo = process.env.HERALD_BENCH_PROFILE;
    const cdp = profileTo ? await browser.context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    const sentAt = new Map<string, number>();
    const callback = `${server.url}/api/callbacks/${callbackToken}`;
    const t0 = now();
    const posts: Promise<unknown>[] = [];
    for (const [i, target] of targets.entries()) {
      const due = t0 + (i * 1000) / REPORTS_PER_SECOND;
      const wait = due - now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = JSON.stringify({
        id: target.gatewayId,
        status: 'delivered',
        at: new Date().toISOString(),
      });
      sentAt.set(target.id, now());
      posts.push(
        fetch(callback, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, callbackToken),
          },
          body,
        }).then((r) => r.arrayBuffer()),
      );
    }
    await Promise.all(posts);
    await page.waitForFunction(
      (n) => Object.keys((window as unknown as { __changes: object }).__changes).length >= n,
      REPORTS,
      { timeout: 60_000 },
    );
    const { changes, arrived } = await page.evaluate(() => {
      const w = window as unknown as { __changes: Record<string, number>; __arrived: Record<string, number> };
      return { changes: w.__changes, arrived: w.__arrived };
    });
    const inBrowser = targets
      .filter((tg) => arrived[tg.id])
      .map((tg) => arrived[tg.id]! - sentAt.get(tg.id)!);
    console.log(
      `event reached the page: p50 ${percentile(inBrowser, 50).toFixed(0)} ms, p95 ${percentile(inBrowser, 95).toFixed(0)} ms (${inBrowser.length} seen)`,
    );
    sse.close();
    if (cdp && profileTo) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.writeFileSync(profileTo, JSON.stringify(profile));
    }
    const screen = targets.map((tg) => changes[tg.id]! - sentAt.get(tg.id)!);
    const server_ = targets
      .filter((tg) => sse.arrivals.has(tg.id))
      .map((tg) => sse.arrivals.get(tg.id)! - sentAt.get(tg.id)!);
    rows.push({
      case: `delivery report → row changed in the browser (${REPORTS}, ${REPORTS_PER_SECOND}/s)`,
      'p50 (ms)': percentile(screen, 50).toFixed(0),
      'p95 (ms)': percentile(screen, 95).toFixed(0),
      'reference p50 (ms)': percentile(server_, 50).toFixed(1),
      'reference p95 (ms)': percentile(server_, 95).toFixed(1),
      goal: 'p95 ≤ 500',
      result: percentile(screen, 95) <= 500 ? 'PASS' : 'FAIL',
    });
    console.log('reference: first render → the API request for the first page alone (from Node);');
    console.log(
      `report to screen → the same report to the SSE event on a Node client (${server_.length} seen).`,
    );
    console.table(rows);
    return rows;
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run();
  process.exitCode = rows.every((r) => r.result === 'PASS') ? 0 : 1;
}
