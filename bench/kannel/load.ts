import http from 'node:http';
import { LOOPBACK } from '../../test/helpers/kannel-ports.js';

/** One HTTP request of the load; the body (if any) is sent with its Content-Length. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** The first few refused answers, to say why. */
  failures: { status: number; body: string }[];
  elapsedMs: number;
  /** Per request, from just before it is written to its complete answer; indexed by request number. */
  latenciesMs: Float64Array;
  /** performance.now() when request i was started; lets a caller time the rest of a message's life. */
  startedAt: Float64Array;
}

/**
 * The same client for both sides: `concurrency` requests in flight at all times (each of them a
 * loop taking the next request number) over keep-alive connections to 127.0.0.1:port, until
 * `total` requests are answered. A request counts as ok when `accept(status, body)` says so.
 */
export async function runLoad(opts: {
  port: number;
  concurrency: number;
  total: number;
  request: (i: number) => LoadRequest;
  accept: (status: number, body: string) => boolean;
  /** Sees every answer (say, to note the id the server gave request i). */
  onAnswer?: (i: number, status: number, body: string) => void;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latenciesMs = new Float64Array(opts.total);
  const startedAt = new Float64Array(opts.total);
  const failures: LoadResult['failures'] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  const worker = async () => {
    for (let i = next++; i < opts.total; i = next++) {
      const req = opts.request(i);
      const start = performance.now();
      startedAt[i] = start;
      const answer = await send(agent, opts.port, req).catch((e: Error) => ({ status: 0, body: e.message }));
      latenciesMs[i] = performance.now() - start;
      opts.onAnswer?.(i, answer.status, answer.body);
      if (opts.accept(answer.status, answer.body)) ok++;
      else {
        failed++;
        if (failures.length < 5) failures.push({ status: answer.status, body: answer.body.slice(0, 300) });
      }
    }
  };
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return {
    sent: opts.total,
    ok,
    failed,
    failures,
    elapsedMs: performance.now() - start,
    latenciesMs,
    startedAt,
  };
}

function send(agent: http.Agent, port: number, req: LoadRequest): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const r = http.request(
      {
        host: LOOPBACK,
        port,
        method: req.method,
        path: req.path,
        agent,
        headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}
