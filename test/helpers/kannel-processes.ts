import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

/** A server process a test or bench started; stopped by its PID, never by name. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Exit code (or signal name) once the process has ended. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** Writes to the process's stdin (only when it was started with `stdin: 'pipe'`). */
  write(text: string): void;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still running. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ManagedProcess>();
let exitHandlerInstalled = false;
let signalHandlersInstalled = false;

/**
 * Starts `command` with its stdout and stderr appended to `logFile`. The process is registered so
 * `stopAll()` ends it, and whatever is still running when this process exits gets SIGKILL by its PID.
 */
export function spawnManaged(opts: {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  /** `pipe`: keep stdin open for {@link ManagedProcess.write} (fakesmsc's interactive mode). */
  stdin?: 'ignore' | 'pipe';
}): ManagedProcess {
  installExitHandler();
  const log = fs.openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.stdin ?? 'ignore', log, log],
    });
  } finally {
    fs.closeSync(log);
  }
  if (child.pid === undefined) throw new Error(`${opts.name}: could not start ${opts.command}`);
  const pid = child.pid;
  // A write to a process that just ended must not crash the test run.
  child.stdin?.on('error', () => {});
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
    write(text) {
      if (!child.stdin) throw new Error(`${opts.name} was started without a stdin pipe`);
      child.stdin.write(text);
    },
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

/** Last resort: 'exit' handlers cannot wait, so whatever is left gets SIGKILL by its PID. */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.once('exit', () => {
    for (const p of running) signal(p.pid, 'SIGKILL');
  });
}

/**
 * For a script that owns its process (a benchmark, not a test worker): on SIGINT/SIGTERM/SIGHUP or
 * an uncaught exception, stop every registered process, then exit.
 */
export function stopAllOnSignals(): void {
  if (signalHandlersInstalled) return;
  signalHandlersInstalled = true;
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
