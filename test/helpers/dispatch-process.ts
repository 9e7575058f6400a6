import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'main.ts');

export interface HeraldProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal's name) when it ends. */
  exited: Promise<number | string>;
  /** Sends `signal` to this process (by its PID) and waits for it to end. */
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs `herald <args>` as a child process with `env` laid over the test's environment. Node itself runs
 * it (with tsx as a loader), not the `tsx` launcher: its PID is Herald's own, so a `kill -9` hits Herald
 * and not a wrapper that would leave it running.
 */
export function startHerald(args: string[], env: Record<string, string>, stdin?: string): HeraldProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, HERALD_LOG_LEVEL: 'info', ...env },
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin?.end(stdin);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  if (child.pid === undefined) throw new Error('herald did not start');
  const pid = child.pid;
  return {
    child,
    pid,
    output: () => out,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
      return exited;
    },
  };
}

/** Waits until the process printed `pattern` (or ended, or `timeoutMs` passed: then throws with its output). */
export async function waitForOutput(p: HeraldProcess, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (pattern.test(p.output())) return;
    if (p.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`herald did not print ${pattern}; output:\n${p.output()}`);
}
