import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import twilio from 'twilio';
import { analyzeText } from '../../src/core/encoding/index.js';

/**
 * A local stand-in for Twilio's Messages API (2010-04-01) on 127.0.0.1, written from Twilio's public
 * documentation, not from our adapter:
 *
 * - `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth (`AccountSid:AuthToken`)
 *   and a form body (`To`, `From` or `MessagingServiceSid`, `Body`, `StatusCallback`, `ValidityPeriod`)
 *   answers `201` with the Message resource as JSON, or an error JSON `{code, message, more_info,
 *   status}`; the magic `To` numbers of Twilio's test credentials give their documented errors
 *   (+15005550001 → 21211, …0002 → 21612, …0003 → 21408, …0004 → 21610, …0009 → 21614; the "To"
 *   table of https://www.twilio.com/docs/iam/test-credentials, "Test inputs for SMS");
 * - `GET …/Messages/{Sid}.json` answers the resource with its current status (404, code 20404, for an
 *   unknown SID — SIDs are case-sensitive);
 * - after accepting a message with a `StatusCallback`, it posts the account's status callbacks there,
 *   form-encoded and signed with `X-Twilio-Signature` by the `twilio` package's own signing function;
 * - {@link FakeTwilio.sendInbound} posts a signed inbound SMS, as Twilio does to a number's webhook.
 */

/** How the fake answers one submit (per account; the default is to accept). */
export type FakeAnswer =
  | { kind: 'accept'; status?: 'queued' | 'accepted' | 'sent' }
  | { kind: 'error'; httpStatus: number; code?: number; retryAfter?: string; rawBody?: string }
  | { kind: 'redirect'; location: string }
  /** Reads the request and never answers (until the fake closes). */
  | { kind: 'hang' }
  /** Reads the request, then drops the connection without an answer. */
  | { kind: 'reset' }
  /** `201` with a body that is not JSON. */
  | { kind: 'garbage' };

export interface FakeAccountOptions {
  /** Decides each submit; `undefined` falls back to the magic numbers, then to accepting. */
  answer?: (params: Readonly<Record<string, string>>) => FakeAnswer | undefined;
  /** Statuses posted to `StatusCallback` after acceptance, in order. Default: sent, then delivered. */
  callbacks?: readonly { status: string; errorCode?: string }[];
  /** Pause before each status callback (ms). Default 10. */
  callbackDelayMs?: number;
}

export interface FakeAccount {
  readonly accountSid: string;
  readonly authToken: string;
}

export interface FakeSubmit {
  readonly accountSid: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly params: Readonly<Record<string, string>>;
}

export interface FakeMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  body: string;
  status: string;
  errorCode: number | null;
  messagingServiceSid: string | null;
}

export interface FakeTwilio {
  /** The API base URL (the adapter's `apiBaseUrl`). */
  readonly url: string;
  /** Every submit received (also refused ones), in order. */
  readonly submits: readonly FakeSubmit[];
  /** Every request received: method and path. */
  readonly requests: readonly { method: string; path: string }[];
  readonly messages: ReadonlyMap<string, FakeMessage>;
  addAccount(options?: FakeAccountOptions): FakeAccount;
  /** Changes a message's status as later status queries see it. */
  setStatus(sid: string, status: string, errorCode?: number): void;
  /** Makes `GET` status queries answer this error instead (`null`: normal again). */
  failStatusQueries(answer: { httpStatus: number; code: number } | null): void;
  /** Posts a signed inbound SMS to `url`; resolves with the answer Herald gave. */
  sendInbound(
    account: FakeAccount,
    url: string,
    sms: { from: string; to: string; text: string },
  ): Promise<{ status: number; contentType: string | null; body: string }>;
  close(): Promise<void>;
}

