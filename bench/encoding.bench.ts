/**
 * Throughput of `analyzeText` against the `sms-segments-calculator` package (Twilio's segment
 * calculator) on the same bodies. Run: `npx tsx bench/encoding.bench.ts`.
 *
 * Targets: ≥ 1,000,000 analyses/s for a 160-character GSM body on the reference 2-core machine, and
 * ≥ 100× the package's throughput in every case.
 */
import { pathToFileURL } from 'node:url';
import { SegmentedMessage } from 'sms-segments-calculator';
import { analyzeText } from '../src/core/encoding/index.js';

/** One case; the same shape as the other benchmarks' rows. */
export interface BenchRow {
  case: string;
  /** Median analyses per second of `analyzeText`. */
  ours: number;
  /** Median analyses per second of `new SegmentedMessage(body)`, on the same bodies. */
  reference: number;
  /** ours / reference: how many times faster. */
  ratio: number;
  target: string;
  pass: boolean;
}

export interface EncodingBenchOptions {
  /** Timed rounds per case and implementation; the median is reported. Default 7. */
  rounds?: number;
  /** Approximate duration of one round in milliseconds. Default 200. */
  roundMs?: number;
}

const GSM_SENTENCES = [
  'Hello John, your invoice 10234 of EUR 99.00 is due on 12/05. ',
  'Pay at https://pay.example.com/i/10234 or reply HELP for help. ',
  'Your appointment is confirmed for Monday at 09:30 (room 4). ',
  'Reply STOP to opt out; call +44 20 7946 0958 for questions! ',
];

const MIXED_SENTENCES = [
  'Olá José, sua fatura de € 12,50 vence amanhã 😀 ',
  'Grüße aus Köln – Ihr Termin ist am Montag 👍🏽 ',
  'Señor Muñoz: su pedido está listo 🎉 ',
  'Çok teşekkürler, görüşmek üzere 🇹🇷 ',
  'Дякуємо за замовлення! 👨‍👩‍👧 ',
];

/** `count` different bodies of exactly `length` code units, cycling through `sentences`. */
function bodies(sentences: readonly string[], length: number, count: number): string[] {
  return Array.from({ length: count }, (_, variant) => {
    let body = '';
    for (let i = variant; body.length < length; i++) body += sentences[i % sentences.length];
    // Never cut a surrogate pair: drop a dangling high surrogate and pad with a space.
    body = body.slice(0, length);
    return /[\uD800-\uDBFF]$/.test(body) ? `${body.slice(0, -1)} ` : body;
  });
}

/** Operations per second of `fn` over `corpus`, median of `rounds` rounds. */
function measure(
  corpus: readonly string[],
  fn: (body: string) => number,
  rounds: number,
  roundMs: number,
): number {
  let sink = 0;
  // Warm-up, and calibration of the iterations one round takes.
  let iterations = corpus.length;
  for (;;) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) sink += fn(corpus[i % corpus.length]!);
    const elapsed = performance.now() - start;
    if (elapsed >= roundMs / 4) {
      iterations = Math.max(corpus.length, Math.round((iterations * roundMs) / elapsed));
      break;
    }
    iterations *= 4;
  }
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) sink += fn(corpus[i % corpus.length]!);
    rates.push((iterations * 1000) / (performance.now() - start));
  }
  if (sink === -1) console.log('unreachable'); // keeps the results observable
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

const analyze = (body: string): number => analyzeText(body).parts.length;
const segmentReference = (body: string): number => new SegmentedMessage(body).segmentsCount;

const CASES = [
  { name: '160-char GSM body', corpus: bodies(GSM_SENTENCES, 160, 8), targetOpsPerSec: 1_000_000 },
  { name: '300-char mixed body (UCS-2)', corpus: bodies(MIXED_SENTENCES, 300, 8), targetOpsPerSec: null },
] as const;

const TARGET_RATIO = 100;

export async function run(options: EncodingBenchOptions = {}): Promise<BenchRow[]> {
  const { rounds = 7, roundMs = 200 } = options;
  return CASES.map((c) => {
    const ours = measure(c.corpus, analyze, rounds, roundMs);
    const reference = measure(c.corpus, segmentReference, rounds, roundMs);
    const ratio = ours / reference;
    const fastEnough = c.targetOpsPerSec === null || ours >= c.targetOpsPerSec;
    return {
      case: c.name,
      ours,
      reference,
      ratio,
      target: `${c.targetOpsPerSec === null ? '' : `≥ ${c.targetOpsPerSec.toLocaleString('en-US')}/s, `}≥ ${TARGET_RATIO}×`,
      pass: fastEnough && ratio >= TARGET_RATIO,
    };
  });
}

function formatTable(rows: readonly BenchRow[]): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines = [
    ['case', 'ours ops/s', 'reference ops/s', 'ratio', 'target', 'result'],
    ...rows.map((r) => [
      r.case,
      n(r.ours),
      n(r.reference),
      `${r.ratio.toFixed(0)}×`,
      r.target,
      r.pass ? 'PASS' : 'FAIL',
    ]),
  ];
  const widths = lines[0]!.map((_, col) => Math.max(...lines.map((line) => line[col]!.length)));
  return lines.map((line) => line.map((cell, col) => cell.padEnd(widths[col]!)).join('  ')).join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await run();
  console.log(formatTable(rows));
  if (rows.some((r) => !r.pass)) process.exitCode = 1;
}
