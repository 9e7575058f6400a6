import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../src/core/encoding/index.js';
import {
  collectingSink,
  conformanceMessage,
  runProviderConformance,
} from '../src/providers/provider.conformance.js';
import type {
  OutboundMessage,
  Provider,
  ProviderDeps,
  ProviderSink,
} from '../src/providers/provider.contract.js';
import { normalizeGatewayId } from '../src/providers/provider.contract.js';
import { PROVIDER_FACTORIES } from '../src/providers/provider.registry.js';
import { seededRandom } from '../src/providers/simulator/simulator.random.js';
import { encodeSeptets, fillBitsAfter, packSeptets } from '../src/providers/smpp/smpp.gsm7.js';
import { smppLib } from '../src/providers/smpp/smpp.lib.js';
import { encodeSubmitSm } from '../src/providers/smpp/smpp.pdu.js';
import { smppFactory } from '../src/providers/smpp/smpp.provider.js';
import {
  parseReceiptText,
  receiptDate,
  receiptGatewayId,
  receiptToReport,
} from '../src/providers/smpp/smpp.receipt.js';
import { type SmppSettings, smppSettingsSchema } from '../src/providers/smpp/smpp.settings.js';
import { validityPeriod } from '../src/providers/smpp/smpp.submit.js';
import { startTestSmsc, type TestSmsc, testSmscMissing } from './helpers/smsc-harness.js';

/**
 * The SMPP adapter against an SMSC built on Debian's Net::SMPP (test/helpers/smsc-netsmpp.pl): the
 * protocol on the other end is not our client library's. The bound system_id picks the SMSC's answer
 * (see the script's header), so every instance binds with a name of its own.
 */

let names = 0;
const uniqueName = (prefix: string) => `${prefix}-${++names}`;

interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

function makeDeps(
  sink: ProviderSink,
  logs: LogLine[] = [],
  overrides: Partial<ProviderDeps> = {},
): ProviderDeps {
  return {
    fetch: (url, init) => fetch(url, init),
    clock: { now: () => new Date() },
    random: seededRandom(3),
    sink,
    log: (level, msg, fields) => logs.push({ level, msg, ...(fields ? { fields } : {}) }),
    guardHost: async (host) => host,
    ...overrides,
  };
}

function smppProvider(
  smsc: TestSmsc,
  systemId: string,
  sink: ProviderSink,
  options: {
    settings?: Partial<SmppSettings>;
    logs?: LogLine[];
    deps?: Partial<ProviderDeps>;
    maxParts?: number;
    shiftTables?: ('turkish' | 'spanish' | 'portuguese')[];
  } = {},
): Provider {
  const settings = smppSettingsSchema.parse({
    host: '127.0.0.1',
    port: smsc.port,
    systemId,
    password: 'secret',
    reconnectMinMs: 50,
    reconnectMaxMs: 400,
    throttleBackoffMs: 50,
    responseTimeoutMs: 3000,
    ...options.settings,
  });
  return smppFactory.create(
    {
      id: `acc-${systemId}`,
      settings,
      callbackToken: 'unused',
      maxParts: options.maxParts ?? 10,
      shiftTables: options.shiftTables ?? [],
    },
    makeDeps(sink, options.logs, options.deps),
  );
}

const message = (text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  ...conformanceMessage('http://127.0.0.1/unused', text),
  ...extra,
});

const gsmHex = (text: string) => Buffer.from(encodeSeptets(text)!).toString('hex');
const ucs2Hex = (text: string) => Buffer.from(text, 'utf16le').swap16().toString('hex');
const submitsOf = (smsc: TestSmsc, conn: number | undefined) => smsc.submits().filter((e) => e.conn === conn);
/**
 * The submits the SMSC logged for a bind, once there are `count` of them: its stdout (the events) and
 * the SMPP socket (the responses) are two streams, so an event may arrive after the response.
 */
