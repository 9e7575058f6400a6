/**
 * SMPP submits per second through one bind (issue 5, "Figures"), window 1, 10 and 50, against the
 * Net::SMPP test SMSC (test/helpers/smsc-netsmpp.pl) on 127.0.0.1, beside Kannel's own figure for
 * the same load in the same run. msgs/s is counted by the SMSC for both sides: (N − 1) ÷ (time of the
 * last − the first submit_sm), N single-part GSM messages per run, median of `rounds` runs per side,
 * the sides' runs interleaved.
 *
 * - Herald: the SMPP adapter (one instance = one transceiver bind) with `windowSize` W, fed by W
 *   callers that each `send()` one message after the other. Latency: `send()` → outcome.
 * - Kannel, queued → SMSC: Debian's bearerbox bound as transceiver to the same SMSC with
 *   `max-pending-submits = W`. The SMSC stops reading Kannel's bind while sendsms fills bearerbox's
 *   queue with N messages, then reads again: Kannel drains its queue through the bind as fast as the
 *   window lets it — the SMPP side alone, as Herald's figure is.
 * - Kannel, sendsms → SMSC: 32 concurrent keep-alive sendsms requests while the bind submits (what a
 *   Kannel user gets end to end). Latency: the sendsms answer (given once bearerbox queued it).
 *
 * Receipts are off at the SMSC (the figure is submits). The SMSC answers at once; `--latency-ms`
 * makes it hold each submit_sm_resp, as a distant SMSC would — then the window decides the rate.
 *
 * Run: npx tsx bench/smpp.bench.ts [--quick] [--n=10000] [--rounds=3] [--latency-ms=0] [--keep]
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
  /** Measured runs per side and window, interleaved (Kannel, Herald, Kannel, …); the median is shown. */
  rounds: number;
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
    rounds: Number(value('rounds') ?? (quick ? 1 : 3)),
    latencyMs: Number(value('latency-ms') ?? 0),
    keep: argv.includes('--keep'),
  };
}

interface HeraldSide {
  round(): Promise<{ rate: number; p50Ms: number; p99Ms: number }>;
  close(): Promise<void>;
}

/** One adapter instance (one bind) with window W, warmed up; each round sends N messages. */
async function heraldSide(smsc: TestSmsc, window: number, o: Options): Promise<HeraldSide> {
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
    await Promise.all(Array.from({ length: window }, worker));
    if (failed > 0) throw new Error(`Herald: ${failed} of ${total} submits failed`);
    return latencies;
  };
  await run(o.warmup);
  return {
    async round() {
      await smsc.command({ cmd: 'reset' });
      const latencies = await run(o.n);
      const stats = await smsc.stats();
      if (stats.submits !== o.n)
        throw new Error(`the SMSC counted ${stats.submits} submits, expected ${o.n}`);
      if (stats.max_outstanding > window)
        throw new Error(`window ${window} exceeded: ${stats.max_outstanding}`);
      const l = summarize(latencies);
      return { rate: smscRate(stats), p50Ms: l.p50, p99Ms: l.p99 };
    },
    close: () => provider.close(),
  };
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
    await waitFor(async () => /smsbox:.*on-line/.test(await status()), 30_000, 'smsbox did not come online');
    await waitFor(
      async () => /netsmpp\[?.*\(online/.test(await status()),
      15_000,
      'the SMPP smsc did not come online',
    );
    return { sendsmsPort: sendsms, stop };
  } catch (e) {
    await stop();
    const tail = (name: string) => {
      const file = path.join(dir, `${name}-w${window}.log`);
      return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-6).join('\n') : '';
    };
    throw new Error(`${(e as Error).message}\nbearerbox: ${tail('bearerbox')}\nsmsbox: ${tail('smsbox')}`);
  }
}

interface KannelSide {
  /** The bind alone: bearerbox's queue filled while the SMSC does not read, then drained. */
  drainRound(): Promise<number>;
  /** End to end: 32 concurrent sendsms requests while the bind submits. */
  sendsmsRun(): Promise<{ rate: number; p50Ms: number; p99Ms: number }>;
  stop(): Promise<void>;
}

