/**
 * SMPP submits per second through one bind (issue 5, "Figures"), window 1, 10 and 50, against the
 * Net::SMPP test SMSC (test/helpers/smsc-netsmpp.pl) on 127.0.0.1, beside Kannel's own figure for
 * the same load in the same run:
 *
 * - Herald: the SMPP adapter (one instance = one transceiver bind) with `windowSize` W; `concurrency`
 *   W callers each `send()` single-part GSM messages one after the other. Latency: `send()` →
 *   outcome (submit_sm → submit_sm_resp, plus the window's queue).
 * - Kannel: Debian's bearerbox + smsbox with an `smsc = smpp` group bound as transceiver to the same
 *   SMSC with `max-pending-submits = W`, driven by its sendsms at 32 concurrent keep-alive requests.
 *   msgs/s: first sendsms request → the SMSC has answered all N submit_sm. Latency: the sendsms
 *   answer (Kannel answers once the message is queued in bearerbox, before the SMSC has it).
 *
 * Receipts are off at the SMSC (the figure is submits), the SMSC answers at once (`--latency-ms`
 * makes it hold each submit_sm_resp, as a distant SMSC would). Each side runs alone against the SMSC.
 *
 * Run: npx tsx bench/smpp.bench.ts [--quick] [--n=10000] [--latency-ms=0] [--keep]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { analyzeText } from '../src/core/encoding/index.js';
import type { OutboundMessage } from '../src/providers/provider.contract.js';
import { defaultProviderDeps } from '../src/providers/provider.registry.js';
import { smppFactory } from '../src/providers/smpp/smpp.provider.js';
import { smppSettingsSchema } from '../src/providers/smpp/smpp.settings.js';
import { type SmscStats, startTestSmsc, type TestSmsc } from '../test/helpers/smsc-harness.js';
import { runLoad } from './kannel/load.js';
import { summarize } from './kannel/stats.js';

const LOOPBACK = '127.0.0.1';
const WINDOWS = [1, 10, 50];
const KANNEL_CONCURRENCY = 32;
const TEXT = 'Your order 4711 has shipped and arrives tomorrow.';
const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';

interface Options {
  n: number;
  warmup: number;
  latencyMs: number;
  keep: boolean;
}

interface Row {
  window: number;
  side: 'Herald' | 'Kannel, queued → SMSC' | 'Kannel, sendsms → SMSC';
  messages: number;
  /** Submits per second as the SMSC saw them: (N − 1) ÷ (last submit_sm − first submit_sm). */
  msgsPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  latency: string;
}

/** The SMSC's own clock: submits per second between the first and the last submit_sm since its reset. */
function smscRate(stats: SmscStats): number {
  return stats.last_at > stats.first_at ? (stats.submits - 1) / (stats.last_at - stats.first_at) : Number.NaN;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const n = Number(value('n') ?? (quick ? 2000 : 10_000));
  return {
    n,
    warmup: Math.min(500, n),
    latencyMs: Number(value('latency-ms') ?? 0),
    keep: argv.includes('--keep'),
  };
}

