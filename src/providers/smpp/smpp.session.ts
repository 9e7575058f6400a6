import type { ProviderDeps } from '../provider.contract.js';
import { commandStatusName, type OutgoingPdu, type SmppPdu, type SmppSession, smppLib } from './smpp.lib.js';
import { encodeSubmitSm, type SubmitSmFields } from './smpp.pdu.js';
import type { SmppSettings } from './smpp.settings.js';

/**
 * One SMPP bind (transceiver) kept up for an account: connects to the address `guardHost` returns,
 * binds, keeps at most `windowSize` `submit_sm` waiting for their response, sends `enquire_link`
 * every `enquireLinkMs`, answers the SMSC's `enquire_link`, `unbind` and `deliver_sm`, and once it
 * has been bound (by a send or by `keepOpen`) reconnects after any loss with exponential backoff and
 * jitter until `close()`. After `ESME_RTHROTTLED` / `ESME_RMSGQFUL` no submit is written on the bind for
 * `throttleBackoffMs`.
 */

/** What became of one `submit_sm`. */
export type SubmitAnswer =
  /** The SMSC answered (status 0 = accepted, `messageId` its id). */
  | { readonly kind: 'resp'; readonly status: number; readonly messageId: string }
  /**
   * The bind went away (or stopped answering) before the response: `written` says whether the PDU had
   * left us — then the SMSC may have it.
   */
  | { readonly kind: 'lost'; readonly written: boolean; readonly reason: string }
  /** No bind could be had: nothing was sent. */
  | { readonly kind: 'unavailable'; readonly code: string; readonly retryAfterMs: number };

export interface SmppConnection {
  /** Submits one `submit_sm` through the window (waits for a free slot first). */
  submit(fields: SubmitSmFields): Promise<SubmitAnswer>;
  /** Binds now and stays bound (reconnecting) until `close()`. Resolves once the first bind is tried. */
  keepOpen(): Promise<void>;
  /** Unbinds (waits briefly for `unbind_resp`) and stops reconnecting. Idempotent. */
  close(): Promise<void>;
}

export interface ConnectionOptions {
  readonly settings: SmppSettings;
  readonly deps: Pick<ProviderDeps, 'guardHost' | 'log' | 'random'>;
  /** Log fields that identify the account (never secrets). */
  readonly logFields: Readonly<Record<string, unknown>>;
  /** Handles a `deliver_sm`; resolves to the `command_status` of the `deliver_sm_resp`. */
  readonly onDeliver: (pdu: SmppPdu) => Promise<number>;
}

class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface PendingRequest {
  written: boolean;
  settle(answer: SubmitAnswer): void;
}

interface Live {
  readonly session: SmppSession;
  readonly pending: Set<PendingRequest>;
  dead: boolean;
  /** The socket is corked until the end of this tick: submits of one tick leave in one write. */
  corked: boolean;
  enquireTimer?: NodeJS.Timeout;
  enquireDeadline?: NodeJS.Timeout;
}

const UNBIND_WAIT_MS = 1000;

