/**
 * The Kannel adapter's full loop against the real Kannel (issue 5, "Figures"), beside Kannel's own
 * loop for the same load measured in the same run, on the same Kannel:
 *
 * - adapter: `provider.send()` of Herald's Kannel adapter, N messages at a fixed concurrency, through
 *   the client the worker gives adapters (the SSRF-guarded fetch with its address check, one
 *   connection per request); every delivery report goes to a local HTTP server that parses it with
 *   `provider.parseDeliveryReport()`. A message's loop ends at its first final report (delivered,
 *   undelivered, rejected).
 * - adapter, plain client: the same adapter given the Kannel side's client as its `fetch`: the
 *   difference to Kannel's own loop is then the adapter's own work (request building, report parsing).
 * - Kannel's own: the same sendsms requests (same parameters: coding, charset, dlr-mask 31, a dlr-url
 *   with %d) sent by a plain keep-alive HTTP client at the same concurrency, reports to a plain
 *   receiver that only reads the message number and type.
 *
 * Kannel: bearerbox + smsbox + fakesmsc from Debian (1.4.5) on 127.0.0.1, store-type file, log level
 * warning — the same setup as bench/kannel.bench.ts. fakesmsc acknowledges every submit; bearerbox
 * reports type 8 (accepted by the SMSC) and then type 1 (delivered) for each.
 *
 * Goal: the adapter's loop reaches at least 0.8× Kannel's own msgs/s at each concurrency (what the
 * adapter adds — URL building, a guarded connection per submit, report parsing — costs at most 20 %).
 *
 * Each side runs 3 rounds per concurrency (the order rotating); the median round is shown (--quick: one).
 *
 * Run: npx tsx bench/kannel-adapter.bench.ts [--quick] [--n=5000]   (or `npm run bench -- kannel-adapter`)
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeText } from '../src/core/encoding/index.js';
import { gatewayAddressPolicy, gatewayNetDeps } from '../src/modules/gateways/gateways.ssrf.js';
import { kannelFactory } from '../src/providers/kannel/kannel.provider.js';
import { kannelSettingsSchema } from '../src/providers/kannel/kannel.settings.js';
import type {
  CallbackRequest,
  FetchLike,
  OutboundMessage,
  Provider,
} from '../src/providers/provider.contract.js';
import { defaultProviderDeps } from '../src/providers/provider.registry.js';
import { missingKannelBinaries, type RunningKannel, startKannel } from '../test/helpers/kannel-peer.js';
import { LOOPBACK } from '../test/helpers/kannel-ports.js';
import { stopAll, stopAllOnSignals } from '../test/helpers/kannel-processes.js';
import { startDlrReceiver } from './kannel/dlr-receiver.js';
import { runLoad } from './kannel/load.js';
import { summarize } from './kannel/stats.js';

const GOAL = 0.8;
const TEXT = 'Your order 4711 has shipped and arrives tomorrow.';
const numberFor = (i: number) => `+49151${String(10_000_000 + (i % 90_000_000))}`;
const FINAL = new Set(['delivered', 'undelivered', 'rejected']);

type Client = 'guarded' | 'plain';

interface Row {
  side: 'adapter' | 'adapter, plain client' | 'Kannel';
  concurrency: number;
  messages: number;
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Where the adapter's reports go: each request is parsed by the adapter, as Herald's callback route does. */
async function startAdapterReceiver(provider: Provider, capacity: number, prefix: string) {
  const finalAt = new Float64Array(capacity).fill(Number.NaN);
  let finals = 0;
  let invalid = 0;
  let wake: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    const now = performance.now();
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
    const request: CallbackRequest = {
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: '',
      query: Object.fromEntries(url.searchParams),
      url: url.toString(),
    };
    const parsed = provider.parseDeliveryReport(request);
    if (!parsed.ok) invalid++;
    else {
      for (const r of parsed.reports) {
        const i = Number(r.gatewayId.slice(prefix.length));
        if (FINAL.has(r.status) && Number.isInteger(i) && Number.isNaN(finalAt[i]!)) {
          finalAt[i] = now;
          finals++;
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' }).end('{}');
    if (wake && finals >= capacity) wake();
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, LOOPBACK, r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${LOOPBACK}:${port}/api/callbacks/bench-token`,
    finalAt,
    invalid: () => invalid,
    waitForAll: (timeoutMs: number) =>
      finals >= capacity
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`only ${finals} of ${capacity} final reports in ${timeoutMs} ms`)),
              timeoutMs,
            );
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The Kannel side's client (Node http over a keep-alive agent) behind the adapter's `fetch` interface. */
function plainFetch(agent: http.Agent): FetchLike {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const req = http.request(url, { method: init.method ?? 'GET', agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502 })));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

function adapterFor(k: RunningKannel, client: Client): Provider {
  const settings = kannelSettingsSchema.parse({
    sendsmsUrl: k.sendsmsUrl,
    username: k.username,
    password: k.password,
  });
  // The worker's network deps: guarded fetch, loopback allowed as for a Kannel on the same machine.
  const net =
    client === 'guarded'
      ? gatewayNetDeps(gatewayAddressPolicy({ gatewaysAllowPrivate: true }), 'http://127.0.0.1:1')
      : { fetch: plainFetch(new http.Agent({ keepAlive: true, maxSockets: 64 })) };
  return kannelFactory.create(
    { id: 'bench', settings, callbackToken: 'bench-token', maxParts: 10, shiftTables: [] },
    { ...defaultProviderDeps, ...net },
  );
}

async function adapterLoop(
  k: RunningKannel,
  n: number,
  concurrency: number,
  run: string,
  client: Client = 'guarded',
): Promise<Row> {
  const provider = adapterFor(k, client);
  const prefix = `${run}-`;
  const receiver = await startAdapterReceiver(provider, n, prefix);
  const a = analyzeText(TEXT);
  const message = (i: number): OutboundMessage => ({
    id: `${prefix}${i}`,
    to: numberFor(i),
    from: 'Herald',
    text: a.text,
    encoding: a.encoding,
    parts: a.parts,
    callbackUrl: receiver.url,
  });
  const startedAt = new Float64Array(n);
  let next = 0;
  let failed = 0;
  let firstFailure = '';
  try {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < n; i = next++) {
          startedAt[i] = performance.now();
          const outcome = await provider.send(message(i));
          if (!outcome.ok) {
            failed++;
            firstFailure ||= `${outcome.class} ${outcome.code}`;
          }
        }
      }),
    );
    if (failed > 0) throw new Error(`adapter: ${failed} of ${n} submits failed, e.g. ${firstFailure}`);
    await receiver.waitForAll(120_000 + n * 20);
    if (receiver.invalid() > 0) throw new Error(`adapter: ${receiver.invalid()} reports did not parse`);
    const end = receiver.finalAt.reduce((m, t) => Math.max(m, t), 0);
    const { p50, p99 } = summarize(Array.from(receiver.finalAt, (t, i) => t - startedAt[i]!));
    return {
      side: client === 'guarded' ? 'adapter' : 'adapter, plain client',
      concurrency,
      messages: n,
      msgsPerSec: (n * 1000) / (end - start),
      p50Ms: p50,
      p99Ms: p99,
    };
  } finally {
    await provider.close();
    await receiver.close();
  }
}

async function kannelLoop(k: RunningKannel, n: number, concurrency: number): Promise<Row> {
  const dlr = await startDlrReceiver(n);
  try {
    const start = performance.now();
    const load = await runLoad({
      port: k.ports.sendsms,
      concurrency,
      total: n,
      // The adapter's parameters, word for word, with the plain receiver's dlr-url.
      request: (i) => {
        const q = new URLSearchParams({
          username: k.username,
          password: k.password,
          from: 'Herald',
          to: numberFor(i),
          'dlr-mask': '31',
          'dlr-url': dlr.urlFor(i),
          coding: '0',
          charset: 'UTF-8',
          text: TEXT,
        });
        return { method: 'GET', path: `/cgi-bin/sendsms?${q}` };
      },
      accept: (status, body) => status === 202 && body.startsWith('0: Accepted'),
    });
    if (load.failed > 0)
      throw new Error(`Kannel: ${load.failed} refused, e.g. ${JSON.stringify(load.failures)}`);
    await dlr.waitForFinals(n, 120_000 + n * 20);
    const end = dlr.finalAt.reduce((m, t) => Math.max(m, t), 0);
    const { p50, p99 } = summarize(Array.from(dlr.finalAt, (t, i) => t - load.startedAt[i]!));
    return {
      side: 'Kannel',
      concurrency,
      messages: n,
      msgsPerSec: (n * 1000) / (end - start),
      p50Ms: p50,
      p99Ms: p99,
    };
  } finally {
    await dlr.close();
  }
}

export async function run(opts: { n: number; warmup: number; concurrencies: number[]; rounds: number }) {
  const missing = missingKannelBinaries();
  if (missing.length > 0) throw new Error(`Kannel is not installed (missing ${missing.join(', ')})`);
  stopAllOnSignals();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-bench-kannel-adapter-'));
  const rows: Row[] = [];
  let kannel: RunningKannel | undefined;
  try {
    kannel = await startKannel({ dir, store: true });
    // Warm-up, unmeasured: JIT, connection setup, Kannel's caches.
    await kannelLoop(kannel, opts.warmup, 8);
    await adapterLoop(kannel, opts.warmup, 8, 'warm');
    await adapterLoop(kannel, opts.warmup, 8, 'warm-plain', 'plain');
    for (const concurrency of opts.concurrencies) {
      const perSide = new Map<Row['side'], Row[]>();
      for (let round = 0; round < opts.rounds; round++) {
        const sides = [
          () => kannelLoop(kannel!, opts.n, concurrency),
          () => adapterLoop(kannel!, opts.n, concurrency, `c${concurrency}r${round}`),
          () => adapterLoop(kannel!, opts.n, concurrency, `k${concurrency}r${round}`, 'plain'),
        ];
        // Each round starts with another side, so drift and a noisy neighbour hit every side.
        for (let j = 0; j < sides.length; j++) {
          await kannel.waitIdle(600_000);
          const row = await sides[(round + j) % sides.length]!();
          perSide.set(row.side, [...(perSide.get(row.side) ?? []), row]);
        }
      }
      // The median round of each side (by msgs/s).
      for (const list of perSide.values()) {
        const sorted = [...list].sort((a, b) => a.msgsPerSec - b.msgsPerSec);
        rows.push(sorted[Math.floor(sorted.length / 2)]!);
      }
    }
    return rows;
  } finally {
    await kannel?.stop();
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '–');

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
  const nArg = process.argv.find((a) => a.startsWith('--n='));
  const n = nArg ? Number(nArg.slice(4)) : quick ? 1_000 : 5_000;
  try {
    const rounds = quick ? 1 : 3;
    const rows = await run({ n, warmup: quick ? 100 : 500, concurrencies: [8, 32], rounds });
    console.log(
      `\nKannel adapter full loop (submit → DLR → parsed final report), N = ${n}, median of ${rounds} round(s) per side`,
    );
    console.table(
      rows.map((r) => ({
        side: r.side,
        concurrency: r.concurrency,
        messages: r.messages,
        'msgs/s': fmt(r.msgsPerSec, 0),
        'p50 (ms)': fmt(r.p50Ms, 2),
        'p99 (ms)': fmt(r.p99Ms, 2),
      })),
    );
    const verdicts = [8, 32].map((c) => {
      const adapter = rows.find((r) => r.side === 'adapter' && r.concurrency === c)!;
      const kannel = rows.find((r) => r.side === 'Kannel' && r.concurrency === c)!;
      const ratio = adapter.msgsPerSec / kannel.msgsPerSec;
      return {
        concurrency: c,
        ratio: ratio.toFixed(2),
        goal: `≥ ${GOAL}`,
        result: ratio >= GOAL ? 'PASS' : 'FAIL',
      };
    });
    console.log('\nadapter / Kannel (msgs/s)');
    console.table(verdicts);
    console.log(
      '- Both sides: the same Kannel (store-type file, log level warning), the same sendsms parameters, dlr-mask 31; a loop ends at the first final report.',
    );
    console.log(
      "- adapter: provider.send() through the worker's guarded fetch (address check, one connection per submit); reports parsed by provider.parseDeliveryReport().",
    );
    console.log(
      "- adapter, plain client: the same adapter given the Kannel side's client (Node http, keep-alive) as its fetch: what is left is the adapter's own cost (building the request, parsing reports).",
    );
    console.log('- Kannel: a keep-alive Node http client; reports counted by a plain receiver.');
    process.exitCode = verdicts.every((v) => v.result === 'PASS') ? 0 : 1;
  } catch (e) {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  }
}
