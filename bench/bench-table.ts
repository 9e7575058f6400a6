/** What the micro-benchmarks share: one row per case, the median, and the printed table. */
export interface BenchRow {
  case: string;
  /** µs per operation, ours */
  ours: number;
  /** µs per operation, the reference measured in the same run */
  reference: number;
  ratio: number;
  target: string;
  pass: boolean;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function printTable(rows: readonly BenchRow[], digits = 2): void {
  console.table(
    rows.map((row) => ({
      case: row.case,
      'ours (µs)': row.ours.toFixed(digits),
      'reference (µs)': row.reference.toFixed(digits),
      ratio: row.ratio.toFixed(2),
      target: row.target,
      result: row.pass ? 'PASS' : 'FAIL',
    })),
  );
}
