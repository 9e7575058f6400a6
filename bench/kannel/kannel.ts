import fs from 'node:fs';
import path from 'node:path';
import { type KannelPorts, kannelConfig } from './kannel.config.js';
import { freePorts, LOOPBACK, waitForPort } from './ports.js';
import { type ManagedProcess, spawnManaged } from './processes.js';

/** Debian's `kannel` and `kannel-extras` (fakesmsc) binaries. */
export const KANNEL_BINARIES = {
  bearerbox: '/usr/sbin/bearerbox',
  smsbox: '/usr/sbin/smsbox',
  fakesmsc: '/usr/lib/kannel/test/fakesmsc',
} as const;

/** The binaries that are not installed (empty when Kannel can run). */
export function missingKannelBinaries(): string[] {
  return Object.values(KANNEL_BINARIES).filter((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

export interface KannelStatus {
  /** Messages bearerbox sent to the SMSC so far. */
  sent: number;
  /** Messages waiting in bearerbox's outgoing queue. */
  queued: number;
  /** Messages in the store (-1 without one). */
  storeSize: number;
  /** DLRs waiting in bearerbox's DLR storage. */
  dlrQueued: number;
}

export interface RunningKannel {
  ports: KannelPorts;
  username: string;
  password: string;
  bearerbox: ManagedProcess;
  smsbox: ManagedProcess;
  fakesmsc: ManagedProcess;
  /** The store file when one is configured. */
  storeFile: string | undefined;
  status(): Promise<KannelStatus>;
  /** Waits until bearerbox has handed every queued message to the SMSC. */
  waitIdle(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * bearerbox + fakesmsc + smsbox from a generated config in `dir`, all on 127.0.0.1 with free
 * ports, started in the order Kannel's own checks use; resolves when the fake SMSC is online and
 * smsbox is connected. Logs go to `dir/*.log`.
 */
export async function startKannel(opts: { dir: string; store: boolean }): Promise<RunningKannel> {
  const [admin, smsbox, fakeSmsc, sendsms] = await freePorts(4);
  const ports: KannelPorts = { admin: admin!, smsbox: smsbox!, fakeSmsc: fakeSmsc!, sendsms: sendsms! };
  const adminPassword = 'bench-admin';
  const username = 'bench';
  const password = 'bench-secret';
  const storeFile = opts.store ? path.join(opts.dir, 'kannel.store') : undefined;
  const confFile = path.join(opts.dir, 'kannel.conf');
  fs.writeFileSync(confFile, kannelConfig({ ports, adminPassword, username, password, storeFile }));

  const started: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...started].reverse()) await p.stop();
  };
  try {
    const bearerbox = spawnManaged({
      name: 'bearerbox',
      command: KANNEL_BINARIES.bearerbox,
      args: ['-v', '2', confFile],
      cwd: opts.dir,
      logFile: path.join(opts.dir, 'bearerbox.log'),
    });
    started.push(bearerbox);
    await waitForPort(ports.fakeSmsc, 10_000, 'bearerbox (fake SMSC listener)');
    await waitForPort(ports.smsbox, 10_000, 'bearerbox (smsbox port)');
    // fakesmsc: the SMSC. One MO template is required on the command line; -m 0 sends none of them.
    const fakesmsc = spawnManaged({
      name: 'fakesmsc',
      command: KANNEL_BINARIES.fakesmsc,
      args: ['-H', LOOPBACK, '-r', String(ports.fakeSmsc), '-m', '0', '-v', '2', '1 2 text unused'],
      cwd: opts.dir,
      logFile: path.join(opts.dir, 'fakesmsc.log'),
    });
    started.push(fakesmsc);
    const smsboxProcess = spawnManaged({
      name: 'smsbox',
      command: KANNEL_BINARIES.smsbox,
      args: ['-v', '2', confFile],
      cwd: opts.dir,
      logFile: path.join(opts.dir, 'smsbox.log'),
    });
    started.push(smsboxProcess);
    await waitForPort(ports.sendsms, 10_000, 'smsbox (sendsms)');

    const statusText = async () => {
      const res = await fetch(
        `http://${LOOPBACK}:${ports.admin}/status.txt?password=${encodeURIComponent(adminPassword)}`,
      );
      return res.text();
    };
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = await statusText().catch(() => '');
      const smscOnline = /FAKE:\d+ \(online/.test(text);
      const smsboxOnline = /smsbox:.*on-line/.test(text);
      if (smscOnline && smsboxOnline) break;
      for (const p of started) {
        if (p.hasExited()) throw new Error(`${p.name} exited early; see ${opts.dir}/${p.name}.log`);
      }
      if (Date.now() > deadline) throw new Error(`Kannel did not come online; last status:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const status = async (): Promise<KannelStatus> => {
      const text = await statusText();
      const sms = /SMS: received \d+ \(\d+ queued\), sent (\d+) \((\d+) queued\), store size (-?\d+)/.exec(
        text,
      );
      const dlr = /DLR: (\d+) queued/.exec(text);
      if (!sms || !dlr) throw new Error(`unexpected Kannel status:\n${text}`);
      return {
        sent: Number(sms[1]),
        queued: Number(sms[2]),
        storeSize: Number(sms[3]),
        dlrQueued: Number(dlr[1]),
      };
    };
    return {
      ports,
      username,
      password,
      bearerbox,
      smsbox: smsboxProcess,
      fakesmsc,
      storeFile,
      status,
      async waitIdle(timeoutMs) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const s = await status();
          if (s.queued === 0 && s.storeSize <= 0) return;
          if (Date.now() > end)
            throw new Error(`Kannel still busy after ${timeoutMs} ms: ${JSON.stringify(s)}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
