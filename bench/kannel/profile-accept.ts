/**
 * Profiling aid (not a benchmark): `herald serve` under `node --cpu-prof` takes N accepts at a fixed
 * concurrency from the bench's load client; the profile lands in --out (default: a temp directory)
 * and the top functions by self time are printed.
 *
 * Run: npx tsx bench/kannel/profile-accept.ts [--n=10000] [--concurrency=32] [--mode=api|all] [--drain] [--no-reports] [--out=DIR] [--keep]
 * (`--drain`, with mode all: also waits until the worker brought every message to a final status;
 * `--no-reports`: the simulator posts no delivery reports, as in the bench's accept scenario;
 * `--keep`: keeps the run's directory with its database and log)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHerald } from './herald.js';
import { runLoad } from './load.js';
import { stopAll } from './processes.js';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const n = Number(arg('n', '10000'));
const concurrency = Number(arg('concurrency', '32'));
const mode = arg('mode', 'api');
const outArg = process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const out = outArg ?? fs.mkdtempSync(path.join(os.tmpdir(), 'herald-prof-'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-prof-run-'));
fs.mkdirSync(out, { recursive: true });

const herald = await startHerald({
  dir,
  serveArgs: ['--mode', mode],
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${out}`],
});
try {
  if (process.argv.includes('--no-reports')) await herald.patchSimulator({ noReportRate: 1 });
  const request = (i: number) => ({
    method: 'POST' as const,
    path: '/api/messages',
    headers: { authorization: `Bearer ${herald.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      orgUnitId: herald.orgUnitId,
      to: `+49151${10_000_000 + i}`,
      text: 'Profile run.',
    }),
  });
  const accept = (status: number) => status === 201;
  await runLoad({ port: herald.port, concurrency, total: 1000, request, accept });
  const load = await runLoad({
    port: herald.port,
    concurrency,
    total: n,
    request: (i) => request(i + 1000),
    accept,
  });
  console.log(
    `${n} accepts at concurrency ${concurrency}: ${((n * 1000) / load.elapsedMs).toFixed(0)} msgs/s, ${load.failed} failed`,
  );
  if (process.argv.includes('--drain')) {
    // Mode all: profile the worker's side too, until every message reached a final status.
    const open = () => {
      const c = herald.countByStatus();
      return (c.queued ?? 0) + (c.sending ?? 0) + (c.accepted ?? 0) + (c.sent ?? 0);
    };
    const t0 = performance.now();
    while (open() > 0) await new Promise((r) => setTimeout(r, 50));
    console.log(`drained in ${((performance.now() - t0) / 1000).toFixed(1)} s after the last accept`);
  }
} finally {
  await herald.stop();
  await stopAll();
  if (process.argv.includes('--keep')) console.log(`kept ${dir} (database and herald.log)`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
const file = fs
  .readdirSync(out)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => path.join(out, f))
  .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]; // the main thread's is the biggest
if (file) {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: Node[];
    samples: number[];
    timeDeltas: number[];
  };
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  const byFn = new Map<string, number>();
  let total = 0;
  for (const node of prof.nodes) {
    const t = self.get(node.id) ?? 0;
    total += t;
    const f = node.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '')}:${f.lineNumber}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  const top = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45);
  console.log(`profile ${file}, ${(total / 1000).toFixed(0)} ms sampled`);
  for (const [k, t] of top) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
}
