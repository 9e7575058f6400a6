import fs from 'node:fs';
import path from 'node:path';
import { type KannelConfigOptions, type KannelPorts, kannelConfig } from './kannel-config.js';
import { freePorts, LOOPBACK, waitForPort } from './kannel-ports.js';
import { type ManagedProcess, spawnManaged } from './kannel-processes.js';

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

/**
 * A message bearerbox handed to fakesmsc (mobile-terminated), as fakesmsc logged it: smsc_fake
 * writes `sender receiver text <text>`, `… ucs-2 <url-encoded UCS-2>`, `… data <url-encoded 8-bit>`
 * or, with a user data header, `… udh <url-encoded UDH> data <url-encoded payload>` (7-bit payloads
 * unpacked, one character per byte).
 */
export interface MtMessage {
  from: string;
  to: string;
  type: 'text' | 'ucs-2' | 'data' | 'udh';
  /** The user data header's bytes (`udh` only). */
  udh?: Buffer;
  /** The payload's bytes: UTF-16BE for `ucs-2`, one GSM character per byte for `text`. */
  data: Buffer;
  /** The raw line. */
  line: string;
}

export interface KannelPeerOptions {
  /** Where the config, logs and store go (the caller removes it). */
  dir: string;
  /** bearerbox's message store (`store-type = file`). */
  store: boolean;
  /** fakesmsc logs every message it receives (debug level) so {@link RunningKannel.mt} can read them; costs time. */
  recordMt?: boolean;
  /**
   * fakesmsc runs interactively: {@link RunningKannel.injectMo} writes mobile-originated messages to its
   * stdin. Default: fakesmsc sends none.
   */
  mo?: boolean;
  /** The `sms-service` get-url for mobile-originated messages (with Kannel's escapes), and its `omit-empty`. */
  inbound?: KannelConfigOptions['inbound'];
  /** Kannel's own splitting for the sendsms user (`max-messages`, `concatenation`). */
  split?: KannelConfigOptions['split'];
  /** A second SMSC `offline` nobody connects to, and no queueing for it: sendsms with `smsc=offline` gets 503. */
  offlineSmsc?: boolean;
  /** smsbox's `http-request-retry` for dlr-url and get-url requests. */
  httpRequestRetry?: number;
  /** Kannel log level of bearerbox and smsbox (default 2, warning). */
  logLevel?: number;
  /** Extra settings of the smsbox group. */
  smsboxExtra?: KannelConfigOptions['smsboxExtra'];
}

export interface RunningKannel {
  ports: KannelPorts;
  username: string;
  password: string;
  /** `http://127.0.0.1:<port>/cgi-bin/sendsms`. */
  sendsmsUrl: string;
  bearerbox: ManagedProcess;
  smsbox: ManagedProcess;
  fakesmsc: ManagedProcess;
  /** The store file when one is configured. */
  storeFile: string | undefined;
  status(): Promise<KannelStatus>;
  /** Waits until bearerbox has handed every queued message to the SMSC. */
  waitIdle(timeoutMs: number): Promise<void>;
  /** Every message fakesmsc received so far (needs `recordMt`). */
  mt(): MtMessage[];
  /** Waits for a received message that `matches` (needs `recordMt`). */
  waitForMt(matches: (m: MtMessage) => boolean, timeoutMs: number): Promise<MtMessage>;
  /** fakesmsc sends a mobile-originated SMS from `from` to `to` (needs `mo`). */
  injectMo(sms: { from: string; to: string; text: string; coding?: 'text' | 'ucs2' }): void;
  /** Points the sms-service's get-url elsewhere: rewrites the config and restarts smsbox. */
  setInbound(inbound: NonNullable<KannelConfigOptions['inbound']>): Promise<void>;
  stop(): Promise<void>;
}

const ADMIN_PASSWORD = 'bench-admin';

/**
 * bearerbox + fakesmsc + smsbox from a generated config in `dir`, all on 127.0.0.1 with free
 * ports, started in the order Kannel's own checks use; resolves when the fake SMSC is online and
 * smsbox is connected. Logs go to `dir/*.log`.
 */
