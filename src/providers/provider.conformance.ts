import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../core/encoding/index.js';
import {
  type CallbackRequest,
  type DeliveryReport,
  type InboundSms,
  normalizeGatewayId,
  type OutboundMessage,
  type Provider,
  type ProviderSink,
  REPORT_STATUSES,
} from './provider.contract.js';

/**
 * The shared conformance suite every adapter passes (DESIGN §5 rule 8). Each adapter's test file
 * calls {@link runProviderConformance} with a setup that starts its local peer (a fake gateway, a
 * real Kannel, an SMPP SMSC, or nothing for the simulator) and builds instances configured so the
 * peer answers each scenario. Delivery reports arrive at a real local HTTP server
 * ({@link startCallbackServer}). A case an adapter cannot run is skipped with its reason.
 */

export type ConformanceScenario = 'accept' | 'permanent' | 'retryable';
export type ConformanceCase =
  | 'capabilities'
  | 'accept'
  | 'unicode'
  | 'multipart'
  | 'permanent'
  | 'retryable'
  | 'report'
  | 'tampered_report'
  | 'inbound'
  | 'tampered_inbound';

/** Collects what an adapter hands to its sink (reports and inbound over its own connection). */
export interface CollectingSink extends ProviderSink {
  readonly reportsReceived: DeliveryReport[];
  readonly inboundReceived: InboundSms[];
  /** Resolves when a report (or inbound message) has arrived; rejects after `timeoutMs`. */
  nextReport(timeoutMs: number): Promise<DeliveryReport>;
  nextInbound(timeoutMs: number): Promise<InboundSms>;
}

export interface ConformanceSetup {
  /**
   * An instance whose peer answers every submit the way `scenario` says. Pass `sink` in the
   * instance's deps: adapters with their own connection deliver reports and inbound there.
   */
  provider(
    scenario: ConformanceScenario,
    callbackUrl: string,
    sink: ProviderSink,
  ): Provider | Promise<Provider>;
  /**
   * Makes the peer deliver an inbound SMS (a reply from a handset) to `inboundUrl` (HTTP adapters) or
   * over the instance's connection (to its sink). Needed for the `inbound` cases.
   */
  triggerInbound?(
    provider: Provider,
    sms: { from: string; to: string; text: string },
    inboundUrl: string,
  ): Promise<void>;
  /** Where reports and inbound messages arrive: posted to the callback server (default) or to the sink. */
  reportsVia?: 'callback' | 'sink';
  /** Cases this adapter cannot run, each with the reason shown in the test name. */
  skip?: Partial<Record<ConformanceCase, string>>;
  /** How long to wait for a delivery report (ms). Default 5,000. */
  reportTimeoutMs?: number;
  /**
   * The request with its signature removed, for the tampered cases. Default: every header but
   * `content-type` dropped; gateways that sign inside the parameters (Vonage's `sig`) remove it there.
   */
  unsign?(request: CallbackRequest): CallbackRequest;
  close?(): Promise<void>;
}

