import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Vonage's SMS API (https://developer.vonage.com/en/api/sms), on 127.0.0.1
 * (port from the OS), speaking what the documentation describes:
 *
 * - `POST {base}/sms/json` with form or JSON fields `api_key`, `api_secret`, `from`, `to`, `text`,
 *   `type`, `callback`, `status-report-req`, `ttl`, `client-ref`; it splits long text into parts
 *   (160/153 GSM characters, 70/67 for `type=unicode`) and answers
 *   `{"message-count":"N","messages":[{"to","message-id","status":"0",…}, …]}`, one entry per part;
 * - wrong credentials → status `4`, a missing field → `2`;
 * - the base path picks the answer for tests: `/ok` accepts; `/status/<n>` answers status `n` for
 *   every part; `/partial` accepts part 1 and throttles the rest; `/http/<n>` answers HTTP `n`;
 *   `/garbage` answers 200 with HTML;
 * - for each accepted part with `status-report-req=1` and a `callback`, a delivery receipt is sent
 *   there (GET, POST form or POST-JSON, as `receiptMethod` says), signed with `sig` when a signature
 *   secret is set — the signature computed here independently of the adapter's code.
 */

export type VonageWebhookMethod = 'GET' | 'POST' | 'POST-JSON';
export type VonageSigMethod = 'md5hash' | 'md5hmac' | 'sha1hmac' | 'sha256hmac' | 'sha512hmac';

export interface FakeVonageOptions {
  apiKey: string;
  apiSecret: string;
  signatureSecret?: string;
  signatureMethod?: VonageSigMethod;
  receiptMethod?: VonageWebhookMethod;
  /** The receipt's `status`. Default `delivered`. */
  receiptStatus?: string;
  receiptErrCode?: string;
}

