import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

/** A server process the bench started; stopped by its PID, never by name. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Exit code (or signal name) once the process has ended. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still running. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ManagedProcess>();
let handlersInstalled = false;

/**
 * Starts `command` with its stdout and stderr appended to `logFile`. The process is registered so
 * `stopAll()` and the exit handlers (installed on first use) end it whatever happens to the bench.
 */
export function spawnManaged(opts: {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}): ManagedProcess {
  installExitHandlers();
  const log = fs.openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', log, log],
    });
  } finally {
    fs.closeSync(log);
  }
  if (child.pid === undefined) throw new Error(`${opts.name}: could not start ${opts.command}`);
  const pid = child.pid;
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      running.delete(managed);
      resolve(signal ?? String(code));
    });
    child.once('error', (e) => {
      done = true;
      running.delete(managed);
      resolve(`error: ${e.message}`);
    });
  });
  const managed: ManagedProcess = {
    name: opts.name,
    pid,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5000) {
      if (done) return;
      signal(pid, 'SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout') {
        signal(pid, 'SIGKILL');
        await exited;
      }
    },
  };
  running.add(managed);
  return managed;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Stops every process still registered, the most recently started first. */
export async function stopAll(): Promise<void> {
  for (const p of [...running].reverse()) await p.stop();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort: 'exit' handlers cannot wait, so whatever is left gets SIGKILL by its PID.
  process.once('exit', () => {
    for (const p of running) signal(p.pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
  process.once('uncaughtException', (e) => {
    console.error(e);
    void stopAll().finally(() => process.exit(70));
  });
}