async function heraldRun(smsc: TestSmsc, window: number, o: Options): Promise<Row> {
  const provider = smppFactory.create(
    {
      id: `bench-${window}`,
      settings: smppSettingsSchema.parse({
        host: LOOPBACK,
        port: smsc.port,
        systemId: `herald-w${window}`,
        password: 'secret',
        windowSize: window,
      }),
      callbackToken: 'unused',
      maxParts: 10,
      shiftTables: [],
    },
    { ...defaultProviderDeps, log: () => {} },
  );
  const a = analyzeText(TEXT);
  const message = (i: number): OutboundMessage => ({
    id: `m${i}`,
    to: `+49151${String(10_000_000 + i)}`,
    from: 'Herald',
    text: a.text,
    encoding: a.encoding,
    parts: a.parts,
    callbackUrl: 'http://127.0.0.1/unused',
  });
  const run = async (total: number) => {
    const latencies = new Float64Array(total);
    let next = 0;
    let failed = 0;
    const worker = async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        const outcome = await provider.send(message(i));
        latencies[i] = performance.now() - t;
        if (!outcome.ok) failed++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: window }, worker));
    return { elapsed: performance.now() - start, latencies, failed };
  };
  try {
    await run(o.warmup);
    await smsc.command({ cmd: 'reset' });
    const r = await run(o.n);
    if (r.failed > 0) throw new Error(`Herald: ${r.failed} of ${o.n} submits failed`);
    const stats = await smsc.stats();
    if (stats.submits !== o.n) throw new Error(`the SMSC counted ${stats.submits} submits, expected ${o.n}`);
    if (stats.max_outstanding > window)
      throw new Error(`window ${window} exceeded: ${stats.max_outstanding}`);
    const l = summarize(r.latencies);
    return {
      window,
      side: 'Herald',
      messages: o.n,
      msgsPerSec: smscRate(stats),
      p50Ms: l.p50,
      p99Ms: l.p99,
      latency: 'send() → outcome',
    };
  } finally {
    await provider.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Kannel {
  sendsmsPort: number;
  stop(): Promise<void>;
}

/** bearerbox + smsbox, an SMPP transceiver bind to the test SMSC, everything on 127.0.0.1. */
async function startKannel(dir: string, smsc: TestSmsc, window: number): Promise<Kannel> {
  const [admin, smsbox, sendsms] = [await freePort(), await freePort(), await freePort()];
  const conf = path.join(dir, `kannel-w${window}.conf`);
  const group = (fields: Record<string, string | number>) =>
    Object.entries(fields)
      .map(([k, v]) => (typeof v === 'number' ? `${k} = ${v}` : `${k} = "${v}"`))
      .join('\n');
  fs.writeFileSync(
    conf,
    [
      group({
        group: 'core',
        'admin-port': admin,
        'admin-interface': LOOPBACK,
        'admin-password': 'bench-admin',
        'admin-allow-ip': LOOPBACK,
        'smsbox-port': smsbox,
        'smsbox-interface': LOOPBACK,
        'box-deny-ip': '*.*.*.*',
        'box-allow-ip': LOOPBACK,
        'log-level': 2,
        'dlr-storage': 'internal',
      }),
      group({
        group: 'smsc',
        smsc: 'smpp',
        'smsc-id': 'netsmpp',
        host: LOOPBACK,
        port: smsc.port,
        'transceiver-mode': 1,
        'smsc-username': `kannel-w${window}`,
        'smsc-password': 'secret',
        'system-type': '',
        'interface-version': 34,
        'max-pending-submits': window,
        'enquire-link-interval': 30,
        'reconnect-delay': 1,
      }),
      group({
        group: 'smsbox',
        'bearerbox-host': LOOPBACK,
        'bearerbox-port': smsbox,
        'sendsms-port': sendsms,
        'sendsms-interface': LOOPBACK,
        'log-level': 2,
      }),
      group({
        group: 'sendsms-user',
        username: 'bench',
        password: 'bench-secret',
        'user-deny-ip': '*.*.*.*',
        'user-allow-ip': LOOPBACK,
      }),
    ].join('\n\n'),
  );
  const started: ChildProcess[] = [];
  const launch = (name: string, command: string) => {
    const log = fs.openSync(path.join(dir, `${name}-w${window}.log`), 'a');
    const child = spawn(command, ['-v', '2', conf], { cwd: dir, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    started.push(child);
    return child;
  };
  const stop = async () => {
    for (const child of started.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    const since = smsc.events.length;
    launch('bearerbox', BEARERBOX);
    await smsc.waitFor((e) => e.ev === 'bind' && e.system_id === `kannel-w${window}`, 15_000, since);
    launch('smsbox', SMSBOX);
    const status = () =>
      fetch(`http://${LOOPBACK}:${admin}/status.txt?password=bench-admin`).then((r) => r.text());
    await waitFor(async () => /smsbox:.*on-line/.test(await status()), 15_000, 'smsbox did not come online');
    await waitFor(
      async () => /netsmpp\[?.*\(online/.test(await status()),
      15_000,
      'the SMPP smsc did not come online',
    );
    return { sendsmsPort: sendsms, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function kannelRun(smsc: TestSmsc, dir: string, window: number, o: Options): Promise<Row[]> {
  // Kannel's bind event says it is up; per-submit events are not wanted while measuring.
  await smsc.command({ cmd: 'quiet', on: 0 });
  const kannel = await startKannel(dir, smsc, window);
  await smsc.command({ cmd: 'quiet', on: 1 });
  const load = (total: number, offset: number) =>
    runLoad({
      port: kannel.sendsmsPort,
      concurrency: KANNEL_CONCURRENCY,
      total,
      request: (i) => ({
        method: 'GET',
        path: `/cgi-bin/sendsms?username=bench&password=bench-secret&from=Herald&to=49151${10_000_000 + offset + i}&text=${encodeURIComponent(TEXT)}`,
      }),
      accept: (status) => status === 202 || status === 200,
    });
  const submitsReach = async (count: number) => {
    await waitFor(
      async () => (await smsc.stats()).submits >= count,
      120_000,
      'Kannel did not submit everything',
    );
  };
  try {
    await smsc.command({ cmd: 'reset' });
    const warm = await load(o.warmup, 0);
    if (warm.failed > 0) throw new Error(`Kannel sendsms refused: ${JSON.stringify(warm.failures)}`);
    await submitsReach(o.warmup);

    // 1. The bind alone: the SMSC stops reading Kannel's bind while sendsms fills bearerbox's queue,
    //    then reads again; Kannel drains its queue through the bind as fast as its window lets it.
    await smsc.command({ cmd: 'reset' });
    await smsc.command({ cmd: 'pause', prefix: 'kannel' });
    const queued = await load(o.n, o.warmup);
    if (queued.failed > 0) throw new Error(`Kannel sendsms refused: ${JSON.stringify(queued.failures)}`);
    await new Promise((r) => setTimeout(r, 500));
    await smsc.command({ cmd: 'resume' });
    await submitsReach(o.n);
    const drained = await smsc.stats();
    if (drained.max_outstanding > window) throw new Error(`Kannel exceeded window ${window}`);
    const rows: Row[] = [
      {
        window,
        side: 'Kannel, queued → SMSC',
        messages: o.n,
        msgsPerSec: smscRate(drained),
        latency: '–',
      },
    ];

    // 2. End to end: sendsms at 32 concurrent requests while the bind submits.
    await smsc.command({ cmd: 'reset' });
    const r = await load(o.n, o.warmup + o.n);
    if (r.failed > 0) throw new Error(`Kannel sendsms refused: ${JSON.stringify(r.failures)}`);
    await submitsReach(o.n);
    const stats = await smsc.stats();
    if (stats.max_outstanding > window) throw new Error(`Kannel exceeded window ${window}`);
    const l = summarize(r.latenciesMs);
    rows.push({
      window,
      side: 'Kannel, sendsms → SMSC',
      messages: o.n,
      msgsPerSec: smscRate(stats),
      p50Ms: l.p50,
      p99Ms: l.p99,
      latency: 'sendsms answer (queued)',
    });
    return rows;
  } finally {
    await kannel.stop();
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-smpp-bench-'));
  const kannelMissing = [BEARERBOX, SMSBOX].filter((f) => !fs.existsSync(f));
  const smsc = await startTestSmsc();
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    await smsc.command({ cmd: 'receipts', on: 0 });
    await smsc.command({ cmd: 'delay', ms: o.latencyMs });
    await smsc.command({ cmd: 'quiet', on: 1 });
    for (const window of WINDOWS) {
      if (kannelMissing.length === 0) rows.push(...(await kannelRun(smsc, dir, window, o)));
      else notes.push(`Kannel not installed (${kannelMissing.join(', ')}): no reference figure`);
      rows.push(await heraldRun(smsc, window, o));
    }
  } finally {
    await smsc.close();
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
    else notes.push(`configs and logs kept in ${dir}`);
  }
  console.log(
    `SMPP submits through one bind: ${o.n} single-part GSM messages per side and window, SMSC = Net::SMPP on 127.0.0.1, SMSC response delay ${o.latencyMs} ms`,
  );
  console.table(
    rows.map((r) => {
      const kannel = rows.find((k) => k.side === 'Kannel, queued → SMSC' && k.window === r.window);
      return {
        window: r.window,
        side: r.side,
        'msgs/s': Math.round(r.msgsPerSec),
        'p50 ms': r.p50Ms?.toFixed(2) ?? '–',
        'p99 ms': r.p99Ms?.toFixed(2) ?? '–',
        latency: r.latency,
        'ratio to Kannel (queued)': kannel ? (r.msgsPerSec / kannel.msgsPerSec).toFixed(2) : '–',
      };
    }),
  );
  console.log(
    'msgs/s: as the SMSC counted them, (N − 1) ÷ (last − first submit_sm). Kannel queued: sendsms filled ' +
      "bearerbox's queue while the SMSC did not read the bind, then the bind drained it (SMPP alone). " +
      'Kannel sendsms: 32 concurrent sendsms requests while the bind submits (its HTTP side included).',
  );
  for (const n of new Set(notes)) console.log(`note: ${n}`);
}

await main();
