import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { freePort, LOOPBACK, waitForPort } from '../../test/helpers/kannel-ports.js';
import { type ManagedProcess, spawnManaged } from '../../test/helpers/kannel-processes.js';

const REPO = path.resolve(import.meta.dirname, '../..');

/**
 * The simulator as a fast, perfect gateway, so the bench measures Herald and not the simulator's
 * artificial latency: no submit latency, every message accepted and delivered, every delivery
 * reported at once.
 */
export const FAST_SIMULATOR_SETTINGS = {
  latencyMs: { min: 0, max: 0 },
  retryableRate: 0,
  acceptanceRate: 1,
  failureRate: 0,
  noReportRate: 0,
  deliveryRate: 1,
  reportDelayMs: { min: 0, max: 0 },
} as const;

/** The highest throughput limit a gateway account accepts. */
export const MAX_MESSAGES_PER_SECOND = 10_000;

export interface RunningHerald {
  url: string;
  port: number;
  process: ManagedProcess;
  dbFile: string;
  orgUnitId: string;
  /** `hk_…`, with `messages.send` on the org unit. */
  apiKey: string;
  gatewayId: string;
  /** Lays `settings` over the simulator's settings (`PATCH /api/gateways/{id}` as the administrator). */
  patchSimulator(settings: Record<string, unknown>): Promise<void>;
  /** Counts of messages by status, read from the SQLite file (read-only connection). */
  countByStatus(): Record<string, number>;
  /** final_at (epoch ms) of every delivered message created at or after `sinceIso`, by message id. */
  deliveredAt(sinceIso: string): Map<string, number>;
  stop(): Promise<void>;
}

/**
 * `herald serve` in a child process (`node --import tsx src/main.ts serve`) on a fresh SQLite file
 * in `dir`, on a free port of 127.0.0.1, set up the way a new install is: the first administrator
 * through `POST /api/setup`, an API key with `messages.send` through `POST /api/api-keys`, and the
 * default Simulator gateway made fast through `PATCH /api/gateways/{id}`.
 */
export async function startHerald(opts: {
  dir: string;
  /** Extra arguments of `herald serve` (say `--mode api`). */
  serveArgs?: string[];
  /** Extra arguments of node (say `--cpu-prof`). */
  nodeArgs?: string[];
}): Promise<RunningHerald> {
  const port = await freePort();
  const url = `http://${LOOPBACK}:${port}`;
  const dataDir = path.join(opts.dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, 'herald.db');
  // Only the settings below: a HERALD_* of the caller's shell (say a PostgreSQL URL) must not leak in.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('HERALD_')),
  );
  Object.assign(env, {
    HERALD_HOST: LOOPBACK,
    HERALD_PORT: String(port),
    HERALD_PUBLIC_URL: url,
    HERALD_DATA_DIR: dataDir,
    HERALD_DATABASE_URL: `sqlite:${dbFile}`,
    HERALD_LOG_LEVEL: 'info',
    // The worker's tuning knobs may come from the caller's shell, to compare settings on one load.
    ...Object.fromEntries(
      ['HERALD_WORKER_CONCURRENCY', 'HERALD_WORKER_BATCH_SIZE']
        .filter((k) => process.env[k])
        .map((k) => [k, process.env[k]]),
    ),
  });
  const child = spawnManaged({
    name: 'herald',
    command: process.execPath,
    // tsx by its resolved URL: the child runs in the temp directory, where `--import tsx` would not resolve.
    args: [
      ...(opts.nodeArgs ?? []),
      '--import',
      import.meta.resolve('tsx'),
      path.join(REPO, 'src/main.ts'),
      'serve',
      ...(opts.serveArgs ?? []),
    ],
    cwd: opts.dir,
    env,
    logFile: path.join(opts.dir, 'herald.log'),
  });
  let reader: SqliteDatabase.Database | undefined;
  const stop = async () => {
    reader?.close();
    await child.stop();
  };
  try {
    await Promise.race([
      waitForPort(port, 60_000, 'herald serve'),
      child.exited.then((code) => {
        throw new Error(`herald serve exited (${code}); see ${opts.dir}/herald.log`);
      }),
    ]);
    const api = client(url);
    const setup = await api.json<{ orgUnitId: string }>('POST', '/api/setup', {
      email: 'bench@example.com',
      name: 'Bench',
      password: 'bench-password-long-enough',
      orgUnit: { name: 'Bench', defaultRegion: 'DE', timezone: 'Europe/Berlin' },
    });
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password-long-enough' }),
    });
    if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const session = { cookie, 'x-csrf-token': csrfToken };
    const { key } = await api.json<{ key: string }>(
      'POST',
      '/api/api-keys',
      { name: 'bench', permissions: ['messages.send'], orgUnitIds: [setup.orgUnitId] },
      session,
    );
    const { items } = await api.json<{ items: { id: string; kind: string }[] }>(
      'GET',
      '/api/gateways',
      undefined,
      session,
    );
    const simulator = items.find((g) => g.kind === 'simulator');
    if (!simulator) throw new Error('the new install has no simulator gateway');
    await api.json(
      'PATCH',
      `/api/gateways/${simulator.id}`,
      {
        messagesPerSecond: MAX_MESSAGES_PER_SECOND,
        settings: FAST_SIMULATOR_SETTINGS,
      },
      session,
    );

    reader = new SqliteDatabase(dbFile, { readonly: true, fileMustExist: true });
    const byStatus = reader.prepare('select status, count(*) as n from messages group by status');
    const delivered = reader.prepare(
      "select id, final_at from messages where status = 'delivered' and final_at is not null and created_at >= ?",
    );
    return {
      url,
      port,
      process: child,
      dbFile,
      orgUnitId: setup.orgUnitId,
      apiKey: key,
      gatewayId: simulator.id,
      async patchSimulator(settings) {
        await api.json('PATCH', `/api/gateways/${simulator.id}`, { settings }, session);
      },
      countByStatus() {
        const rows = byStatus.all() as { status: string; n: number }[];
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      },
      deliveredAt(sinceIso) {
        const rows = delivered.all(sinceIso) as { id: string; final_at: string }[];
        return new Map(rows.map((r) => [r.id, Date.parse(r.final_at)]));
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function client(base: string) {
  return {
    async json<T = unknown>(
      method: string,
      route: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<T> {
      const res = await fetch(`${base}${route}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}
