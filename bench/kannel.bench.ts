/**
 * Herald next to Kannel on the same load (issue 4, "Figures"). Both run on this machine, every
 * server on 127.0.0.1 only, from a temp directory with generated config files:
 *
 * - Kannel: Debian's bearerbox + smsbox with `fakesmsc` as the SMSC (`kannel`, `kannel-extras`),
 *   bearerbox's message store on (`store-type = file`), DLRs in memory;
 * - Herald: `herald serve` in a child process (so its memory is its own and the load client does
 *   not share its event loop) on a fresh SQLite file, set up through the API like a new install,
 *   its default Simulator gateway made instant (no latency, all accepted, all delivered, reports
 *   at once, 10,000 messages per second).
 *
 * Scenarios:
 * 1. accept throughput — Herald's `POST /api/messages` vs Kannel's `GET /cgi-bin/sendsms`, the same
 *    client at the same concurrency (8 and 32), 20,000 messages each side per level.
 *    Goal: Herald at least as fast as Kannel.
 * 2. full loop — submit → gateway on loopback → delivery report → final status stored, N = 5,000.
 *    Kannel: sendsms with `dlr-mask=31` and `dlr-url` pointing at a local receiver; done when every
 *    message's final report arrived (fakesmsc: type 8 "SMSC accepted", then type 1 "delivered").
 *    Herald: done when every message is `delivered` in the database.
 *    Goal: Herald at least 2× Kannel. Skipped (said so, no figures) while `herald serve` runs no
 *    dispatch worker.
 *
 * 3. storage floor (a reference, not a side) — after both sides are idle, the SQL statements of one
 *    message's life run straight on better-sqlite3 on the real schema (kannel/storage-floor.ts): SQLite
 *    has one writer, so 1,000,000 / their µs per message bounds Herald's full loop on this machine.
 *    Printed beside the full loop's goal in msgs/s.
 * 4. HTTP floor (a reference) — a bare node:http server answering the same POST under the same client
 *    (kannel/http-floor.ts): the CPU one round trip costs here before any work of Herald's. With the
 *    storage floor it says how much CPU per message the full-loop goal leaves for Herald's own code.
 *
 * Run: npx tsx bench/kannel.bench.ts [--quick] [--accept-n=20000] [--full-loop-n=5000] [--keep]
 *      (or `npm run bench -- kannel`; BENCH_QUICK=1 for the smoke run there)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { missingKannelBinaries, type RunningKannel, startKannel } from '../test/helpers/kannel-peer.js';
import { stopAll, stopAllOnSignals } from '../test/helpers/kannel-processes.js';
import { startDlrReceiver } from './kannel/dlr-receiver.js';
import { FAST_SIMULATOR_SETTINGS, type RunningHerald, startHerald } from './kannel/herald.js';
import { type HttpFloor, measureHttpFloor } from './kannel/http-floor.js';
import { type LoadRequest, type LoadResult, runLoad } from './kannel/load.js';
import { type PeakRss, watchPeakRss } from './kannel/memory.js';
import { summarize } from './kannel/stats.js';
import { measureStorageFloor, type StorageFloor } from './kannel/storage-floor.js';

export interface KannelBenchOptions {
  /** Messages per side and concurrency level in the accept scenario (default 20,000; --quick 2,000). */
  acceptN: number;
  /** Messages per side in the full loop (default 5,000; --quick 2,000). */
  fullLoopN: number;
  /** Concurrency levels of the accept scenario. */
  concurrencies: number[];
  /** Concurrency of the full loop's submits. */
  fullLoopConcurrency: number;
  /** Unmeasured requests per side before the first measurement. */
  warmup: number;
  /** Keep the temp directory (configs, logs, database) for a look afterwards. */
  keep: boolean;
}

export interface SideResult {
  scenario: 'accept' | 'full loop';
  side: 'Kannel' | 'Herald';
  concurrency: number;
  messages: number;
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  peak: PeakRss;
}

export interface Verdict {
  scenario: string;
  /** Herald msgs/s ÷ Kannel msgs/s; undefined when a side was skipped. */
  ratio: number | undefined;
  goal: number;
  result: 'PASS' | 'FAIL' | 'SKIPPED';
}