async function submitsFor(smsc: TestSmsc, systemId: string, count: number) {
  const bind = await smsc.waitFor((e) => e.ev === 'bind' && e.system_id === systemId, 5000);
  const deadline = Date.now() + 5000;
  while (submitsOf(smsc, bind.conn).length < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return submitsOf(smsc, bind.conn);
}
const bindOf = (smsc: TestSmsc, systemId: string, since = 0) =>
  smsc.waitFor((e) => e.ev === 'bind' && e.system_id === systemId, 5000, since);

const SMSC_MISSING = testSmscMissing();

if (SMSC_MISSING) {
  describe('smpp against the Net::SMPP SMSC', () => {
    it.skip(`needs the test SMSC: ${SMSC_MISSING}`, () => {});
  });
} else {
  runProviderConformance('smpp (Net::SMPP SMSC)', async () => {
    const smsc = await startTestSmsc();
    const systemIds = new Map<Provider, string>();
    return {
      reportsVia: 'sink',
      provider: (scenario, _callbackUrl, sink) => {
        const prefix = scenario === 'accept' ? 'accept' : scenario === 'permanent' ? 'reject' : 'throttle';
        const systemId = uniqueName(prefix);
        const p = smppProvider(smsc, systemId, sink);
        systemIds.set(p, systemId);
        return p;
      },
      async triggerInbound(provider, sms) {
        const systemId = systemIds.get(provider)!;
        await provider.listen!();
        await bindOf(smsc, systemId);
        await smsc.command({
          cmd: 'mo',
          system_id: systemId,
          from: sms.from,
          to: sms.to,
          data_coding: 0,
          esm_class: 0,
          hex: gsmHex(sms.text),
        });
      },
      skip: {
        tampered_report:
          'receipts arrive as deliver_sm over the authenticated SMPP bind, never as an HTTP callback that could be tampered with',
        tampered_inbound:
          'inbound messages arrive as deliver_sm over the authenticated SMPP bind, never as an HTTP request that could be tampered with',
      },
      close: () => smsc.close(),
    };
  });
}

describe.skipIf(SMSC_MISSING !== null)('smpp adapter against the Net::SMPP SMSC', () => {
  let smsc: TestSmsc;
  const open: Provider[] = [];
  const make = (...args: Parameters<typeof smppProvider>) => {
    const p = smppProvider(...args);
    open.push(p);
    return p;
  };
  beforeAll(async () => {
    smsc = await startTestSmsc();
  });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.close();
    await smsc.command({ cmd: 'delay', ms: 0 });
    await smsc.command({ cmd: 'receipts', on: 1, stat: 'DELIVRD', delay_ms: 20, tlv: 1, id: 'same' });
  });
  afterAll(async () => {
    await smsc?.close();
  });

  it('is registered as kind smpp; the password is secret and the host is checked against SSRF', () => {
    expect(PROVIDER_FACTORIES.smpp).toBe(smppFactory);
    expect(smppFactory.secretSettings).toEqual(['password']);
    expect(smppFactory.addressSettings).toEqual(['host']);
    expect(smppSettingsSchema.parse({ host: 'smsc.example', systemId: 'herald' })).toMatchObject({
      port: 2775,
      password: '',
      windowSize: 10,
      enquireLinkMs: 30_000,
      gsmPacking: 'unpacked',
      receiptIds: 'auto',
    });
    for (const bad of [
      { host: 'smsc.example' },
      { host: 'smsc.example', systemId: 'x'.repeat(16) },
      { host: 'smsc.example', systemId: 'h', password: 'x'.repeat(9) },
      { host: 'smsc.example', systemId: 'h', windowSize: 0 },
      { host: 'smsc.example', systemId: 'h', reconnectMinMs: 5000, reconnectMaxMs: 1000 },
      { host: 'smsc.example', systemId: 'h', colour: 'blue' },
    ]) {
      expect(smppSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('declares parts as its throughput unit, inbound and delivery reports', () => {
    const p = make(smsc, uniqueName('caps'), collectingSink());
    expect(p.capabilities).toMatchObject({
      unicode: true,
      inbound: true,
      deliveryReports: true,
      statusQuery: false,
      throughputUnit: 'parts',
    });
  });

  it('binds as transceiver with SMPP 3.4 and sends an alphanumeric sender as TON 5, the recipient as TON 1', async () => {
    const systemId = uniqueName('addr');
    const p = make(smsc, systemId, collectingSink(), { settings: { systemType: 'herald' } });
    const outcome = await p.send(message('Hello'));
    expect(outcome).toMatchObject({ ok: true, status: 'accepted' });
    const bind = await bindOf(smsc, systemId);
    expect(bind).toMatchObject({ system_type: 'herald', interface_version: 0x34, ok: true });
    const [submit] = await submitsFor(smsc, systemId, 1);
    expect(submit).toMatchObject({
      source_addr: 'Herald',
      source_addr_ton: 5,
      source_addr_npi: 0,
      destination_addr: '4915123456789',
      dest_addr_ton: 1,
      esm_class: 0,
      data_coding: 0,
      registered_delivery: 1,
      hex: gsmHex('Hello'),
    });
    const numeric = await p.send(message('Hi', { from: '+4930123456' }));
    expect(numeric.ok).toBe(true);
    expect((await submitsFor(smsc, systemId, 2))[1]).toMatchObject({
      source_addr: '4930123456',
      source_addr_ton: 1,
    });
  });

  it('never has more than windowSize submits without a response, and does fill the window', async () => {
    await smsc.command({ cmd: 'delay', ms: 60 });
    for (const windowSize of [1, 3]) {
      await smsc.command({ cmd: 'reset' });
      const p = make(smsc, uniqueName('window'), collectingSink(), { settings: { windowSize } });
      const outcomes = await Promise.all(
        Array.from({ length: 9 }, (_, i) => p.send(message(`Message ${i}`))),
      );
      expect(outcomes.every((o) => o.ok)).toBe(true);
      const stats = await smsc.stats();
      expect(stats.submits).toBe(9);
      expect(stats.max_outstanding).toBe(windowSize);
    }
  });

  it('a message that finds no place in the window within windowWaitMs is not sent: retryable SMPP_WINDOW_FULL', async () => {
    await smsc.command({ cmd: 'reset' });
    await smsc.command({ cmd: 'delay', ms: 1500 });
    try {
      const p = make(smsc, uniqueName('windowwait'), collectingSink(), {
        settings: { windowSize: 1, windowWaitMs: 300 },
      });
      const outcomes = await Promise.all(Array.from({ length: 3 }, (_, i) => p.send(message(`Window ${i}`))));
      // The first goes on the wire and is answered after 1.5 s; the other two gave up after 300 ms.
      expect(outcomes[0]).toMatchObject({ ok: true });
      for (const o of outcomes.slice(1)) {
        expect(o).toMatchObject({ ok: false, class: 'retryable', code: 'SMPP_WINDOW_FULL' });
        if (!o.ok) expect(o.text).toContain('nothing was sent');
      }
      // The SMSC got exactly one submit_sm: the two that gave up never went out later either.
      await new Promise((r) => setTimeout(r, 500));
      expect((await smsc.stats()).submits).toBe(1);
      // The window works on afterwards: a place that came free is used again.
      expect(await p.send(message('After'))).toMatchObject({ ok: true });
      expect((await smsc.stats()).submits).toBe(2);
    } finally {
      await smsc.command({ cmd: 'delay', ms: 0 });
    }
  });

  it('ESME_RTHROTTLED and ESME_RMSGQFUL are throttled with a back-off; other statuses are permanent with code and hex', async () => {
    const throttled = await make(smsc, uniqueName('throttle'), collectingSink()).send(message('x'));
    expect(throttled).toEqual({
      ok: false,
      class: 'throttled',
      code: 'ESME_RTHROTTLED',
      text: expect.stringContaining('0x00000058'),
      retryAfterMs: 50,
    });
    const full = await make(smsc, uniqueName('qfull'), collectingSink()).send(message('x'));
    expect(full).toMatchObject({ ok: false, class: 'throttled', code: 'ESME_RMSGQFUL' });
    const refused = await make(smsc, uniqueName('reject'), collectingSink()).send(message('x'));
    expect(refused).toMatchObject({ ok: false, class: 'permanent', code: 'ESME_RINVDSTADR' });
    if (!refused.ok) expect(refused.text).toContain('0x0000000b');
  });

  it('after a throttled answer the bind pauses, then sends what waited in the order it came', async () => {
    const systemId = uniqueName('pause');
    await smsc.command({ cmd: 'script', system_id: systemId, statuses: [0x58] });
    const p = make(smsc, systemId, collectingSink(), { settings: { throttleBackoffMs: 150 } });
    expect(await p.send(message('first'))).toMatchObject({ ok: false, class: 'throttled' });
    const texts = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const outcomes = await Promise.all(texts.map((t) => p.send(message(t))));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const submits = await submitsFor(smsc, systemId, 6);
    expect(submits.slice(1).map((s) => s.hex)).toEqual(texts.map(gsmHex));
  });

  it('a throttled later part is submitted again alone, with the same concatenation reference', async () => {
    const systemId = uniqueName('partial');
    await smsc.command({ cmd: 'script', system_id: systemId, statuses: [0, 0x58, 0] });
    const p = make(smsc, systemId, collectingSink());
    const text = 'Herald multipart test. '.repeat(18);
    const outcome = await p.send(message(text));
    expect(outcome).toMatchObject({ ok: true });
    const submits = await submitsFor(smsc, systemId, 4);
    expect(submits.map((s) => s.status)).toEqual([0, 0x58, 0, 0]);
    expect(submits[3]!.hex).toBe(submits[1]!.hex);
    if (outcome.ok)
      expect(outcome.partIds).toEqual([submits[0], submits[3], submits[2]].map((s) => s!.message_id));
  });

  it('sends a 3-part GSM message as 3 submit_sm in order, UDHI set, one reference, ids of every part', async () => {
    const systemId = uniqueName('multi');
    const p = make(smsc, systemId, collectingSink());
    const text = 'Herald multipart test. '.repeat(18);
    const m = message(text);
    expect(m.parts).toHaveLength(3);
    const outcome = await p.send(m);
    if (!outcome.ok) throw new Error(outcome.code);
    const submits = await submitsFor(smsc, systemId, 3);
    expect(submits).toHaveLength(3);
    expect(submits.map((s) => s.seq)).toEqual([...submits.map((s) => s.seq)].sort((a, b) => a - b));
    const reference = submits[0]!.hex.slice(6, 8);
    submits.forEach((s, i) => {
      expect(s.esm_class).toBe(0x40);
      expect(s.data_coding).toBe(0);
      expect(s.hex.slice(0, 12)).toBe(`050003${reference}03${String(i + 1).padStart(2, '0')}`);
      expect(s.hex.slice(12)).toBe(gsmHex(m.parts[i]!.text));
    });
    expect(outcome.partIds).toEqual(submits.map((s) => s.message_id));
    expect(outcome.gatewayId).toBe(submits[0]!.message_id);
    // The next message gets another reference.
    await p.send(m);
    expect((await submitsFor(smsc, systemId, 4))[3]!.hex.slice(6, 8)).not.toBe(reference);
  });

  it('sends UCS-2 as data_coding 8 with the UTF-16BE bytes intact, surrogate pairs never split', async () => {
    const systemId = uniqueName('ucs2');
    const p = make(smsc, systemId, collectingSink());
    const single = message('Привет! Ваш код 1234 😀');
    expect((await p.send(single)).ok).toBe(true);
    const long = message('Привет! Ваш код 1234 😀 '.repeat(4));
    expect(long.parts.length).toBe(2);
    expect((await p.send(long)).ok).toBe(true);
    const submits = await submitsFor(smsc, systemId, 3);
    expect(submits[0]).toMatchObject({ data_coding: 8, esm_class: 0, hex: ucs2Hex(single.text) });
    const joined = submits
      .slice(1)
      .map((s) => Buffer.from(s.hex.slice(12), 'hex').swap16().toString('utf16le'))
      .join('');
    expect(joined).toBe(long.text);
    expect(submits.slice(1).every((s) => s.data_coding === 8 && s.esm_class === 0x40)).toBe(true);
  });

  it('packs GSM 7-bit when the SMSC wants it packed, with fill bits after the UDH', async () => {
    const systemId = uniqueName('packed');
    const p = make(smsc, systemId, collectingSink(), { settings: { gsmPacking: 'packed' } });
    expect((await p.send(message('hello'))).ok).toBe(true);
    const [submit] = await submitsFor(smsc, systemId, 1);
    // The packed "hello" of TS 23.038's usual example.
    expect(submit!.hex).toBe('e8329bfd06');
    expect(packSeptets([0x7f], fillBitsAfter(6)).toString('hex')).toBe('fe');
    expect(fillBitsAfter(6)).toBe(1);
  });

  it('announces a national language shift table in the UDH when the route and the text use it', async () => {
    const systemId = uniqueName('turkish');
    const p = make(smsc, systemId, collectingSink(), { shiftTables: ['turkish'] });
    const a = analyzeText('Güzel şehir İstanbul', { shiftTables: ['turkish'] });
    expect(a.shiftTable).toMatchObject({ language: 'turkish', single: true });
    const outcome = await p.send({ ...message('x'), text: a.text, encoding: a.encoding, parts: a.parts });
    expect(outcome.ok).toBe(true);
    const [submit] = await submitsFor(smsc, systemId, 1);
    expect(submit).toMatchObject({ esm_class: 0x40, data_coding: 0 });
    expect(submit!.hex.slice(0, 8)).toBe('03240101');
  });

  it('writes validity_period relative by default and absolute in UTC when configured', async () => {
    const now = new Date('2026-11-22T10:00:00Z');
    expect(validityPeriod(new Date('2026-11-23T12:30:05Z'), now, 'relative')).toBe('000001023005000R');
    expect(validityPeriod(new Date('2026-11-23T12:30:05Z'), now, 'absolute')).toBe('261123123005000+');
    const systemId = uniqueName('validity');
    const p = make(smsc, systemId, collectingSink());
    const until = new Date(Date.now() + 2 * 3600_000);
    expect((await p.send(message('x', { validityUntil: until }))).ok).toBe(true);
    const [submit] = await submitsFor(smsc, systemId, 1);
    expect(submit!.validity_period).toMatch(/^0000000(159[0-9]{2}|20000)000R$/);
    expect(await p.send(message('x', { validityUntil: new Date(Date.now() - 1000) }))).toMatchObject({
      ok: false,
      class: 'permanent',
      code: 'SMPP_EXPIRED',
    });
  });

  it('an SMSC receipt reaches the sink with the canonical status, its time and the submit id', async () => {
    await smsc.command({ cmd: 'receipts', on: 1, stat: 'UNDELIV', delay_ms: 10, tlv: 1, id: 'same' });
    const sink = collectingSink();
    const p = make(smsc, uniqueName('receipt'), sink);
    const outcome = await p.send(message('Hello'));
    if (!outcome.ok) throw new Error(outcome.code);
    const report = await sink.nextReport(5000);
    expect(report).toMatchObject({ gatewayId: outcome.gatewayId, status: 'undelivered', errorCode: '001' });
    expect(Date.parse(report.at!)).toBeGreaterThan(Date.now() - 600_000);
  });

  it('a receipt with a decimal id and no TLV matches the hex id of submit_sm_resp', async () => {
    await smsc.command({ cmd: 'receipts', on: 1, stat: 'DELIVRD', delay_ms: 10, tlv: 0, id: 'decimal' });
    const sink = collectingSink();
    const p = make(smsc, uniqueName('decimal'), sink);
    const outcome = await p.send(message('Hello'));
    if (!outcome.ok) throw new Error(outcome.code);
    const report = await sink.nextReport(5000);
    expect(report.status).toBe('delivered');
    expect(normalizeGatewayId(report.gatewayId)).toBe(normalizeGatewayId(outcome.gatewayId));
    expect(report.gatewayId).not.toBe(outcome.gatewayId);
  });

  it('a receipt that cannot be read is answered, ignored and logged without its text', async () => {
    const systemId = uniqueName('badreceipt');
    const sink = collectingSink();
    const logs: LogLine[] = [];
    const p = make(smsc, systemId, sink, { logs });
    await p.listen!();
    await bindOf(smsc, systemId);
    const since = smsc.events.length;
    const bad = 'sub:001 dlvrd:001 done date:2611221000 err:000 text:+4915123456789';
    await smsc.command({
      cmd: 'mo',
      system_id: systemId,
      from: '+4915123456789',
      to: 'Herald',
      esm_class: 4,
      data_coding: 0,
      hex: Buffer.from(bad, 'latin1').toString('hex'),
    });
    const resp = await smsc.waitFor((e) => e.ev === 'deliver_sm_resp', 5000, since);
    expect(resp.status).toBe(0);
    expect(sink.reportsReceived).toHaveLength(0);
    expect(sink.inboundReceived).toHaveLength(0);
    const line = logs.find((l) => l.msg === 'smpp: receipt ignored');
    expect(line?.fields?.reason).toMatch(/stat/);
    expect(JSON.stringify(logs)).not.toContain('4915123456789');
  });

  it('a receipt written with underscores and data_coding 0 is read as ASCII, with its done date', async () => {
    const systemId = uniqueName('underscore');
    const sink = collectingSink();
    const p = make(smsc, systemId, sink);
    await p.listen!();
    await bindOf(smsc, systemId);
    const text =
      'id:7FA0 sub:001 dlvrd:000 submit_date:2611221000 done_date:2611221002 stat:EXPIRED err:000 text:a@b';
    await smsc.command({
      cmd: 'mo',
      system_id: systemId,
      from: '+4915123456789',
      to: 'Herald',
      esm_class: 4,
      data_coding: 0,
      hex: Buffer.from(text, 'latin1').toString('hex'),
    });
    expect(await sink.nextReport(5000)).toEqual({
      gatewayId: '7FA0',
      status: 'undelivered',
      errorCode: 'EXPIRED',
      at: '2026-11-22T10:02:00.000Z',
    });
  });

  it('an IA5 (data_coding 1) inbound message keeps its ASCII characters', async () => {
    const systemId = uniqueName('ia5');
    const sink = collectingSink();
    const p = make(smsc, systemId, sink);
    await p.listen!();
    await bindOf(smsc, systemId);
    await smsc.command({
      cmd: 'mo',
      system_id: systemId,
      from: '+4915123456789',
      to: '4930123456',
      data_coding: 1,
      hex: Buffer.from('mail me@example.org re: order_4711', 'latin1').toString('hex'),
    });
    expect((await sink.nextInbound(5000)).text).toBe('mail me@example.org re: order_4711');
  });

  it('a deliver_sm the sink cannot store is answered ESME_RX_T_APPN, so the SMSC delivers it again', async () => {
    const systemId = uniqueName('sinkfail');
    const failing = {
      reports: async () => {
        throw new Error('database down');
      },
      inbound: async () => {
        throw new Error('database down');
      },
    };
    const p = make(smsc, systemId, failing);
    await p.listen!();
    await bindOf(smsc, systemId);
    const since = smsc.events.length;
    await smsc.command({
      cmd: 'mo',
      system_id: systemId,
      from: '+4915123456789',
      to: 'Herald',
      hex: gsmHex('STOP'),
    });
    const resp = await smsc.waitFor((e) => e.ev === 'deliver_sm_resp', 5000, since);
    expect(resp.status).toBe(0x64);
  });

  it('a concatenated inbound message (GSM and UCS-2) is reassembled from parts arriving out of order', async () => {
    const systemId = uniqueName('mo');
    const sink = collectingSink();
    const p = make(smsc, systemId, sink);
    await p.listen!();
    await bindOf(smsc, systemId);
    const mo = (hex: string, dataCoding: number) =>
      smsc.command({
        cmd: 'mo',
        system_id: systemId,
        from: '+4915123456789',
        to: '4930123456',
        esm_class: 0x40,
        data_coding: dataCoding,
        hex,
      });
    await mo(`050003a70202${gsmHex(' world {ok}')}`, 0);
    await mo(`050003a70201${gsmHex('Hello €')}`, 0);
    const gsm = await sink.nextInbound(5000);
    expect(gsm).toMatchObject({ from: '+4915123456789', to: '4930123456', text: 'Hello € world {ok}' });
    await mo(`06080401020201${ucs2Hex('Привет ')}`, 8);
    await mo(`06080401020202${ucs2Hex('мир 😀')}`, 8);
    const ucs2 = await sink.nextInbound(5000);
    expect(ucs2.text).toBe('Привет мир 😀');
    expect(sink.inboundReceived).toHaveLength(2);
  });

  it('reconnects after the SMSC drops the connection, and keeps receiving once listening', async () => {
    const systemId = uniqueName('reconnect');
    const sink = collectingSink();
    const logs: LogLine[] = [];
    const p = make(smsc, systemId, sink, { logs });
    await p.listen!();
    const first = await bindOf(smsc, systemId);
    const since = smsc.events.length;
    await smsc.command({ cmd: 'drop' });
    const second = await bindOf(smsc, systemId, since);
    expect(second.conn).not.toBe(first.conn);
    expect(logs.some((l) => l.msg === 'smpp: bind lost')).toBe(true);
    expect(await p.send(message('after the drop'))).toMatchObject({ ok: true });
    await smsc.command({
      cmd: 'mo',
      system_id: systemId,
      from: '+4915123456789',
      to: 'Herald',
      hex: gsmHex('STOP'),
    });
    expect((await sink.nextInbound(5000)).text).toBe('STOP');
  });

  it('answers an unbind from the SMSC and binds again', async () => {
    const systemId = uniqueName('smscunbind');
    const p = make(smsc, systemId, collectingSink());
    await p.listen!();
    const first = await bindOf(smsc, systemId);
    const since = smsc.events.length;
    await smsc.command({ cmd: 'unbind' });
    await smsc.waitFor((e) => e.ev === 'unbind_resp' && e.conn === first.conn, 3000, since);
    const second = await bindOf(smsc, systemId, since);
    expect(second.conn).not.toBe(first.conn);
    expect(await p.send(message('after the unbind'))).toMatchObject({ ok: true });
  });

  it('logs never carry the password, a phone number or a message text', async () => {
    const systemId = uniqueName('privacy');
    const logs: LogLine[] = [];
    const sink = collectingSink();
    const p = make(smsc, systemId, sink, { logs });
    await p.listen!();
    await bindOf(smsc, systemId);
    expect((await p.send(message('Your PIN is 8890'))).ok).toBe(true);
    await sink.nextReport(5000);
    await smsc.command({
      cmd: 'mo',
      system_id: systemId,
      from: '+4917000000001',
      to: 'Herald',
      hex: gsmHex('STOP now'),
    });
    await sink.nextInbound(5000);
    const since = smsc.events.length;
    await smsc.command({ cmd: 'drop' });
    await bindOf(smsc, systemId, since);
    const refused = make(smsc, uniqueName('privacy'), collectingSink(), {
      logs,
      settings: { password: 'wrong' },
    });
    await refused.send(message('Your PIN is 8890'));
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['smpp: bind lost', 'smpp: bind failed']));
    const all = JSON.stringify(logs);
    for (const secret of ['secret', 'wrong', '4915123456789', '4917000000001', 'PIN', 'STOP']) {
      expect(all).not.toContain(secret);
    }
  });

  it('a PDU written before the connection died is unknown; an SMSC that cannot be reached is retryable', async () => {
    const vanished = await make(smsc, uniqueName('vanish'), collectingSink()).send(message('x'));
    expect(vanished).toMatchObject({ ok: false, class: 'unknown', code: 'SMPP_NO_RESPONSE' });
    const closedPort = await startTestSmsc();
    const port = closedPort.port;
    await closedPort.close();
    const down = await make({ ...smsc, port }, uniqueName('down'), collectingSink()).send(message('x'));
    expect(down).toMatchObject({ ok: false, class: 'retryable', code: 'SMPP_CONNECT' });
  });

  it('a refused bind is retryable with the SMSC status and sends nothing', async () => {
    const systemId = uniqueName('wrongpw');
    const p = make(smsc, systemId, collectingSink(), { settings: { password: 'wrong' } });
    const outcome = await p.send(message('x'));
    expect(outcome).toMatchObject({ ok: false, class: 'retryable', code: 'ESME_RINVPASWD' });
    const bind = await bindOf(smsc, systemId);
    expect(submitsOf(smsc, bind.conn)).toHaveLength(0);
  });

  it('connects to the address guardHost returns, and not at all when it refuses the host', async () => {
    const asked: string[] = [];
    const guarded = make(smsc, uniqueName('guard'), collectingSink(), {
      settings: { host: 'smsc.internal.example' },
      deps: {
        guardHost: async (host) => {
          asked.push(host);
          return '127.0.0.1';
        },
      },
    });
    expect(await guarded.send(message('x'))).toMatchObject({ ok: true });
    expect(asked).toEqual(['smsc.internal.example']);
    const connectsBefore = smsc.events.filter((e) => e.ev === 'connect').length;
    const refused = make(smsc, uniqueName('refused'), collectingSink(), {
      deps: {
        guardHost: async () => {
          throw new Error('private address refused');
        },
      },
    });
    expect(await refused.send(message('x'))).toMatchObject({
      ok: false,
      class: 'retryable',
      code: 'SMPP_HOST_REFUSED',
    });
    expect(smsc.events.filter((e) => e.ev === 'connect').length).toBe(connectsBefore);
  });

  it('sends enquire_link on schedule and answers the SMSC’s enquire_link', async () => {
    const systemId = uniqueName('enquire');
    const p = make(smsc, systemId, collectingSink(), { settings: { enquireLinkMs: 1000 } });
    await p.listen!();
    const bind = await bindOf(smsc, systemId);
    await smsc.waitFor((e) => e.ev === 'enquire_link' && e.conn === bind.conn, 3000);
    const since = smsc.events.length;
    await smsc.command({ cmd: 'enquire' });
    await smsc.waitFor((e) => e.ev === 'enquire_link_resp' && e.conn === bind.conn, 3000, since);
  });

  it('close() unbinds and stops reconnecting', async () => {
    const systemId = uniqueName('unbind');
    const p = smppProvider(smsc, systemId, collectingSink());
    await p.listen!();
    const bind = await bindOf(smsc, systemId);
    await p.close();
    await p.close();
    await smsc.waitFor((e) => e.ev === 'unbind' && e.conn === bind.conn, 3000);
    await new Promise((r) => setTimeout(r, 200));
    expect(smsc.events.filter((e) => e.ev === 'bind' && e.system_id === systemId)).toHaveLength(1);
    expect(await p.send(message('x'))).toMatchObject({ ok: false, class: 'retryable' });
  });
});

describe('smpp submit_sm encoding', () => {
  it('is byte for byte what the smpp package encodes for the same fields', () => {
    const PDU = (smppLib as unknown as { PDU: new (c: string, o: object) => { toBuffer(): Buffer } }).PDU;
    for (const [validity, message] of [
      ['', Buffer.from('Hello')],
      ['000001023005000R', Buffer.from('050003a70201', 'hex')],
      ['261123123005000+', Buffer.alloc(254, 0x41)],
    ] as const) {
      const ours = encodeSubmitSm(0x7fff0001, {
        sourceTon: 5,
        sourceNpi: 0,
        source: 'Herald',
        destTon: 1,
        destNpi: 1,
        destination: '4915123456789',
        esmClass: 0x40,
        registeredDelivery: 1,
        dataCoding: 8,
        validityPeriod: validity,
        shortMessage: message,
      });
      const theirs = new PDU('submit_sm', {
        sequence_number: 0x7fff0001,
        source_addr_ton: 5,
        source_addr_npi: 0,
        source_addr: 'Herald',
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: '4915123456789',
        esm_class: 0x40,
        registered_delivery: 1,
        data_coding: 8,
        validity_period: validity,
        short_message: message,
      }).toBuffer();
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    }
    expect(() =>
      encodeSubmitSm(1, {
        sourceTon: 0,
        sourceNpi: 0,
        source: '',
        destTon: 0,
        destNpi: 0,
        destination: '1',
        esmClass: 0,
        registeredDelivery: 0,
        dataCoding: 0,
        validityPeriod: '',
        shortMessage: Buffer.alloc(255),
      }),
    ).toThrow(RangeError);
  });
});

describe('smpp receipts', () => {
  const none = () => false;
  const settings = { receiptIds: 'auto', smscUtcOffsetMinutes: 0 } as const;

  it('reads the Appendix B fields with odd spacing, case and underscores, ignoring the text field', () => {
    expect(
      parseReceiptText(
        'id:0A1B2C sub:001 dlvrd:001 submit date:2611221000 done date:2611221001 stat:DELIVRD err:000 text:Hi',
      ),
    ).toEqual({
      id: '0A1B2C',
      stat: 'DELIVRD',
      err: '000',
      submitDate: '2611221000',
      doneDate: '2611221001',
    });
    expect(
      parseReceiptText(
        'ID: 77  SUB:1 DLVRD:1 SUBMIT_DATE:261122100000 DONE_DATE: 2611221001 STAT: undeliv ERR:12',
      ),
    ).toEqual({ id: '77', stat: 'UNDELIV', err: '12', submitDate: '261122100000', doneDate: '2611221001' });
    // A message that looks like a receipt in its text cannot change the result.
    expect(parseReceiptText('id:5 stat:REJECTD err:004 text:id:9 stat:DELIVRD')).toMatchObject({
      id: '5',
      stat: 'REJECTD',
    });
  });

  it('maps every SMPP receipt state to a canonical status', () => {
    const cases: [string, string, string | undefined][] = [
      ['DELIVRD', 'delivered', undefined],
      ['UNDELIV', 'undelivered', 'UNDELIV'],
      ['EXPIRED', 'undelivered', 'EXPIRED'],
      ['DELETED', 'undelivered', 'DELETED'],
      ['REJECTD', 'rejected', 'REJECTD'],
      ['UNKNOWN', 'failed', 'UNKNOWN'],
      ['ACCEPTD', 'sent', undefined],
      ['ENROUTE', 'sent', undefined],
    ];
    for (const [stat, status, errorCode] of cases) {
      const r = receiptToReport({ text: `id:1 stat:${stat} err:000` }, settings, none);
      expect(r, stat).toEqual({
        ok: true,
        report: { gatewayId: '1', status, ...(errorCode ? { errorCode } : {}) },
      });
    }
    expect(receiptToReport({ text: 'id:1 stat:UNDELIV err:0a1' }, settings, none)).toMatchObject({
      report: { errorCode: '0a1' },
    });
  });

  it('takes the receipted_message_id TLV and message_state when the text lacks them', () => {
    expect(
      receiptToReport({ text: '', receiptedMessageId: '00AB\0', messageState: 2 }, settings, none),
    ).toEqual({
      ok: true,
      report: { gatewayId: '00AB', status: 'delivered' },
    });
  });

  it('missing id, missing or unknown stat → not a report, with a reason for the log', () => {
    expect(receiptToReport({ text: 'sub:001 stat:DELIVRD' }, settings, none)).toEqual({
      ok: false,
      reason: 'receipt has no id field or receipted_message_id',
    });
    expect(receiptToReport({ text: 'id:12 err:000' }, settings, none)).toMatchObject({ ok: false });
    expect(receiptToReport({ text: 'id:12 stat:EXPLODED' }, settings, none)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown stat'),
    });
  });

  it('converts between decimal and hex ids as configured, or by the ids submitted lately', () => {
    const submitted = new Set(['3a0001']);
    const was = (id: string) => submitted.has(id);
    expect(receiptGatewayId('3801089', undefined, 'auto', was)).toBe('3a0001');
    expect(receiptGatewayId('003A0001', undefined, 'auto', was)).toBe('003A0001');
    expect(receiptGatewayId('42', undefined, 'auto', was)).toBe('42');
    expect(receiptGatewayId('3801089', undefined, 'decimal-to-hex', none)).toBe('3a0001');
    expect(receiptGatewayId('3A0001', undefined, 'hex-to-decimal', none)).toBe('3801089');
    expect(receiptGatewayId('3A0001', undefined, 'as-is', none)).toBe('3A0001');
    expect(receiptGatewayId('99', 'FF', 'auto', none)).toBe('FF');
    expect(receiptGatewayId('18446744073709551617', undefined, 'decimal-to-hex', none)).toBe(
      '10000000000000001',
    );
  });

  it('reads done dates with and without seconds, in the SMSC’s configured zone', () => {
    expect(receiptDate('2611221001', 0)).toBe('2026-11-22T10:01:00.000Z');
    expect(receiptDate('261122100130', 60)).toBe('2026-11-22T09:01:30.000Z');
    expect(receiptDate('2613221001', 0)).toBeUndefined();
    expect(receiptDate(undefined, 0)).toBeUndefined();
  });
});