export function createSmppConnection(options: ConnectionOptions): SmppConnection {
  const { settings: s, deps, logFields } = options;
  let closed = false;
  /** Reconnect after a loss: set once a bind succeeded or `keepOpen` was called. */
  let keepUp = false;
  let live: Live | null = null;
  let binding: Promise<Live> | null = null;
  let failures = 0;
  let nextAttemptAt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  const windowWaiters: (() => void)[] = [];
  /** After ESME_RTHROTTLED / ESME_RMSGQFUL the whole bind pauses: the SMSC counts per bind. */
  let throttledUntil = 0;
  /** One timer per pause, so the submits waiting on it go on in the order they came. */
  let pauseGate: { until: number; done: Promise<void> } | null = null;
  const throttlePause = (): Promise<void> | null => {
    const wait = throttledUntil - Date.now();
    if (wait <= 0) return null;
    if (pauseGate?.until !== throttledUntil) {
      pauseGate = { until: throttledUntil, done: new Promise((r) => setTimeout(r, wait)) };
    }
    return pauseGate.done;
  };
  const throttling = new Set([smppLib.errors.ESME_RTHROTTLED, smppLib.errors.ESME_RMSGQFUL]);

  const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}) =>
    deps.log(level, msg, { ...logFields, ...fields });

  /** Full-jitter exponential backoff: a random delay in [base/2, base], base doubling per failure. */
  const backoffMs = () => {
    const base = Math.min(s.reconnectMaxMs, s.reconnectMinMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
    return Math.round(base / 2 + (deps.random() * base) / 2);
  };

  /** Drops the connection; `graceful` lets what was written (an `unbind_resp`) leave first. */
  function destroy(session: SmppSession, graceful = false): void {
    session.removeAllListeners();
    session.on('error', () => {});
    if (graceful) session.close();
    else session.destroy();
  }

  async function connectOnce(): Promise<Live> {
    let address: string;
    try {
      address = await deps.guardHost(s.host);
    } catch (e) {
      throw new ConnectError('SMPP_HOST_REFUSED', e instanceof Error ? e.message : String(e));
    }
    if (closed) throw new ConnectError('SMPP_CLOSED', 'the connection is closing');
    return new Promise<Live>((resolve, reject) => {
      const session = new smppLib.Session({ host: address, port: s.port });
      let settled = false;
      const fail = (e: ConnectError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        destroy(session);
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new ConnectError('SMPP_BIND_TIMEOUT', 'no bind response in time')),
        s.responseTimeoutMs,
      );
      session.on('error', (e) => fail(new ConnectError('SMPP_CONNECT', e.message)));
      session.on('close', () => fail(new ConnectError('SMPP_CONNECT', 'connection closed during bind')));
      session.on('connect', () => {
        session.socket.setNoDelay?.(true);
        session.bind_transceiver(
          {
            system_id: s.systemId,
            password: s.password,
            system_type: s.systemType,
            interface_version: 0x34,
          },
          (pdu) => {
            if (settled) return;
            if (pdu.command_status !== 0) {
              fail(new ConnectError(commandStatusName(pdu.command_status), 'the SMSC refused the bind'));
              return;
            }
            settled = true;
            clearTimeout(timer);
            session.removeAllListeners();
            resolve(attach(session));
          },
        );
      });
    });
  }

  function attach(session: SmppSession): Live {
    const l: Live = { session, pending: new Set(), dead: false, corked: false };
    session.on('error', (e) => lose(l, `connection error: ${e.message}`));
    session.on('close', () => lose(l, 'connection closed by the SMSC'));
    session.on('pdu', (pdu) => onPdu(l, pdu));
    l.enquireTimer = setInterval(() => enquire(l), s.enquireLinkMs);
    l.enquireTimer.unref();
    live = l;
    failures = 0;
    nextAttemptAt = 0;
    keepUp = true;
    log('info', 'smpp: bound as transceiver');
    return l;
  }

  function enquire(l: Live): void {
    if (l.dead || l.enquireDeadline) return;
    l.enquireDeadline = setTimeout(() => lose(l, 'enquire_link not answered'), s.responseTimeoutMs);
    l.enquireDeadline.unref();
    l.session.enquire_link({}, () => {
      clearTimeout(l.enquireDeadline);
      l.enquireDeadline = undefined;
    });
  }

  function onPdu(l: Live, pdu: SmppPdu): void {
    switch (pdu.command) {
      case 'enquire_link':
        l.session.send(pdu.response());
        return;
      case 'unbind':
        l.session.send(pdu.response());
        lose(l, 'the SMSC unbound', true);
        return;
      case 'deliver_sm':
        options.onDeliver(pdu).then(
          (status) => {
            if (!l.dead) l.session.send(pdu.response({ command_status: status }));
          },
          () => {
            // A temporary application error: the SMSC delivers the PDU again later.
            if (!l.dead) l.session.send(pdu.response({ command_status: smppLib.errors.ESME_RX_T_APPN }));
          },
        );
        return;
      case 'unknown':
        l.session.send(pdu.response());
        return;
      default:
        return;
    }
  }

  /** The bind is gone: every request waiting on it is lost; reconnect if we keep the bind up. */
  function lose(l: Live, reason: string, graceful = false): void {
    if (l.dead) return;
    l.dead = true;
    clearInterval(l.enquireTimer);
    clearTimeout(l.enquireDeadline);
    if (live === l) live = null;
    destroy(l.session, graceful);
    for (const req of [...l.pending]) req.settle({ kind: 'lost', written: req.written, reason });
    if (!closed) log('warn', 'smpp: bind lost', { reason });
    if (keepUp && !closed) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (retryTimer || binding || closed) return;
    const delay = backoffMs();
    nextAttemptAt = Date.now() + delay;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      ensureBound().catch(() => {});
    }, delay);
    retryTimer.unref();
  }

  function ensureBound(): Promise<Live> {
    if (closed) return Promise.reject(new ConnectError('SMPP_CLOSED', 'the connection is closed'));
    if (live && !live.dead) return Promise.resolve(live);
    if (retryTimer) {
      clearTimeout(retryTimer);
      retryTimer = undefined;
    }
    binding ??= connectOnce().then(
      (l) => {
        binding = null;
        return l;
      },
      (e: unknown) => {
        binding = null;
        failures++;
        const code = e instanceof ConnectError ? e.code : 'SMPP_CONNECT';
        log('warn', 'smpp: bind failed', { code, failures });
        if (keepUp && !closed) scheduleReconnect();
        else nextAttemptAt = Date.now() + backoffMs();
        throw e;
      },
    );
    return binding;
  }

  /**
   * A place in the window; false when none came free within `windowWaitMs`. The message then was not
   * sent, and says so (retryable), before the worker's submit timeout could call it `unknown` while it
   * was still waiting here — and send it later anyway.
   */
  function acquire(): Promise<boolean> {
    if (inFlight < s.windowSize) {
      inFlight++;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        const at = windowWaiters.indexOf(waiter);
        if (at < 0) return; // handed a place in the same turn
        windowWaiters.splice(at, 1);
        resolve(false);
      }, s.windowWaitMs);
      windowWaiters.push(waiter);
    });
  }

  /** Hands the slot straight to the next waiter, so a late arrival cannot overtake the queue. */
  function release(): void {
    const next = windowWaiters.shift();
    if (next) next();
    else inFlight--;
  }

  const unavailable = (code: string): SubmitAnswer => ({
    kind: 'unavailable',
    code,
    retryAfterMs: Math.max(nextAttemptAt - Date.now(), s.reconnectMinMs),
  });

  async function submit(fields: SubmitSmFields): Promise<SubmitAnswer> {
    if (!(await acquire())) return unavailable('SMPP_WINDOW_FULL');
    try {
      if (closed) return unavailable('SMPP_CLOSED');
      // Inside a backoff no new connection is tried for each message: they wait for the next attempt.
      if ((!live || live.dead) && !binding && nextAttemptAt > Date.now())
        return unavailable('SMPP_NOT_BOUND');
      const pause = throttlePause();
      if (pause) await pause;
      let l: Live;
      try {
        l = await ensureBound();
      } catch (e) {
        return unavailable(e instanceof ConnectError ? e.code : 'SMPP_CONNECT');
      }
      return await new Promise<SubmitAnswer>((resolve) => {
        const req: PendingRequest = {
          written: false,
          settle(answer) {
            if (!l.pending.delete(req)) return;
            clearTimeout(timer);
            resolve(answer);
          },
        };
        l.pending.add(req);
        const timer = setTimeout(() => {
          req.settle({ kind: 'lost', written: req.written, reason: 'no submit_sm_resp in time' });
          lose(l, 'submit_sm_resp not answered');
        }, s.responseTimeoutMs);
        if (!l.corked) {
          l.corked = true;
          l.session.socket.cork();
          process.nextTick(() => {
            l.corked = false;
            l.session.socket.uncork();
          });
        }
        const pdu: OutgoingPdu = {
          command: 'submit_sm',
          sequence_number: 0,
          isResponse: () => false,
          toBuffer() {
            return encodeSubmitSm(this.sequence_number, fields);
          },
        };
        const sent = l.session.send(
          pdu,
          (pdu) => {
            // generic_nack answers a PDU the SMSC could not read; with status 0 it still refused it.
            const status = pdu.command_status || (pdu.command === 'generic_nack' ? 0x03 : 0);
            if (throttling.has(status)) throttledUntil = Date.now() + s.throttleBackoffMs;
            req.settle({ kind: 'resp', status, messageId: pdu.message_id ?? '' });
          },
          () => {
            req.written = true;
          },
        );
        if (!sent) req.settle({ kind: 'lost', written: false, reason: 'the socket is not writable' });
      });
    } finally {
      release();
    }
  }

  return {
    submit,
    async keepOpen() {
      keepUp = true;
      try {
        await ensureBound();
      } catch {
        // Logged in ensureBound; the reconnect timer keeps trying.
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      if (binding) await binding.catch(() => undefined);
      const l = live;
      if (!l || l.dead) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, UNBIND_WAIT_MS);
        timer.unref();
        const sent = l.session.unbind({}, () => {
          clearTimeout(timer);
          resolve();
        });
        if (!sent) {
          clearTimeout(timer);
          resolve();
        }
      });
      lose(l, 'closed');
    },
  };
}
