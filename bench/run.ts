/**
 * Runs every benchmark, each in its own process (so one's JIT state does not colour another's), one
 * after the other. Each prints its own figures beside a reference measured in the same run.
 *
 *   npm run bench              all of them
 *   npm run bench -- phone     only those whose file name contains "phone"
 *   npm run bench -- kannel --quick   further arguments go to the bench
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const filter = process.argv[2];
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, f), ...process.argv.slice(3)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