async function kannelSide(smsc: TestSmsc, dir: string, window: number, o: Options): Promise<KannelSide> {
  // Kannel's bind event says it is up; per-submit events are not wanted while measuring.
  await smsc.command({ cmd: 'quiet', on: 0 });
  const kannel = await startKannel(dir, smsc, window);
  await smsc.command({ cmd: 'quiet', on: 1 });
  let sent = 0;
  const load = async (total: number) => {
    const offset = sent;
    sent += total;
    const r = await runLoad({
      port: kannel.sendsmsPort,
      concurrency: KANNEL_CONCURRENCY,
      total,
      request: (i) => ({
        method: 'GET',
        path: `/cgi-bin/sendsms?username=bench&password=bench-secret&from=Herald&to=49151${10_000_000 + offset + i}&text=${encodeURIComponent(TEXT)}`,
      }),
      accept: (status) => status === 202 || status === 200,
    });
    if (r.failed > 0) throw new Error(`Kannel sendsms refused: ${JSON.stringify(r.failures)}`);
    return r;
  };
  const submitsReach = (count: number) =>
    waitFor(async () => (await smsc.stats()).submits >= count, 120_000, 'Kannel did not submit everything');
  const checked = async () => {
    const stats = await smsc.stats();
    if (stats.max_outstanding > window) throw new Error(`Kannel exceeded window ${window}`);
    return stats;
  };
  try {
    await smsc.command({ cmd: 'reset' });
    await load(o.warmup);
    await submitsReach(o.warmup);
  } catch (e) {
    await kannel.stop();
    throw e;
  }
  return {
    async drainRound() {
      await smsc.command({ cmd: 'reset' });
      await smsc.command({ cmd: 'pause', prefix: 'kannel' });
      await load(o.n);
      await new Promise((r) => setTimeout(r, 300));
      await smsc.command({ cmd: 'resume' });
      await submitsReach(o.n);
      return smscRate(await checked());
    },
    async sendsmsRun() {
      await smsc.command({ cmd: 'reset' });
      const r = await load(o.n);
      await submitsReach(o.n);
      const l = summarize(r.latenciesMs);
      return { rate: smscRate(await checked()), p50Ms: l.p50, p99Ms: l.p99 };
    },
    stop: () => kannel.stop(),
  };
}

const median = <T>(values: T[], key: (v: T) => number): T =>
  [...values].sort((x, y) => key(x) - key(y))[Math.floor(values.length / 2)]!;

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
      const kannel = kannelMissing.length === 0 ? await kannelSide(smsc, dir, window, o) : null;
      if (!kannel) notes.push(`Kannel not installed (${kannelMissing.join(', ')}): no reference figure`);
      const herald = await heraldSide(smsc, window, o);
      const drains: number[] = [];
      const heralds: { rate: number; p50Ms: number; p99Ms: number }[] = [];
      try {
        for (let round = 0; round < o.rounds; round++) {
          if (kannel) drains.push(await kannel.drainRound());
          heralds.push(await herald.round());
        }
        if (kannel) {
          rows.push({
            window,
            side: 'Kannel, queued → SMSC',
            messages: o.n,
            msgsPerSec: median(drains, (x) => x),
            latency: '–',
          });
          const e2e = await kannel.sendsmsRun();
          rows.push({
            window,
            side: 'Kannel, sendsms → SMSC',
            messages: o.n,
            msgsPerSec: e2e.rate,
            p50Ms: e2e.p50Ms,
            p99Ms: e2e.p99Ms,
            latency: 'sendsms answer (queued)',
          });
        }
        const h = median(heralds, (x) => x.rate);
        rows.push({
          window,
          side: 'Herald',
          messages: o.n,
          msgsPerSec: h.rate,
          p50Ms: h.p50Ms,
          p99Ms: h.p99Ms,
          latency: 'send() → outcome',
        });
        console.log(
          `window ${window}: Kannel drain ${drains.map(Math.round).join(', ')}; Herald ${heralds.map((x) => Math.round(x.rate)).join(', ')} msgs/s`,
        );
      } finally {
        await herald.close();
        await kannel?.stop();
      }
    }
  } finally {
    await smsc.close();
    if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
    else notes.push(`configs and logs kept in ${dir}`);
  }
  console.log(
    `SMPP submits through one bind: ${o.n} single-part GSM messages per run, median of ${o.rounds} interleaved runs per side and window; SMSC = Net::SMPP on 127.0.0.1, response delay ${o.latencyMs} ms`,
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