export interface FakeVonageSubmit {
  readonly path: string;
  readonly contentType: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface FakeVonage {
  readonly url: string;
  readonly submits: FakeVonageSubmit[];
  /** Sends an inbound SMS webhook to `url` the way Vonage does (signed when a secret is set). */
  inbound(
    url: string,
    sms: { from: string; to: string; text: string },
    extra?: Record<string, string>,
    method?: VonageWebhookMethod,
  ): Promise<number>;
  close(): Promise<void>;
}

/** Vonage's documented signing steps, written out again here so the test peer does not share our code. */
export function fakeVonageSign(
  params: Record<string, string>,
  secret: string,
  method: VonageSigMethod,
): string {
  let s = '';
  for (const key of Object.keys(params).sort()) {
    if (key === 'sig') continue;
    s += `&${key}=${params[key]!.replaceAll('&', '_').replaceAll('=', '_')}`;
  }
  if (method === 'md5hash')
    return createHash('md5')
      .update(s + secret)
      .digest('hex');
  const algo = { md5hmac: 'md5', sha1hmac: 'sha1', sha256hmac: 'sha256', sha512hmac: 'sha512' }[method];
  return createHmac(algo, secret).update(s).digest('hex').toUpperCase();
}

const two = (n: number) => String(n).padStart(2, '0');

export async function startFakeVonage(options: FakeVonageOptions): Promise<FakeVonage> {
  const submits: FakeVonageSubmit[] = [];
  let seq = 0;
  /** Ids like Vonage's `0C000000217B7F02`: 16 hex digits, upper case, a leading zero. */
  const nextId = () => `0C${(0x217b7f00 + ++seq).toString(16).toUpperCase().padStart(14, '0')}`;

  function signed(params: Record<string, string>): Record<string, string> {
    if (!options.signatureSecret) return params;
    const withStamp = {
      ...params,
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: randomBytes(8).toString('hex'),
    };
    return {
      ...withStamp,
      sig: fakeVonageSign(withStamp, options.signatureSecret, options.signatureMethod ?? 'sha256hmac'),
    };
  }

  async function webhook(url: string, params: Record<string, string>, method: VonageWebhookMethod) {
    const p = signed(params);
    let res: Response;
    if (method === 'GET') {
      const u = new URL(url);
      for (const [k, v] of Object.entries(p)) u.searchParams.append(k, v);
      res = await fetch(u, { method: 'GET' });
    } else if (method === 'POST-JSON') {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(p),
      });
    } else {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(p).toString(),
      });
    }
    await res.body?.cancel();
    return res.status;
  }

  const server = createServer(async (req, res) => {
    const { path, contentType, fields } = await read(req);
    const answer = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!path.endsWith('/sms/json') || req.method !== 'POST') return answer(404, { error: 'not found' });
    submits.push({ path, contentType, fields });
    const mode = path.slice(0, -'/sms/json'.length);
    const httpMode = /^\/http\/(\d{3})$/.exec(mode);
    if (httpMode) {
      res.writeHead(Number(httpMode[1]), { 'retry-after': '7' }).end('<html>error</html>');
      return;
    }
    if (mode === '/garbage') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      return;
    }
    const one = (status: string, extra: Record<string, string> = {}) => ({
      'message-count': '1',
      messages: [{ status, ...extra }],
    });
    for (const f of ['api_key', 'from', 'to', 'text']) {
      if (!fields[f]) return answer(200, one('2', { 'error-text': `Missing ${f}` }));
    }
    if (fields.api_key !== options.apiKey || fields.api_secret !== options.apiSecret) {
      return answer(200, one('4', { 'error-text': 'Bad Credentials' }));
    }
    const unicode = fields.type === 'unicode';
    const len = [...fields.text!].length;
    const single = unicode ? 70 : 160;
    const per = unicode ? 67 : 153;
    const count = len <= single ? 1 : Math.ceil(len / per);
    const fixed = /^\/status\/(\d+)$/.exec(mode)?.[1];
    const messages = Array.from({ length: count }, (_, i) => {
      const status = fixed ?? (mode === '/partial' && i > 0 ? '1' : '0');
      if (status !== '0') return { status, 'error-text': `Error for ${fields.to}` };
      return {
        to: fields.to,
        'message-id': nextId(),
        status: '0',
        'remaining-balance': '15.53590000',
        'message-price': '0.03330000',
        network: '26202',
      };
    });
    answer(200, { 'message-count': String(count), messages });
    if (fields['status-report-req'] === '1' && fields.callback) {
      const now = new Date();
      const scts = `${two(now.getUTCFullYear() % 100)}${two(now.getUTCMonth() + 1)}${two(now.getUTCDate())}${two(now.getUTCHours())}${two(now.getUTCMinutes())}`;
      for (const m of messages) {
        if (!m['message-id']) continue;
        const receipt: Record<string, string> = {
          msisdn: fields.to!,
          to: fields.from!,
          'network-code': '26202',
          messageId: m['message-id'],
          price: '0.03330000',
          status: options.receiptStatus ?? 'delivered',
          scts,
          'err-code': options.receiptErrCode ?? '0',
          'api-key': options.apiKey,
          ...(fields['client-ref'] && { 'client-ref': fields['client-ref'] }),
          'message-timestamp': now.toISOString().slice(0, 19).replace('T', ' '),
        };
        setTimeout(
          () => void webhook(fields.callback!, receipt, options.receiptMethod ?? 'POST-JSON').catch(() => {}),
          5,
        );
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    submits,
    inbound: (url, sms, extra = {}, method = 'POST-JSON') =>
      webhook(
        url,
        {
          msisdn: sms.from.replace(/^\+/, ''),
          to: sms.to.replace(/^\+/, ''),
          messageId: nextId(),
          text: sms.text,
          type: 'text',
          keyword: sms.text.split(/\s+/)[0]!.toUpperCase(),
          'api-key': options.apiKey,
          'message-timestamp': new Date().toISOString().slice(0, 19).replace('T', ' '),
          ...extra,
        },
        method,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function read(req: IncomingMessage): Promise<FakeVonageSubmit> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const contentType = String(req.headers['content-type'] ?? '');
  let fields: Record<string, string> = Object.fromEntries(url.searchParams);
  if (contentType.startsWith('application/json')) {
    fields = { ...fields, ...(JSON.parse(body) as Record<string, string>) };
  } else if (body) {
    fields = { ...fields, ...Object.fromEntries(new URLSearchParams(body)) };
  }
  return { path: url.pathname, contentType, fields };
}