export interface KannelBenchReport {
  results: SideResult[];
  verdicts: Verdict[];
  /** The SQL of the full loop alone, on one thread (kannel/storage-floor.ts); measured after both sides. */
  floor?: StorageFloor;
  /** A bare node:http server under the same client (kannel/http-floor.ts); measured last. */
  httpFloor?: HttpFloor;
  notes: string[];
}

const ACCEPT_GOAL = 1;
const FULL_LOOP_GOAL = 2;
const TEXT = 'Your order 4711 has shipped and arrives tomorrow.';
/** A valid German mobile number per message, the same list for both sides. */
const numberFor = (i: number) => `+49151${String(10_000_000 + (i % 90_000_000))}`;

export function parseOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): KannelBenchOptions {
  const quick = argv.includes('--quick') || env.BENCH_QUICK === '1';
  const num = (name: string, fallback: number) => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    if (!arg) return fallback;
    const n = Number(arg.slice(name.length + 3));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} expects a positive whole number`);
    return n;
  };
  return {
    acceptN: num('accept-n', quick ? 2_000 : 20_000),
    fullLoopN: num('full-loop-n', quick ? 2_000 : 5_000),
    concurrencies: [8, 32],
    fullLoopConcurrency: 32,
    warmup: quick ? 200 : 1_000,
    keep: argv.includes('--keep'),
  };
}

function assertAllOk(what: string, load: LoadResult): void {
  if (load.failed === 0) return;
  throw new Error(
    `${what}: ${load.failed} of ${load.sent} requests refused, e.g. ${JSON.stringify(load.failures)}`,
  );
}

const kannelSendsms = (k: RunningKannel, i: number, dlrUrl?: string): LoadRequest => {
  const q = new URLSearchParams({ username: k.username, password: k.password, to: numberFor(i), text: TEXT });
  if (dlrUrl) {
    // 1 delivered, 2 undelivered, 4 buffered, 8 SMSC accepted, 16 SMSC rejected: ask for all of them.
    q.set('dlr-mask', '31');
    q.set('dlr-url', dlrUrl);
  }
  return { method: 'GET', path: `/cgi-bin/sendsms?${q}` };
};
const kannelAccepted = (status: number, body: string) => status === 202 && body.startsWith('0: Accepted');

const heraldSend = (h: RunningHerald, i: number): LoadRequest => ({
  method: 'POST',
  path: '/api/messages',
  headers: { authorization: `Bearer ${h.apiKey}`, 'content-type': 'application/json' },
  body: JSON.stringify({ orgUnitId: h.orgUnitId, to: numberFor(i), text: TEXT }),
});
const heraldAccepted = (status: number, body: string) => status === 201 && body.includes('"status":"queued"');

/** Herald is idle when nothing is queued or in flight, or (no worker) when that count stops moving. */
async function heraldIdle(h: RunningHerald, timeoutMs: number): Promise<void> {
  const pending = () => {
    const c = h.countByStatus();
    return (c.queued ?? 0) + (c.sending ?? 0);
  };
  const end = Date.now() + timeoutMs;
  let last = pending();
  let stableSince = Date.now();
  while (last > 0 && Date.now() - stableSince < 2_000 && Date.now() < end) {
    await sleep(100);
    const now = pending();
    if (now !== last) stableSince = Date.now();
    last = now;
  }
}

function sideResult(
  scenario: SideResult['scenario'],
  side: SideResult['side'],
  concurrency: number,
  messages: number,
  elapsedMs: number,
  latencies: ArrayLike<number>,
  peak: PeakRss,
): SideResult {
  const { p50, p99 } = summarize(latencies);
  return {
    scenario,
    side,
    concurrency,
    messages,
    msgsPerSec: (messages * 1000) / elapsedMs,
    p50Ms: p50,
    p99Ms: p99,
    peak,
  };
}

/** Before a measured run both sides finish what the last run left (the other side's backlog would steal CPU). */
async function bothIdle(k: RunningKannel, h: RunningHerald): Promise<void> {
  await k.waitIdle(600_000);
  await heraldIdle(h, 600_000);
}

async function acceptKannel(k: RunningKannel, n: number, concurrency: number, offset: number) {
  const watch = watchPeakRss([k.bearerbox, k.smsbox]);
  const load = await runLoad({
    port: k.ports.sendsms,
    concurrency,
    total: n,
    request: (i) => kannelSendsms(k, offset + i),
    accept: kannelAccepted,
  });
  const peak = watch.stop();
  assertAllOk(`Kannel sendsms at concurrency ${concurrency}`, load);
  return sideResult('accept', 'Kannel', concurrency, n, load.elapsedMs, load.latenciesMs, peak);
}

async function acceptHerald(h: RunningHerald, n: number, concurrency: number, offset: number) {
  const watch = watchPeakRss([h.process]);
  const load = await runLoad({
    port: h.port,
    concurrency,
    total: n,
    request: (i) => heraldSend(h, offset + i),
    accept: heraldAccepted,
  });
  const peak = watch.stop();
  assertAllOk(`Herald POST /api/messages at concurrency ${concurrency}`, load);
  return sideResult('accept', 'Herald', concurrency, n, load.elapsedMs, load.latenciesMs, peak);
}

async function fullLoopKannel(k: RunningKannel, n: number, concurrency: number, offset: number) {
  const dlr = await startDlrReceiver(n);
  try {
    const watch = watchPeakRss([k.bearerbox, k.smsbox]);
    const start = performance.now();
    const load = await runLoad({
      port: k.ports.sendsms,
      concurrency,
      total: n,
      request: (i) => kannelSendsms(k, offset + i, dlr.urlFor(i)),
      accept: kannelAccepted,
    });
    assertAllOk('Kannel sendsms with dlr-url', load);
    await dlr.waitForFinals(n, 120_000 + n * 20);
    const elapsed = dlr.finalAt.reduce((a, b) => Math.max(a, b), 0) - start;
    const peak = watch.stop();
    const latencies = Array.from(dlr.finalAt, (t, i) => t - load.startedAt[i]!);
    return {
      result: sideResult('full loop', 'Kannel', concurrency, n, elapsed, latencies, peak),
      dlrTypes: new Map(dlr.types),
    };
  } finally {
    await dlr.close();
  }
}

/** Whether `herald serve` runs a dispatch worker: a probe message must leave `queued` within 15 s. */
async function heraldHasWorker(h: RunningHerald): Promise<string | undefined> {
  if (!fs.existsSync(path.resolve(import.meta.dirname, '../src/dispatch'))) {
    return 'src/dispatch/ does not exist';
  }
  const before = h.countByStatus().delivered ?? 0;
  const probe = await runLoad({
    port: h.port,
    concurrency: 1,
    total: 1,
    request: () => heraldSend(h, 99_999_999),
    accept: heraldAccepted,
  });
  assertAllOk('Herald probe message', probe);
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    if ((h.countByStatus().delivered ?? 0) > before) return undefined;
    await sleep(100);
  }
  return 'herald serve did not deliver a probe message within 15 s';
}

async function fullLoopHerald(h: RunningHerald, n: number, concurrency: number, offset: number) {
  const before = h.countByStatus().delivered ?? 0;
  const watch = watchPeakRss([h.process]);
  const sinceIso = new Date(Date.now() - 1_000).toISOString();
  const ids: string[] = new Array(n);
  const start = performance.now();
  const load = await runLoad({
    port: h.port,
    concurrency,
    total: n,
    request: (i) => heraldSend(h, offset + i),
    accept: heraldAccepted,
    onAnswer: (i, status, body) => {
      if (status === 201) ids[i] = (JSON.parse(body) as { id: string }).id;
    },
  });
  assertAllOk('Herald POST /api/messages (full loop)', load);
  const end = Date.now() + 120_000 + n * 20;
  for (;;) {
    const delivered = (h.countByStatus().delivered ?? 0) - before;
    if (delivered >= n) break;
    if (Date.now() > end) throw new Error(`only ${delivered} of ${n} Herald messages delivered in time`);
    await sleep(20);
  }
  const peak = watch.stop();
  // final_at is Herald's wall clock; the client's start times are moved onto the same clock.
  const deliveredAt = h.deliveredAt(sinceIso);
  const finalAt = ids.map((id) => deliveredAt.get(id) ?? Number.NaN);
  if (finalAt.some(Number.isNaN)) throw new Error('a Herald message of the run is not delivered');
  const toEpoch = (t: number) => performance.timeOrigin + t;
  const latencies = finalAt.map((t, i) => t - toEpoch(load.startedAt[i]!));
  const elapsed = finalAt.reduce((a, b) => Math.max(a, b), 0) - toEpoch(start);
  return sideResult('full loop', 'Herald', concurrency, n, elapsed, latencies, peak);
}

function verdict(scenario: string, results: SideResult[], goal: number): Verdict {
  const kannel = results.find((r) => r.side === 'Kannel');
  const herald = results.find((r) => r.side === 'Herald');
  if (!kannel || !herald) return { scenario, ratio: undefined, goal, result: 'SKIPPED' };
  const ratio = herald.msgsPerSec / kannel.msgsPerSec;
  return { scenario, ratio, goal, result: ratio >= goal ? 'PASS' : 'FAIL' };
}

export async function run(options: KannelBenchOptions = parseOptions([])): Promise<KannelBenchReport> {
  const missing = missingKannelBinaries();
  if (missing.length > 0) {
    throw new KannelMissingError(missing);
  }
  stopAllOnSignals();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-kannel-'));
  // Also when a signal ends the run (the handlers in processes.ts stop the servers, then exit).
  const removeDir = () => {
    if (!options.keep) fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', removeDir);
  const results: SideResult[] = [];
  const verdicts: Verdict[] = [];
  const notes: string[] = [];
  let kannel: RunningKannel | undefined;
  let herald: RunningHerald | undefined;
  try {
    fs.mkdirSync(path.join(dir, 'kannel'));
    fs.mkdirSync(path.join(dir, 'herald'));
    kannel = await startKannel({ dir: path.join(dir, 'kannel'), store: true });
    herald = await startHerald({ dir: path.join(dir, 'herald') });
    let offset = 0;

    // Warm-up, unmeasured: Herald's JIT, both sides' connection pools and caches.
    await acceptKannel(kannel, options.warmup, 8, offset);
    await acceptHerald(herald, options.warmup, 8, offset);
    await bothIdle(kannel, herald);
    offset += options.warmup;

    // 1. Accept throughput. Both sides hand the accepted messages on to their SMSC meanwhile (bearerbox
    // to fakesmsc, Herald's worker to the simulator), and neither produces delivery reports: Kannel is
    // asked for none, the simulator reports none (noReportRate 1) until the full loop.
    // Who goes first alternates between levels, so drift hits both sides.
    await herald.patchSimulator({ noReportRate: 1 });
    for (const [level, concurrency] of options.concurrencies.entries()) {
      const pair: SideResult[] = [];
      const sides = [
        () => acceptKannel(kannel!, options.acceptN, concurrency, offset),
        () => acceptHerald(herald!, options.acceptN, concurrency, offset),
      ];
      for (const side of level % 2 === 0 ? sides : sides.reverse()) {
        await bothIdle(kannel, herald);
        pair.push(await side());
      }
      offset += options.acceptN;
      results.push(...pair);
      verdicts.push(verdict(`accept, concurrency ${concurrency}`, pair, ACCEPT_GOAL));
    }

    // 2. Full loop: every message reported, at once.
    await herald.patchSimulator({ noReportRate: 0 });
    const loop: SideResult[] = [];
    await bothIdle(kannel, herald);
    const k = await fullLoopKannel(kannel, options.fullLoopN, options.fullLoopConcurrency, offset);
    loop.push(k.result);
    const types = [...k.dlrTypes.entries()].map(([t, c]) => `type ${t}: ${c}`).join(', ');
    notes.push(
      `Kannel full loop: sendsms with dlr-mask=31 (every type) and a dlr-url to a local receiver; reports received by type: ${types}. ` +
        'fakesmsc acknowledges every submit, bearerbox then reports type 8 (accepted by the SMSC) and type 1 (delivered); ' +
        "a message's loop ends at its first final report (type 1, 2 or 16).",
    );
    const noWorker = await heraldHasWorker(herald);
    if (noWorker) {
      notes.push(`Herald full loop skipped: dispatch worker not available (${noWorker}).`);
    } else {
      await bothIdle(kannel, herald);
      loop.push(await fullLoopHerald(herald, options.fullLoopN, options.fullLoopConcurrency, offset));
    }
    results.push(...loop);
    verdicts.push(verdict(`full loop, N=${options.fullLoopN}`, loop, FULL_LOOP_GOAL));

    // 3. The storage floor, with both sides idle (their backlogs would steal the CPU it measures).
    await bothIdle(kannel, herald);
    const floor = await measureStorageFloor({ dir, n: options.fullLoopN });
    const cores = os.availableParallelism();
    const httpFloor = await measureHttpFloor({
      dir,
      total: Math.max(options.fullLoopN, 10_000),
      concurrency: options.fullLoopConcurrency,
      cores,
      request: (i) => heraldSend(herald!, offset + i),
    });
    const goalMsgsPerSec = k.result.msgsPerSec * FULL_LOOP_GOAL;
    const budgetUs = (cores * 1_000_000) / goalMsgsPerSec;
    notes.push(
      `Budget at the full-loop goal: ${fmt(goalMsgsPerSec, 0)} msgs/s on ${cores} cores is ${fmt(budgetUs, 0)} µs of CPU per message in all. ` +
        `The storage floor takes ${fmt(floor.totalUs, 0)} µs of it; a bare node:http server under the same client reached ${fmt(httpFloor.requestsPerSec, 0)} req/s, ` +
        `at least ${fmt(httpFloor.cpuUsPerRoundTrip, 0)} µs per round trip (client and server), and the loop makes two (the submit, the gateway's report). ` +
        `That leaves ${fmt(budgetUs - floor.totalUs - 2 * httpFloor.cpuUsPerRoundTrip, 0)} µs per message for everything else: all of Herald's own code on both threads, the simulator, and the load client's bookkeeping.`,
    );
    // The same for accepting: Kannel's faster level, one round trip, the SQL of accepting and of handing
    // the message on (both sides send what they accepted while the load runs).
    const kannelAccept = Math.max(
      ...results.filter((r) => r.scenario === 'accept' && r.side === 'Kannel').map((r) => r.msgsPerSec),
    );
    const acceptBudgetUs = (cores * 1_000_000) / (kannelAccept * ACCEPT_GOAL);
    const sendingUs =
      floor.phases.claim + floor.phases['rate slot'] + floor.phases['submit marker'] + floor.phases.outcome;
    notes.push(
      `Budget at the accept goal: Kannel's faster level, ${fmt(kannelAccept, 0)} msgs/s, is ${fmt(acceptBudgetUs, 0)} µs of CPU per message on ${cores} cores. ` +
        `Accepting one takes ${fmt(floor.phases.accept, 0)} µs of SQL and handing it on ${fmt(sendingUs, 0)} more (claim, rate slot, marker, outcome), plus one round trip of at least ${fmt(httpFloor.cpuUsPerRoundTrip, 0)} µs: ` +
        `${fmt(acceptBudgetUs - floor.phases.accept - sendingUs - httpFloor.cpuUsPerRoundTrip, 0)} µs per message are left for Herald's own code and the load client's bookkeeping.`,
    );
    notes.push(
      `Storage floor: the full loop's SQL alone (accept, claim, rate slot, submit marker, outcome, delivery report and batch completion; raw better-sqlite3, one thread, 16 units per transaction) takes ${fmt(floor.totalUs, 0)} µs per message, so SQLite's single writer allows at most ${fmt(floor.ceilingMsgsPerSec, 0)} msgs/s; the full-loop goal (${FULL_LOOP_GOAL}× Kannel) is ${fmt(goalMsgsPerSec, 0)} msgs/s${goalMsgsPerSec > floor.ceilingMsgsPerSec ? ', above that ceiling' : ''}.`,
    );

    notes.push(
      'Herald writes every accepted message durably before answering 201: SQLite file, WAL, synchronous=NORMAL ' +
        '(group commit: the requests that arrive together share one transaction, each answered after it committed). Kannel answers 202 after bearerbox took the message into its store ' +
        '(store-type = file).',
      `Herald: \`node --import tsx src/main.ts serve\` (API and, on a thread of its own, the dispatch worker, in one child process; log level info); simulator gateway ${JSON.stringify(FAST_SIMULATOR_SETTINGS)}, 10,000 msgs/s; in the accept runs noReportRate 1 (no reports, as Kannel is asked for none there).`,
      `Kannel: bearerbox + smsbox (log level warning) + fakesmsc; peak RSS is bearerbox + smsbox (fakesmsc is the SMSC, not counted).`,
      `Peak RSS: ${results[0]?.peak.method ?? ''}, from /proc/<pid>/status; per side and run.`,
      `Load client: Node http with keep-alive, fixed concurrency, ${options.warmup} unmeasured warm-up requests per side; latency = request start → full answer (full loop: submit start → final DLR at the receiver (Kannel) / final_at of the stored message (Herald), both from the submit start).`,
    );
    return { results, verdicts, floor, httpFloor, notes };
  } finally {
    await kannel?.stop();
    await herald?.stop();
    await stopAll();
    process.removeListener('exit', removeDir);
    removeDir();
    if (options.keep) console.log(`kept ${dir}`);
  }
}