export async function startKannel(opts: KannelPeerOptions): Promise<RunningKannel> {
  const [admin, smsbox, fakeSmsc, sendsms, offline] = await freePorts(5);
  const ports: KannelPorts = {
    admin: admin!,
    smsbox: smsbox!,
    fakeSmsc: fakeSmsc!,
    sendsms: sendsms!,
    ...(opts.offlineSmsc ? { offlineSmsc: offline! } : {}),
  };
  const username = 'bench';
  const password = 'bench-secret';
  const storeFile = opts.store ? path.join(opts.dir, 'kannel.store') : undefined;
  const confFile = path.join(opts.dir, 'kannel.conf');
  let inbound = opts.inbound;
  const writeConfig = () =>
    fs.writeFileSync(
      confFile,
      kannelConfig({
        ports,
        adminPassword: ADMIN_PASSWORD,
        username,
        password,
        ...(storeFile ? { storeFile } : {}),
        ...(inbound ? { inbound } : {}),
        ...(opts.split ? { split: opts.split } : {}),
        ...(opts.offlineSmsc ? { refuseQueueing: true } : {}),
        ...(opts.httpRequestRetry !== undefined ? { httpRequestRetry: opts.httpRequestRetry } : {}),
        ...(opts.logLevel !== undefined ? { logLevel: opts.logLevel } : {}),
        ...(opts.smsboxExtra ? { smsboxExtra: opts.smsboxExtra } : {}),
      }),
    );
  writeConfig();
  const level = String(opts.logLevel ?? 2);
  const fakesmscLog = path.join(opts.dir, 'fakesmsc.log');

  const started: ManagedProcess[] = [];
  const stop = async () => {
    for (const p of [...started].reverse()) await p.stop();
  };
  const statusText = async () => {
    const res = await fetch(
      `http://${LOOPBACK}:${ports.admin}/status.txt?password=${encodeURIComponent(ADMIN_PASSWORD)}`,
    );
    return res.text();
  };
  const waitOnline = async (what: string) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = await statusText().catch(() => '');
      const smscOnline = /FAKE:\d+ \(online/.test(text);
      const smsboxOnline = /smsbox:.*on-line/.test(text);
      if (smscOnline && smsboxOnline) return;
      for (const p of started) {
        if (p.hasExited()) throw new Error(`${p.name} exited early; see ${opts.dir}/${p.name}.log`);
      }
      if (Date.now() > deadline)
        throw new Error(`Kannel (${what}) did not come online; last status:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const spawnSmsbox = () =>
    spawnManaged({
      name: 'smsbox',
      command: KANNEL_BINARIES.smsbox,
      args: ['-v', level, confFile],
      cwd: opts.dir,
      logFile: path.join(opts.dir, 'smsbox.log'),
    });

  try {
    const bearerbox = spawnManaged({
      name: 'bearerbox',
      command: KANNEL_BINARIES.bearerbox,
      args: ['-v', level, confFile],
      cwd: opts.dir,
      logFile: path.join(opts.dir, 'bearerbox.log'),
    });
    started.push(bearerbox);
    await waitForPort(ports.fakeSmsc, 10_000, 'bearerbox (fake SMSC listener)');
    await waitForPort(ports.smsbox, 10_000, 'bearerbox (smsbox port)');
    // fakesmsc: the SMSC. Interactive (no message on the command line) it sends each line of its stdin
    // as a mobile-originated message; otherwise one template is required and -m 0 sends none of them.
    // -v 0 (debug) makes it log every message it receives.
    const fakesmsc = spawnManaged({
      name: 'fakesmsc',
      command: KANNEL_BINARIES.fakesmsc,
      args: [
        '-H',
        LOOPBACK,
        '-r',
        String(ports.fakeSmsc),
        '-v',
        opts.recordMt ? '0' : '2',
        ...(opts.mo ? ['-i', '0'] : ['-m', '0', '1 2 text unused']),
      ],
      cwd: opts.dir,
      logFile: fakesmscLog,
      stdin: opts.mo ? 'pipe' : 'ignore',
    });
    started.push(fakesmsc);
    let smsboxProcess = spawnSmsbox();
    started.push(smsboxProcess);
    await waitForPort(ports.sendsms, 10_000, 'smsbox (sendsms)');
    await waitOnline('start');

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
    const mt = (): MtMessage[] => {
      if (!opts.recordMt) throw new Error('startKannel({ recordMt: true }) to read what fakesmsc received');
      const log = fs.readFileSync(fakesmscLog, 'latin1');
      const out: MtMessage[] = [];
      for (const match of log.matchAll(/Got message \d+: <(.*)>$/gm)) out.push(parseMtLine(match[1]!));
      return out;
    };
    return {
      ports,
      username,
      password,
      sendsmsUrl: `http://${LOOPBACK}:${ports.sendsms}/cgi-bin/sendsms`,
      bearerbox,
      get smsbox() {
        return smsboxProcess;
      },
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
      mt,
      async waitForMt(matches, timeoutMs) {
        const end = Date.now() + timeoutMs;
        for (;;) {
          const found = mt().find(matches);
          if (found) return found;
          if (Date.now() > end)
            throw new Error(`fakesmsc received no matching message within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      injectMo(sms) {
        if (!opts.mo) throw new Error('startKannel({ mo: true }) to send mobile-originated messages');
        if (/\s/.test(sms.from) || /\s/.test(sms.to) || /[\r\n]/.test(sms.text)) {
          throw new Error('fakesmsc lines: numbers without spaces, text on one line');
        }
        // fgets into a 256-byte buffer: longer lines would be cut.
        const body =
          sms.coding === 'ucs2'
            ? `ucs2 ${[...Buffer.from(sms.text, 'utf16le').swap16()].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`
            : `text ${sms.text}`;
        const line = `${sms.from} ${sms.to} ${body}\n`;
        if (Buffer.byteLength(line) > 250) throw new Error('fakesmsc reads at most 255 bytes per line');
        fakesmsc.write(line);
      },
      async setInbound(next) {
        inbound = next;
        writeConfig();
        await smsboxProcess.stop();
        started.splice(started.indexOf(smsboxProcess), 1);
        smsboxProcess = spawnSmsbox();
        started.push(smsboxProcess);
        await waitForPort(ports.sendsms, 10_000, 'smsbox (sendsms)');
        await waitOnline('smsbox restart');
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** One line of fakesmsc's protocol as bearerbox's fake SMSC driver writes it. */
export function parseMtLine(line: string): MtMessage {
  const [from = '', to = '', type = '', ...rest] = line.split(' ');
  const decode = (s: string) => urlDecodeBytes(s);
  if (type === 'udh') {
    // `udh <udh> data <payload>`
    const [udh = '', , payload = ''] = rest;
    return { from, to, type: 'udh', udh: decode(udh), data: decode(payload), line };
  }
  if (type === 'ucs-2' || type === 'data') return { from, to, type, data: decode(rest.join(' ')), line };
  return { from, to, type: 'text', data: Buffer.from(rest.join(' '), 'latin1'), line };
}

/** Kannel's url-encoding (`%XX`, `+` for a space) back to bytes. */
function urlDecodeBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}
