import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeText } from '../src/core/encoding/index.js';
import {
  type CallbackServer,
  conformanceMessage,
  runProviderConformance,
  startCallbackServer,
} from '../src/providers/provider.conformance.js';
import type { Provider, ProviderDeps } from '../src/providers/provider.contract.js';
import { normalizeGatewayId } from '../src/providers/provider.contract.js';
import { createProvider, defaultProviderDeps } from '../src/providers/provider.registry.js';
import {
  postSimulatorInbound,
  SIMULATOR_SIGNATURE_HEADER,
  signSimulatorInbound,
  signSimulatorReport,
  simulatorFactory,
  simulatorInboundRequest,
} from '../src/providers/simulator/simulator.provider.js';
import { seededRandom } from '../src/providers/simulator/simulator.random.js';
import {
  type SimulatorSettings,
  simulatorSettingsSchema,
} from '../src/providers/simulator/simulator.settings.js';

const TOKEN = 'callback-token-of-the-test-account';

const settings = (s: Partial<SimulatorSettings> = {}): SimulatorSettings =>
  simulatorSettingsSchema.parse({
    latencyMs: { min: 0, max: 5 },
    acceptanceRate: 1,
    noReportRate: 0,
    deliveryRate: 1,
    reportDelayMs: { min: 10, max: 30 },
    ...s,
  });

const deps = (random: () => number = seededRandom(1)): ProviderDeps => ({
  fetch: (url, init) => fetch(url, init),
  clock: { now: () => new Date() },
  random,
  sink: defaultProviderDeps.sink,
  log: () => {},
  guardHost: async (host: string) => host,
});

const simulator = (s: SimulatorSettings, d: ProviderDeps = deps(), maxParts = 10): Provider =>
  simulatorFactory.create({ id: 'acc-1', settings: s, callbackToken: TOKEN, maxParts, shiftTables: [] }, d);

runProviderConformance('simulator', async () => ({
  provider: (scenario) =>
    simulator(
      scenario === 'accept'
        ? settings()
        : scenario === 'permanent'
          ? settings({ acceptanceRate: 0 })
          : settings({ retryableRate: 1 }),
    ),
  reportTimeoutMs: 3000,
  // A simulated handset: the same signed request `herald inbound simulate` posts.
  triggerInbound: async (_provider, sms, inboundUrl) => {
    const res = await postSimulatorInbound((url, init) => fetch(url, init), inboundUrl, sms, TOKEN);
    await res.body?.cancel();
  },
}));

