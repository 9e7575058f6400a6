import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (to provoke timeouts). */
  delayMs?: number;
}

/**
 * A real webhook receiver on 127.0.0.1 (port 0). It records every request and answers with what
 * `reply` returns (204 by default). `down()` closes the listener (connections are refused) and `up()`
 * listens again on the same port.
 */
export async function startReceiver(reply: (req: ReceivedRequest) => Reply = () => ({ status: 204 })) {
  const requests: ReceivedRequest[] = [];
  let respond = reply;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      const r = respond(rec);
      const send = () => {
        res.writeHead(r.status, r.headers);
        res.end();
      };
      if (r.delayMs) setTimeout(send, r.delayMs);
      else send();
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    setReply(r: (req: ReceivedRequest) => Reply) {
      respond = r;
    },
    down: close,
    up: () => listen(port),
    close,
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * Settings for tests whose receiver is on 127.0.0.1 over http: both need the administrator's switches.
 * A fixed encryption key, so the test never writes a key file.
 */
export const OPEN_WEBHOOK_ENV = {
  HERALD_WEBHOOKS_ALLOW_PRIVATE: 'true',
  HERALD_WEBHOOKS_ALLOW_HTTP: 'true',
  HERALD_WEBHOOKS_TIMEOUT_SECONDS: '2',
  HERALD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** Timers that never fire: tests call `tick()` themselves. */
export const manualTimers = {
  setInterval: () => 0,
  clearInterval: () => {},
  setTimeout: () => 0,
  clearTimeout: () => {},
};