/** Items in arrival order, each handed once to `next` (which waits for the next one not yet taken). */
function arrivals<T>(what: string) {
  const items: T[] = [];
  let taken = 0;
  const waiters = new Set<() => void>();
  return {
    items,
    push(more: readonly T[]) {
      items.push(...more);
      for (const wake of [...waiters]) wake();
    },
    next(timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          if (items.length <= taken) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(items[taken++] as T);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

export function collectingSink(): CollectingSink {
  const reports = arrivals<DeliveryReport>('report');
  const inbound = arrivals<InboundSms>('inbound');
  return {
    reportsReceived: reports.items,
    inboundReceived: inbound.items,
    reports: async (r) => reports.push(r),
    inbound: async (m) => inbound.push(m),
    nextReport: (t) => reports.next(t),
    nextInbound: (t) => inbound.next(t),
  };
}

export function conformanceMessage(callbackUrl: string, text = 'Your code is 1234'): OutboundMessage {
  const a = analyzeText(text);
  return {
    id: 'conformance-message',
    to: '+4915123456789',
    from: 'Herald',
    text: a.text,
    encoding: a.encoding,
    parts: a.parts,
    callbackUrl,
  };
}

export function runProviderConformance(name: string, makeSetup: () => Promise<ConformanceSetup>): void {
  describe(`provider conformance: ${name}`, () => {
    let setup: ConformanceSetup;
    let callbacks: CallbackServer;
    const open: Provider[] = [];
    const sinks = new Map<Provider, CollectingSink>();
    const instance = async (scenario: ConformanceScenario) => {
      const sink = collectingSink();
      const p = await setup.provider(scenario, callbacks.url, sink);
      open.push(p);
      sinks.set(p, sink);
      return p;
    };
    const timeout = () => setup.reportTimeoutMs ?? 5000;

    beforeAll(async () => {
      setup = await makeSetup();
      callbacks = await startCallbackServer();
    });
    afterAll(async () => {
      for (const p of open) await p.close();
      await callbacks?.close();
      await setup?.close?.();
    });

    const test = (c: ConformanceCase, title: string, fn: () => Promise<void>) => {
      // The skip list is known only after setup; register every case and skip inside.
      it(title, async (ctx) => {
        const reason = setup.skip?.[c];
        if (reason) ctx.skip(`${c}: ${reason}`);
        await fn();
      });
    };

    test('capabilities', 'declares every capability, frozen, and has the methods they promise', async () => {
      const p = await instance('accept');
      const c = p.capabilities;
      for (const flag of ['unicode', 'deliveryReports', 'statusQuery', 'inbound'] as const) {
        expect(typeof c[flag], flag).toBe('boolean');
      }
      expect(Number.isInteger(c.maxParts) && c.maxParts >= 1 && c.maxParts <= 255).toBe(true);
      expect(Array.isArray(c.shiftTables)).toBe(true);
      expect(['messages', 'parts']).toContain(c.throughputUnit);
      expect(Object.isFrozen(c)).toBe(true);
      expect(c.statusQuery).toBe(typeof p.queryStatus === 'function');
      if (c.inbound)
        expect(typeof p.parseInbound === 'function' || typeof p.listen === 'function').toBe(true);
      if (setup.reportsVia === 'sink') expect(typeof p.listen).toBe('function');
    });

    test('accept', 'an accepted submit returns ok with a gateway id and accepted/sent', async () => {
      const p = await instance('accept');
      expect(p.capabilities.maxParts).toBeGreaterThanOrEqual(1);
      const outcome = await p.send(conformanceMessage(callbacks.url));
      expect(outcome).toMatchObject({ ok: true });
      if (!outcome.ok) return;
      expect(['accepted', 'sent']).toContain(outcome.status);
      expect(normalizeGatewayId(outcome.gatewayId)).not.toBe('');
    });

    test('unicode', 'a UCS-2 message (Cyrillic and an emoji) is accepted', async () => {
      const p = await instance('accept');
      const message = conformanceMessage(callbacks.url, 'Привет! Ваш код 1234 😀');
      expect(message.encoding).toBe('UCS-2');
      expect(await p.send(message)).toMatchObject({ ok: true });
    });

    test('multipart', 'a 3-part GSM message is accepted as one message with one gateway id', async () => {
      const p = await instance('accept');
      const message = conformanceMessage(callbacks.url, 'Herald multipart test. '.repeat(18));
      expect(message.parts.length).toBe(3);
      const outcome = await p.send(message);
      expect(outcome).toMatchObject({ ok: true });
      if (outcome.ok) expect(normalizeGatewayId(outcome.gatewayId)).not.toBe('');
    });

    test('permanent', 'a permanent refusal says so, with a code and a text', async () => {
      const outcome = await (await instance('permanent')).send(conformanceMessage(callbacks.url));
      expect(outcome).toMatchObject({ ok: false, class: 'permanent' });
      if (outcome.ok) return;
      expect(outcome.code).not.toBe('');
      expect(outcome.text).not.toBe('');
    });

    test('retryable', 'a temporary failure is retryable (or throttled), never permanent', async () => {
      const outcome = await (await instance('retryable')).send(conformanceMessage(callbacks.url));
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(['retryable', 'throttled']).toContain(outcome.class);
      expect(outcome.code).not.toBe('');
    });

    test(
      'report',
      'the delivery report reaches the callback URL and parses to the same gateway id',
      async () => {
        const p = await instance('accept');
        const outcome = await p.send(conformanceMessage(`${callbacks.url}/report`));
        if (!outcome.ok) throw new Error(`submit failed: ${outcome.code}`);
        if (setup.reportsVia === 'sink') {
          const r = await sinks.get(p)!.nextReport(timeout());
          expect(normalizeGatewayId(r.gatewayId)).toBe(normalizeGatewayId(outcome.gatewayId));
          expect(REPORT_STATUSES).toContain(r.status);
          return;
        }
        const request = await callbacks.next(timeout(), '/callback/report');
        const parsed = p.parseDeliveryReport(request);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.reports.length).toBeGreaterThanOrEqual(1);
        for (const r of parsed.reports) {
          expect(normalizeGatewayId(r.gatewayId)).toBe(normalizeGatewayId(outcome.gatewayId));
          expect(REPORT_STATUSES).toContain(r.status);
        }
        callbacks.keep(request);
      },
    );

    test('tampered_report', 'a tampered or unsigned report is refused as invalid_signature', async () => {
      const p = await instance('accept');
      let request = callbacks.kept();
      if (!request) {
        const outcome = await p.send(conformanceMessage(`${callbacks.url}/tampered`));
        if (!outcome.ok) throw new Error(`submit failed: ${outcome.code}`);
        request = await callbacks.next(setup.reportTimeoutMs ?? 5000, '/callback/tampered');
      }
      expect(p.parseDeliveryReport(request).ok).toBe(true);
      const tampered = { ...request, body: tamper(request.body) };
      expect(p.parseDeliveryReport(tampered)).toEqual({ ok: false, reason: 'invalid_signature' });
      const unsigned = unsignRequest(setup, request);
      expect(p.parseDeliveryReport(unsigned)).toEqual({ ok: false, reason: 'invalid_signature' });
    });

    const sms = { from: '+4915123456789', to: '+4930123456', text: 'STOP' };
    const inboundRequest = async (p: Provider, path: string) => {
      if (!setup.triggerInbound) throw new Error('the setup has no triggerInbound');
      await setup.triggerInbound(p, sms, `${callbacks.url}${path}`);
      return callbacks.next(timeout(), `/callback${path}`);
    };
    const sameNumber = (a: string, b: string) => a.replace(/\D/g, '') === b.replace(/\D/g, '');

    test('inbound', 'an inbound SMS from the peer parses to its sender, recipient and text', async () => {
      const p = await instance('accept');
      expect(p.capabilities.inbound).toBe(true);
      let got: InboundSms;
      if (setup.reportsVia === 'sink') {
        await setup.triggerInbound!(p, sms, `${callbacks.url}/inbound`);
        got = await sinks.get(p)!.nextInbound(timeout());
      } else {
        const request = await inboundRequest(p, '/inbound');
        const parsed = p.parseInbound!(request);
        if (!parsed.ok) throw new Error(`inbound not parsed: ${parsed.reason}`);
        expect(parsed.messages).toHaveLength(1);
        got = parsed.messages[0]!;
      }
      expect(sameNumber(got.from, sms.from)).toBe(true);
      expect(sameNumber(got.to, sms.to)).toBe(true);
      expect(got.text).toBe(sms.text);
    });

    test(
      'tampered_inbound',
      'a tampered or unsigned inbound request is refused as invalid_signature',
      async () => {
        const p = await instance('accept');
        const request = await inboundRequest(p, '/inbound-tampered');
        expect(p.parseInbound!(request).ok).toBe(true);
        const tampered = { ...request, body: request.body.replace('STOP', 'HELP') };
        expect(p.parseInbound!(tampered)).toEqual({ ok: false, reason: 'invalid_signature' });
        const unsigned = unsignRequest(setup, request);
        expect(p.parseInbound!(unsigned)).toEqual({ ok: false, reason: 'invalid_signature' });
      },
    );
  });
}

function unsignRequest(setup: ConformanceSetup, request: CallbackRequest): CallbackRequest {
  if (setup.unsign) return setup.unsign(request);
  return { ...request, headers: { 'content-type': request.headers['content-type'] ?? '' } };
}

/** Changes the report's meaning, not just its bytes: a forged "delivered" is what an attacker wants. */
function tamper(body: string): string {
  for (const [from, to] of [
    ['undelivered', 'delivered'],
    ['delivered', 'undelivered'],
    ['rejected', 'delivered'],
  ] as const) {
    if (body.includes(from)) return body.replace(from, to);
  }
  return `${body} `;
}

export interface CallbackServer {
  /** Base URL of the server; any path is accepted. */
  readonly url: string;
  /** Every request received, in order. */
  readonly received: readonly CallbackRequest[];
  /**
   * The next request not yet taken (waits for it), optionally only one posted to `path` (e.g.
   * `/callback/report`); rejects after `timeoutMs`.
   */
  next(timeoutMs?: number, path?: string): Promise<CallbackRequest>;
  /** Status code of the following responses (default 200). */
  respondWith(status: number): void;
  keep(request: CallbackRequest): void;
  kept(): CallbackRequest | undefined;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (random port) that records what gateways post to it. */
export async function startCallbackServer(): Promise<CallbackServer> {
  const received: CallbackRequest[] = [];
  const queue: CallbackRequest[] = [];
  const waiters: { matches: (r: CallbackRequest) => boolean; deliver: (r: CallbackRequest) => void }[] = [];
  let status = 200;
  let keptRequest: CallbackRequest | undefined;

  const server = createServer(async (req, res) => {
    const request = await toCallbackRequest(req);
    received.push(request);
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    if (status >= 200 && status < 300) {
      const i = waiters.findIndex((w) => w.matches(request));
      if (i >= 0) waiters.splice(i, 1)[0]!.deliver(request);
      else queue.push(request);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: `${base}/callback`,
    received,
    next(timeoutMs = 5000, path) {
      const matches = (r: CallbackRequest) => path === undefined || new URL(r.url).pathname === path;
      const i = queue.findIndex(matches);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
      return new Promise((resolve, reject) => {
        const waiter = {
          matches,
          deliver: (r: CallbackRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no callback within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    respondWith(s) {
      status = s;
    },
    keep(r) {
      keptRequest = r;
    },
    kept: () => keptRequest,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  async function toCallbackRequest(req: IncomingMessage): Promise<CallbackRequest> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', base);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    return {
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      query: Object.fromEntries(url.searchParams),
      url: url.toString(),
    };
  }
}
