/**
 * The HTTP floor: a bare `node:http` server (no framework, no validation, no storage) that reads the
 * same `POST /api/messages` body, parses its JSON and answers 201 with a small JSON body, in a child
 * process, loaded by the bench's own client at the same concurrency. What it reaches is what one
 * request/answer round trip costs on this machine, client and server together, before Herald does
 * anything of its own.
 */
import path from 'node:path';
import { freePort, LOOPBACK, waitForPort } from '../../test/helpers/kannel-ports.js';
import { type LoadRequest, runLoad } from './load.js';
import { spawnManaged } from './processes.js';

const SERVER = `
const http = require('node:http');
let n = 0;
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const out = JSON.stringify({ id: 'm' + ++n, to: body.to, status: 'queued' });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
}).listen(Number(process.argv[1]), '${LOOPBACK}');
`;

export interface HttpFloor {
  requestsPerSec: number;
  /** CPU µs one round trip may take at most: the machine's cores divided by the rate. */
  cpuUsPerRoundTrip: number;
}

export async function measureHttpFloor(opts: {
  dir: string;
  total: number;
  concurrency: number;
  cores: number;
  /** The same requests Herald is sent (method, path, headers and body). */
  request: (i: number) => LoadRequest;
}): Promise<HttpFloor> {
  const port = await freePort();
  const server = spawnManaged({
    name: 'http-floor',
    command: process.execPath,
    args: ['-e', SERVER, String(port)],
    cwd: opts.dir,
    logFile: path.join(opts.dir, 'http-floor.log'),
  });
  try {
    await waitForPort(port, 10_000, 'http floor server');
    const load = (total: number) =>
      runLoad({
        port,
        concurrency: opts.concurrency,
        total,
        request: opts.request,
        accept: (status) => status === 201,
      });
    // Warmed up well (the JIT of both ends): the floor must not be set lower than it is.
    await load(5_000);
    const measured = await load(opts.total);
    if (measured.failed > 0) throw new Error(`http floor: ${measured.failed} requests failed`);
    const requestsPerSec = (opts.total * 1000) / measured.elapsedMs;
    return { requestsPerSec, cpuUsPerRoundTrip: (opts.cores * 1_000_000) / requestsPerSec };
  } finally {
    await server.stop();
  }
}
