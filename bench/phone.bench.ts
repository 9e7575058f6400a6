/**
 * Cost per number of `parsePhone` against the raw library work it wraps:
 * `parsePhoneNumber` from `libphonenumber-js/max`, then `isValid()` and `getType()`, over the
 * same ~1,000 mixed inputs (valid numbers in international and national form for DE, GB, US,
 * FR, TR, IN, EG; unassigned and too-short numbers; junk). `parsePhone` also pre-validates the
 * characters, normalises digits, formats the national form and, for invalid numbers, asks for
 * the length verdict, so it is expected to cost somewhat more.
 *
 * Run: npx tsx bench/phone.bench.ts
 */
import { pathToFileURL } from 'node:url';
import { type CountryCode, parsePhoneNumber } from 'libphonenumber-js/max';
import { parsePhone } from '../src/core/phone/index.js';
import { type BenchRow, median, printTable } from './bench-table.js';

/** Our own work (character check, digit normalisation, national format) may add at most half. */
const MAX_RATIO = 1.5;
const WARMUP_ROUNDS = 5;
const ROUNDS = 15;

type Sample = readonly [input: string, region: CountryCode | undefined];

// Deterministic, so every run measures the same list.
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function phoneSamples(count = 1000): Sample[] {
  const random = mulberry32(20260302);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  const makers: Array<() => Sample> = [
    () => [`+49 151 ${digits(8)}`, undefined],
    () => [`0151 ${digits(8)}`, 'DE'],
    () => [`+49 30 ${digits(7)}`, undefined],
    () => [`+44 7400 ${digits(6)}`, undefined],
    () => [`07400 ${digits(6)}`, 'GB'],
    () => [`+1 (201) 555-${digits(4)}`, undefined],
    () => [`(212) 555-${digits(4)}`, 'US'],
    () => [`+33 6 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, undefined],
    () => [`+90 532 ${digits(3)} ${digits(2)} ${digits(2)}`, undefined],
    () => [`+91 98${digits(3)} ${digits(5)}`, undefined],
    () => [`010 ${digits(8)}`, 'EG'],
    () => [`0049 151 ${digits(8)}`, 'DE'],
    () => [`+1 200 555 ${digits(4)}`, undefined], // unassigned area code
    () => [`+49 15${digits(1)}`, undefined], // too short
    () => [`+49 151 ${digits(8)}; DROP TABLE x`, undefined], // junk
    () => [`call ${digits(6)}`, 'DE'], // junk
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length]!());
}

function ours(samples: readonly Sample[]): number {
  let valid = 0;
  for (const [input, region] of samples) {
    const result = parsePhone(input, region);
    if (result.ok) valid += 1 + result.lineType.length;
  }
  return valid;
}

function reference(samples: readonly Sample[]): number {
  let valid = 0;
  for (const [input, region] of samples) {
    try {
      const phone = parsePhoneNumber(input, region);
      if (phone.isValid()) valid += 1 + (phone.getType()?.length ?? 0);
    } catch {
      // a ParseError is an answer too
    }
  }
  return valid;
}

// One round times one pass over the list for each side, alternating which goes first, so both
// see the same machine noise; the median of the rounds is reported.
function measure(samples: readonly Sample[]): { ours: number; reference: number } {
  const sides = { ours, reference };
  const times: { ours: number[]; reference: number[] } = { ours: [], reference: [] };
  let sink = 0;
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    const order = round % 2 === 0 ? (['ours', 'reference'] as const) : (['reference', 'ours'] as const);
    for (const side of order) {
      const start = performance.now();
      sink += sides[side](samples);
      const elapsed = performance.now() - start;
      if (round >= WARMUP_ROUNDS) times[side].push((elapsed * 1000) / samples.length);
    }
  }
  if (sink < 0) console.log(sink); // keeps the results observable
  return { ours: median(times.ours), reference: median(times.reference) };
}

export type { BenchRow };

export async function run(): Promise<BenchRow[]> {
  const samples = phoneSamples();
  const { ours: oursUs, reference: referenceUs } = measure(samples);
  const ratio = oursUs / referenceUs;
  return [
    {
      case: `parse ${samples.length} mixed numbers (µs/number)`,
      ours: oursUs,
      reference: referenceUs,
      ratio,
      target: `ratio ≤ ${MAX_RATIO}`,
      pass: ratio <= MAX_RATIO,
    },
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const samples = phoneSamples();
  const valid = samples.filter(([input, region]) => parsePhone(input, region).ok).length;
  console.log(`${valid} of ${samples.length} inputs are valid numbers`);
  printTable(await run(), 2);
}
