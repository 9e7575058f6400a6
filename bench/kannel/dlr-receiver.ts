import http from 'node:http';
import { LOOPBACK } from '../../test/helpers/kannel-ports.js';

/**
 * Kannel's DLR types (the `%d` of a `dlr-url`): 1 delivered to the phone, 2 not delivered,
 * 4 queued on the SMSC, 8 accepted by the SMSC, 16 rejected by the SMSC. 1, 2 and 16 are final.
 */
export const FINAL_DLR_TYPES: ReadonlySet<string> = new Set(['1', '2', '16']);

/**
 * The tiny HTTP server Kannel's `dlr-url` points at: `GET /dlr?id=<n>&type=%d`. It records, per
 * message number, when its first final report (type 1, 2 or 16) arrived, and counts every type.
 */
export interface DlrReceiver {
  port: number;
  /** `dlr-url` for message `id`; smsbox replaces %d with the DLR type. */
  urlFor(id: number): string;
  /** performance.now() of each message's first final report (NaN: none yet). */
  finalAt: Float64Array;
  /** How many messages have a final report. */
  finals(): number;
  /** Count of reports per DLR type. */
  types: Map<string, number>;
  /** Resolves when `count` messages have a final report, or rejects after `timeoutMs`. */
  waitForFinals(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startDlrReceiver(capacity: number): Promise<DlrReceiver> {
  const finalAt = new Float64Array(capacity).fill(Number.NaN);
  const types = new Map<string, number>();
  let finals = 0;
  let waiter: { count: number; resolve: () => void } | undefined;
  const server = http.createServer((req, res) => {
    const now = performance.now();
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    const id = Number(query.get('id'));
    const type = query.get('type') ?? '?';
    types.set(type, (types.get(type) ?? 0) + 1);
    if (FINAL_DLR_TYPES.has(type) && Number.isInteger(id) && id >= 0 && id < capacity) {
      if (Number.isNaN(finalAt[id]!)) {
        finalAt[id] = now;
        finals++;
        if (waiter && finals >= waiter.count) waiter.resolve();
      }
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    urlFor: (id) => `http://${LOOPBACK}:${port}/dlr?id=${id}&type=%d`,
    finalAt,
    finals: () => finals,
    types,
    waitForFinals(count, timeoutMs) {
      if (finals >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`only ${finals} of ${count} messages got a final DLR within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            waiter = undefined;
            resolve();
          },
        };
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