describe('simulator provider', () => {
  let callbacks: CallbackServer;
  const open: Provider[] = [];
  const make = (...args: Parameters<typeof simulator>) => {
    const p = simulator(...args);
    open.push(p);
    return p;
  };
  beforeEach(async () => {
    callbacks = await startCallbackServer();
  });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    await callbacks.close();
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('fills defaults for empty settings and refuses rates outside 0..1, inverted ranges and unknown fields', () => {
    expect(simulatorSettingsSchema.parse({})).toEqual({
      latencyMs: { min: 50, max: 300 },
      acceptanceRate: 0.98,
      retryableRate: 0,
      failureRate: 0,
      deliveryRate: 0.95,
      noReportRate: 0.02,
      reportDelayMs: { min: 500, max: 3000 },
    });
    for (const bad of [
      { acceptanceRate: 1.5 },
      { deliveryRate: -0.1 },
      { latencyMs: { min: 300, max: 50 } },
      { reportDelayMs: { min: 1 } },
      { colour: 'blue' },
    ]) {
      expect(simulatorSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('the same seed gives the same outcomes; acceptance 0.5 both accepts and refuses', async () => {
    const run = async (seed: number) => {
      const p = make(settings({ acceptanceRate: 0.5, noReportRate: 1, latencyMs: { min: 0, max: 0 } }), {
        ...deps(seededRandom(seed)),
      });
      const out: string[] = [];
      for (let i = 0; i < 60; i++) {
        const o = await p.send(conformanceMessage(callbacks.url));
        out.push(o.ok ? 'ok' : o.code);
      }
      return out;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(a.filter((x) => x === 'ok').length).toBeGreaterThan(15);
    expect(a.filter((x) => x === 'SIM_REJECTED').length).toBeGreaterThan(15);
  });

  it('reports undelivered or rejected according to the rates, signed with the callback token', async () => {
    const undelivered = make(settings({ deliveryRate: 0 }));
    const o1 = await undelivered.send(conformanceMessage(callbacks.url));
    const r1 = await callbacks.next(3000);
    expect(JSON.parse(r1.body)).toMatchObject({
      id: o1.ok ? o1.gatewayId : 'none',
      status: 'undelivered',
      err: 'SIM_UNDELIVERED',
    });
    expect(r1.headers[SIMULATOR_SIGNATURE_HEADER]).toBe(signSimulatorReport(r1.body, TOKEN));
    expect(r1.headers['content-type']).toBe('application/json');

    const rejected = make(settings({ failureRate: 1 }));
    await rejected.send(conformanceMessage(callbacks.url));
    const r2 = await callbacks.next(3000);
    expect(rejected.parseDeliveryReport(r2)).toMatchObject({
      ok: true,
      reports: [{ status: 'rejected', errorCode: 'SIM_REJECTED' }],
    });
  });

  it('posts no report when noReportRate is 1', async () => {
    const p = make(settings({ noReportRate: 1 }));
    expect((await p.send(conformanceMessage(callbacks.url))).ok).toBe(true);
    await sleep(150);
    expect(callbacks.received).toHaveLength(0);
  });

  it('close() cancels pending reports: nothing is posted afterwards', async () => {
    const p = make(settings({ reportDelayMs: { min: 100, max: 100 } }));
    expect((await p.send(conformanceMessage(callbacks.url))).ok).toBe(true);
    await p.close();
    await p.close(); // idempotent
    await sleep(250);
    expect(callbacks.received).toHaveLength(0);
    // A submit after close is not accepted (the worker puts it back in the queue).
    expect(await p.send(conformanceMessage(callbacks.url))).toMatchObject({ ok: false, class: 'retryable' });
  });

  it('posts the report again when the callback answers 503, then stops once it is taken', async () => {
    callbacks.respondWith(503);
    const p = make(settings());
    await p.send(conformanceMessage(callbacks.url));
    while (callbacks.received.length === 0) await sleep(10);
    callbacks.respondWith(200);
    const second = await callbacks.next(3000);
    expect(callbacks.received).toHaveLength(2);
    expect(JSON.parse(second.body).id).toBe(JSON.parse(callbacks.received[0]!.body).id);
    await sleep(100);
    expect(callbacks.received).toHaveLength(2);
  });

  it('refuses for good a number that is not E.164 and a message with more parts than the account allows', async () => {
    const p = make(settings(), deps(), 2);
    const bad = await p.send({ ...conformanceMessage(callbacks.url), to: '015123456789' });
    expect(bad).toMatchObject({ ok: false, class: 'permanent', code: 'SIM_INVALID_NUMBER' });
    const long = analyzeText('x'.repeat(400));
    expect(long.parts).toHaveLength(3);
    const tooLong = await p.send({
      ...conformanceMessage(callbacks.url),
      parts: long.parts,
      text: long.text,
    });
    expect(tooLong).toMatchObject({ ok: false, class: 'permanent', code: 'SIM_TOO_MANY_PARTS' });
    expect(callbacks.received).toHaveLength(0);
  });

  it('waits its latency before answering', async () => {
    const p = make(settings({ latencyMs: { min: 60, max: 60 }, noReportRate: 1 }));
    const started = performance.now();
    await p.send(conformanceMessage(callbacks.url));
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('parseDeliveryReport: a well-signed body that is not a report is invalid_payload; another key is invalid_signature', () => {
    const p = make(settings());
    const req = (body: string, token = TOKEN) => ({
      headers: { [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, token) },
      body,
      query: {},
      url: 'http://127.0.0.1/callback',
    });
    const good = JSON.stringify({
      id: 'SIM00AB',
      status: 'delivered',
      err: null,
      at: '2026-11-22T09:00:00.000Z',
    });
    expect(p.parseDeliveryReport(req(good))).toEqual({
      ok: true,
      reports: [{ gatewayId: 'SIM00AB', status: 'delivered', at: '2026-11-22T09:00:00.000Z' }],
    });
    for (const body of [
      'not json',
      '{"id":"x","status":"exploded"}',
      '{"id":"x","status":"sent","extra":1}',
    ]) {
      expect(p.parseDeliveryReport(req(body))).toEqual({ ok: false, reason: 'invalid_payload' });
    }
    expect(p.parseDeliveryReport(req(good, 'another-token'))).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(p.parseDeliveryReport({ ...req(good), headers: { [SIMULATOR_SIGNATURE_HEADER]: 'abc' } })).toEqual(
      {
        ok: false,
        reason: 'invalid_signature',
      },
    );
  });

  it('the registry validates stored settings and fills their defaults', async () => {
    const p = createProvider(
      'simulator',
      { id: 'a', settings: {}, callbackToken: TOKEN, maxParts: 4, shiftTables: ['turkish'] },
      { random: seededRandom(7) },
    );
    open.push(p);
    expect(p.capabilities).toEqual({
      unicode: true,
      shiftTables: ['turkish'],
      maxParts: 4,
      deliveryReports: true,
      statusQuery: false,
      inbound: true,
      throughputUnit: 'messages',
    });
    expect(() =>
      createProvider('simulator', {
        id: 'a',
        settings: { acceptanceRate: 2 },
        callbackToken: TOKEN,
        maxParts: 4,
        shiftTables: [],
      }),
    ).toThrow();
  });

  it('parses a signed inbound SMS; a report signature, a bad body or an unknown field is refused', () => {
    const p = make(settings());
    const sms = {
      id: 'in-1',
      from: '+4915123456789',
      to: 'HERALD',
      text: 'Stop.',
      at: '2026-11-20T10:00:00Z',
    };
    const { body, headers } = simulatorInboundRequest(sms, TOKEN);
    const req = (b: string, h: Record<string, string>) => ({
      headers: h,
      body: b,
      query: {},
      url: 'http://x/',
    });
    expect(p.parseInbound!(req(body, headers))).toEqual({
      ok: true,
      messages: [
        { gatewayMessageId: 'in-1', from: sms.from, to: 'HERALD', text: 'Stop.', receivedAt: sms.at },
      ],
    });
    // The report signature of the same body is not an inbound signature.
    const reportSigned = { ...headers, [SIMULATOR_SIGNATURE_HEADER]: signSimulatorReport(body, TOKEN) };
    expect(p.parseInbound!(req(body, reportSigned))).toEqual({ ok: false, reason: 'invalid_signature' });
    // Signed with another account's token.
    const otherToken = { ...headers, [SIMULATOR_SIGNATURE_HEADER]: signSimulatorInbound(body, 'other') };
    expect(p.parseInbound!(req(body, otherToken))).toEqual({ ok: false, reason: 'invalid_signature' });
    for (const bad of ['not json', JSON.stringify({ ...sms, colour: 'blue' }), JSON.stringify({ id: 'x' })]) {
      const signed = { ...headers, [SIMULATOR_SIGNATURE_HEADER]: signSimulatorInbound(bad, TOKEN) };
      expect(p.parseInbound!(req(bad, signed)), bad).toEqual({ ok: false, reason: 'invalid_payload' });
    }
  });

  it('normalizeGatewayId ignores case and leading zeros but keeps a lone zero', () => {
    expect(normalizeGatewayId(' 000A1b ')).toBe('a1b');
    expect(normalizeGatewayId('a1B')).toBe('a1b');
    expect(normalizeGatewayId('000')).toBe('0');
    expect(normalizeGatewayId('')).toBe('');
  });
});