export class KannelMissingError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `Kannel is not installed (missing ${missing.join(', ')}). Install Debian's packages: ` +
        'apt-get install kannel kannel-extras',
    );
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

export function printReport(report: KannelBenchReport): void {
  for (const scenario of ['accept', 'full loop'] as const) {
    const rows = report.results.filter((r) => r.scenario === scenario);
    console.log(
      `\n${scenario === 'accept' ? 'Accept throughput' : 'Full loop (submit → DLR → final status)'}`,
    );
    console.table(
      rows.map((r) => ({
        side: r.side,
        concurrency: r.concurrency,
        messages: r.messages,
        'msgs/s': fmt(r.msgsPerSec, 0),
        'p50 (ms)': fmt(r.p50Ms, 2),
        'p99 (ms)': fmt(r.p99Ms, 2),
        'peak RSS (MB)': fmt(r.peak.totalMb, 0),
      })),
    );
  }
  if (report.floor) {
    console.log(`\nStorage floor of the full loop (µs per message, N=${report.floor.messages})`);
    console.table([
      {
        ...Object.fromEntries(Object.entries(report.floor.phases).map(([k, us]) => [k, fmt(us)])),
        total: fmt(report.floor.totalUs),
        'ceiling (msgs/s)': fmt(report.floor.ceilingMsgsPerSec, 0),
      },
    ]);
  }
  if (report.httpFloor) {
    console.log(
      `HTTP floor: a bare node:http server under the same client, ${fmt(report.httpFloor.requestsPerSec, 0)} req/s (${fmt(report.httpFloor.cpuUsPerRoundTrip, 0)} µs of CPU per round trip at most)`,
    );
  }
  console.log('\nHerald / Kannel (msgs/s)');
  console.table(
    report.verdicts.map((v) => ({
      scenario: v.scenario,
      ratio: v.ratio === undefined ? '–' : v.ratio.toFixed(2),
      goal: `≥ ${v.goal}`,
      result: v.result,
    })),
  );
  for (const note of report.notes) console.log(`- ${note}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const report = await run(parseOptions(process.argv.slice(2)));
    printReport(report);
    process.exitCode = report.verdicts.some((v) => v.result === 'FAIL') ? 1 : 0;
  } catch (e) {
    if (e instanceof KannelMissingError) {
      console.error(e.message);
      process.exitCode = 2;
    } else {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exitCode = 1;
    }
  }
}
