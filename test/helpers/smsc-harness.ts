import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Starts the Net::SMPP test SMSC (test/helpers/smsc-netsmpp.pl, Debian's libnet-smpp-perl) on
 * 127.0.0.1 with a free port, and drives it over its stdin/stdout JSON lines. See the script's header
 * for the commands and for how the bound system_id picks a submit's outcome.
 */

export interface SmscEvent {
  readonly ev: string;
  readonly conn?: number;
  readonly [key: string]: unknown;
}

export interface SmscSubmit extends SmscEvent {
  readonly seq: number;
  readonly outstanding: number;
  readonly source_addr: string;
  readonly source_addr_ton: number;
  readonly source_addr_npi: number;
  readonly destination_addr: string;
  readonly dest_addr_ton: number;
  readonly esm_class: number;
  readonly data_coding: number;
  readonly registered_delivery: number;
  readonly validity_period: string;
  /** short_message as hex. */
  readonly hex: string;
  readonly status: number;
  readonly message_id: string | null;
}

export interface SmscStats {
  readonly submits: number;
  readonly max_outstanding: number;
  readonly receipts: number;
  readonly mo: number;
  readonly enquire_links: number;
  readonly connections: number;
  /** Epoch seconds (fractional) of the first and the last submit_sm since the last reset; 0 before. */
  readonly first_at: number;
  readonly last_at: number;
}

export interface TestSmsc {
  readonly port: number;
  readonly pid: number;
  /** Every event so far, in order. */
  readonly events: SmscEvent[];
  submits(): SmscSubmit[];
  /** Sends a command and waits for the SMSC to have applied it. */
  command(cmd: Record<string, unknown>): Promise<void>;
  /** Waits for an event matching `pred` (also one that already arrived after `since`). */
  waitFor(pred: (e: SmscEvent) => boolean, timeoutMs?: number, since?: number): Promise<SmscEvent>;
  stats(): Promise<SmscStats>;
  close(): Promise<void>;
}

export const SMSC_SCRIPT = fileURLToPath(new URL('./smsc-netsmpp.pl', import.meta.url));

/** Why the test SMSC cannot run here (Perl or Debian's libnet-smpp-perl missing), or `null`. */
export function testSmscMissing(): string | null {
  const r = spawnSync('perl', ['-MNet::SMPP', '-MJSON::PP', '-e', '1'], { stdio: 'ignore' });
  return r.status === 0 ? null : 'perl with Net::SMPP (Debian: libnet-smpp-perl) is not installed';
}

export async function startTestSmsc(): Promise<TestSmsc> {
  const child: ChildProcessWithoutNullStreams = spawn('perl', [SMSC_SCRIPT, '0'], { stdio: 'pipe' });
  const events: SmscEvent[] = [];
  const waiters = new Set<{
    pred: (e: SmscEvent) => boolean;
    since: number;
    resolve: (e: SmscEvent) => void;
  }>();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    let e: SmscEvent;
    try {
      e = JSON.parse(line) as SmscEvent;
    } catch {
      return;
    }
    events.push(e);
    for (const w of waiters) {
      if (events.length - 1 >= w.since && w.pred(e)) {
        waiters.delete(w);
        w.resolve(e);
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const waitFor = (pred: (e: SmscEvent) => boolean, timeoutMs = 5000, since = 0): Promise<SmscEvent> => {
    const found = events.slice(since).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        since,
        resolve: (e: SmscEvent) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(
          new Error(`SMSC: no matching event within ${timeoutMs} ms${stderr ? ` (stderr: ${stderr})` : ''}`),
        );
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  let tags = 0;
  const command = async (cmd: Record<string, unknown>) => {
    const tag = `t${++tags}`;
    const since = events.length;
    child.stdin.write(`${JSON.stringify({ ...cmd, tag })}\n`);
    await waitFor((e) => e.ev === 'ok' && e.tag === tag, 5000, since);
  };

  const listening = await waitFor((e) => e.ev === 'listening', 10_000);
  return {
    port: listening.port as number,
    pid: child.pid!,
    events,
    submits: () => events.filter((e): e is SmscSubmit => e.ev === 'submit'),
    command,
    waitFor,
    async stats() {
      const since = events.length;
      child.stdin.write('{"cmd":"stats"}\n');
      return (await waitFor((e) => e.ev === 'stats', 5000, since)) as unknown as SmscStats;
    },
    async close() {
      if (child.exitCode === null) {
        child.stdin.end();
        child.kill('SIGTERM');
      }
      await exited;
    },
  };
}