const MAGIC_TO: Record<string, { code: number; message: string }> = {
  '+15005550001': { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  '+15005550002': {
    code: 21612,
    message: "The 'To' phone number: +15005550002, is not currently reachable.",
  },
  '+15005550003': {
    code: 21408,
    message: 'Permission to send an SMS has not been enabled for +15005550003.',
  },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient +15005550004.' },
  '+15005550009': { code: 21614, message: "'To' number +15005550009 is not a valid mobile number." },
};

const hex32 = () => randomBytes(16).toString('hex');
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

export async function startFakeTwilio(): Promise<FakeTwilio> {
  const accounts = new Map<string, FakeAccount & { options: FakeAccountOptions }>();
  const messages = new Map<string, FakeMessage>();
  const submits: FakeSubmit[] = [];
  const requests: { method: string; path: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let statusQueryFailure: { httpStatus: number; code: number } | null = null;
  let base = '';

  const sendJson = (res: http.ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const sendError = (
    res: http.ServerResponse,
    status: number,
    code: number,
    message: string,
    headers: Record<string, string> = {},
  ) =>
    sendJson(
      res,
      status,
      { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
      headers,
    );

  const resource = (m: FakeMessage) => {
    const now = rfc2822(new Date());
    return {
      account_sid: m.accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: m.errorCode,
      error_message: null,
      from: m.from,
      messaging_service_sid: m.messagingServiceSid,
      num_media: '0',
      num_segments: String(analyzeText(m.body).parts.length),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json` },
      to: m.to,
      uri: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`,
    };
  };

  /** Posts form `params` to `url` signed with `authToken`, the way Twilio calls webhooks. */
  const postSigned = async (url: string, authToken: string, params: Record<string, string>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, params),
        'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: new URLSearchParams(params).toString(),
      redirect: 'manual',
    });
    return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
  };

  const scheduleCallbacks = (
    m: FakeMessage,
    url: string,
    account: FakeAccount & { options: FakeAccountOptions },
  ) => {
    const steps = account.options.callbacks ?? [{ status: 'sent' }, { status: 'delivered' }];
    const delay = account.options.callbackDelayMs ?? 10;
    const run = (i: number) => {
      const step = steps[i];
      if (!step) return;
      const timer = setTimeout(async () => {
        timers.delete(timer);
        m.status = step.status;
        m.errorCode = step.errorCode ? Number(step.errorCode) : null;
        const params: Record<string, string> = {
          AccountSid: m.accountSid,
          ApiVersion: '2010-04-01',
          From: m.from ?? '',
          MessageSid: m.sid,
          MessageStatus: step.status,
          SmsSid: m.sid,
          SmsStatus: step.status,
          To: m.to,
          ...(m.messagingServiceSid ? { MessagingServiceSid: m.messagingServiceSid } : {}),
          ...(step.errorCode ? { ErrorCode: step.errorCode } : {}),
          ...(step.status === 'delivered' || step.status === 'undelivered'
            ? { RawDlrDoneDate: new Date().toISOString().replace(/\D/g, '').slice(2, 12) }
            : {}),
        };
        try {
          await postSigned(url, account.authToken, params);
        } catch {
          // The receiver went away; Twilio would log a warning (11200) and move on.
        }
        run(i + 1);
      }, delay);
      timers.add(timer);
    };
    run(0);
  };

  const decide = (account: FakeAccountOptions, params: Record<string, string>): FakeAnswer => {
    const custom = account.answer?.(params);
    if (custom) return custom;
    const magic = MAGIC_TO[params.To ?? ''];
    if (magic) return { kind: 'error', httpStatus: 400, code: magic.code };
    return { kind: 'accept' };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      requests.push({ method: req.method ?? '', path: url.pathname });
      const create = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
      const fetchOne = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/.exec(url.pathname);
      const accountSid = decodeURIComponent((create ?? fetchOne)?.[1] ?? '');
      const account = accounts.get(accountSid);
      const authorized =
        account !== undefined &&
        req.headers.authorization ===
          `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;

      if (create && req.method === 'POST') {
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        submits.push({
          accountSid,
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          params,
        });
        if (!account || !authorized) return sendError(res, 401, 20003, 'Authenticate');
        const answer = decide(account.options, params);
        switch (answer.kind) {
          case 'hang':
            return;
          case 'reset':
            req.socket.destroy();
            return;
          case 'garbage':
            res.writeHead(201, { 'content-type': 'text/html' }).end('<html>oops</html>');
            return;
          case 'redirect':
            res.writeHead(302, { location: answer.location }).end();
            return;
          case 'error': {
            const headers: Record<string, string> = answer.retryAfter
              ? { 'retry-after': answer.retryAfter }
              : {};
            if (answer.rawBody !== undefined) {
              res
                .writeHead(answer.httpStatus, { 'content-type': 'text/plain', ...headers })
                .end(answer.rawBody);
              return;
            }
            const magic = Object.values(MAGIC_TO).find((m) => m.code === answer.code);
            return sendError(
              res,
              answer.httpStatus,
              answer.code ?? answer.httpStatus,
              magic?.message ?? `Error ${answer.code} for ${params.To ?? ''}`,
              headers,
            );
          }
          case 'accept':
            break;
        }
        if (!params.To) return sendError(res, 400, 21604, "A 'To' phone number is required.");
        if (!params.From && !params.MessagingServiceSid) {
          return sendError(res, 400, 21603, "A 'From' phone number is required.");
        }
        if (params.Body === undefined || params.Body === '') {
          return sendError(res, 400, 21602, 'Message body is required.');
        }
        if (params.Body.length > 1600) {
          return sendError(
            res,
            400,
            21617,
            'The concatenated message body exceeds the 1600 character limit.',
          );
        }
        if (params.ValidityPeriod !== undefined) {
          const v = Number(params.ValidityPeriod);
          if (!/^\d+$/.test(params.ValidityPeriod) || v < 1 || v > 36_000) {
            return sendError(res, 400, 21624, 'Invalid validity period value');
          }
        }
        const viaService = Boolean(params.MessagingServiceSid) && !params.From;
        const m: FakeMessage = {
          sid: `SM${hex32()}`,
          accountSid,
          to: params.To,
          from: params.From ?? null,
          body: params.Body,
          status: answer.status ?? (viaService ? 'accepted' : 'queued'),
          errorCode: null,
          messagingServiceSid: params.MessagingServiceSid ?? null,
        };
        messages.set(m.sid, m);
        sendJson(res, 201, resource(m));
        if (params.StatusCallback) scheduleCallbacks(m, params.StatusCallback, account);
        return;
      }

      if (fetchOne && req.method === 'GET') {
        if (!account || !authorized) return sendError(res, 401, 20003, 'Authenticate');
        if (statusQueryFailure) {
          return sendError(res, statusQueryFailure.httpStatus, statusQueryFailure.code, 'Failure');
        }
        const m = messages.get(decodeURIComponent(fetchOne[2] ?? ''));
        if (!m || m.accountSid !== accountSid) {
          return sendError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
        }
        return sendJson(res, 200, resource(m));
      }
      sendError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    submits,
    requests,
    messages,
    addAccount(options = {}) {
      const account = { accountSid: `AC${hex32()}`, authToken: hex32(), options };
      accounts.set(account.accountSid, account);
      return { accountSid: account.accountSid, authToken: account.authToken };
    },
    setStatus(sid, status, errorCode) {
      const m = messages.get(sid);
      if (!m) throw new Error(`no message ${sid}`);
      m.status = status;
      m.errorCode = errorCode ?? null;
    },
    failStatusQueries(answer) {
      statusQueryFailure = answer;
    },
    sendInbound(account, url, sms) {
      const sid = `SM${hex32()}`;
      return postSigned(url, account.authToken, {
        ToCountry: 'DE',
        ToState: '',
        SmsMessageSid: sid,
        NumMedia: '0',
        ToCity: '',
        FromZip: '',
        SmsSid: sid,
        FromState: '',
        SmsStatus: 'received',
        FromCity: '',
        Body: sms.text,
        FromCountry: 'DE',
        To: sms.to,
        ToZip: '',
        NumSegments: String(analyzeText(sms.text).parts.length),
        MessageSid: sid,
        AccountSid: account.accountSid,
        From: sms.from,
        ApiVersion: '2010-04-01',
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
