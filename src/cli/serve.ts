import { Worker } from 'node:worker_threads';
import { type Command, Option } from 'commander';
import { loadConfig } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { EventBus } from '../modules/events/events.bus.js';
import { startServer } from '../start.js';
import type { FromServeWorker, ServeWorkerData } from './serve.worker.js';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('Run Herald: HTTP API, pages and API reference (port 8080)')
    .option('-p, --port <port>', 'port to listen on (overrides HERALD_PORT)')
    .option('--host <host>', 'address to listen on (overrides HERALD_HOST)')
    .addOption(
      new Option(
        '--mode <mode>',
        'all: API and dispatch worker; api: no worker (run `herald worker` elsewhere)',
      )
        .choices(['all', 'api'])
        .default('all'),
    )
    .action(async (opts: { port?: string; host?: string; mode: 'all' | 'api' }) => {
      const env = {
        ...process.env,
        ...(opts.port ? { HERALD_PORT: opts.port } : {}),
        ...(opts.host ? { HERALD_HOST: opts.host } : {}),
      };
      const config = loadConfig(env);
      // Mode `all`: the dispatch worker runs on a thread of its own (serve.worker.ts), with its own
      // database connection. On SQLite the two connections take turns at the write lock; the API's
      // group commit retries without blocking its event loop (send.commit.ts).
      const threaded = opts.mode === 'all';
      const running = await startServer(config, { mode: threaded ? 'api' : opts.mode });
      // Signals are handled from here on, also while the thread still starts (tsx takes a moment).
      const worker = threaded
        ? startWorkerThread({ env, writeLock: running.db.writeLock?.buffer }, running.bus, running.logger)
        : Promise.resolve(null);
      const shutdown = async (signal: string) => {
        running.logger.info('shutting down', { signal });
        // The worker first: it finishes its submits and publishes their outcomes while the bus is open.
        await (await worker.catch(() => null))?.stop();
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      try {
        await worker;
      } catch (e) {
        running.logger.error('dispatch worker thread failed to start', { error: (e as Error).message });
        await running.stop();
        process.exit(1);
      }
    });
}

/** Built, the thread runs serve.worker.js next to this file. */
const builtWorkerFile = new URL('./serve.worker.js', import.meta.url);

/**
 * From the sources (`node --import tsx`, `npm run herald`), a new thread does not inherit tsx's loader
 * on every supported Node version: the thread registers it first, then loads serve.worker.ts.
 */
function newWorkerThread(workerData: ServeWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(builtWorkerFile, { workerData });
  const source = new URL('./serve.worker.ts', import.meta.url).href;
  // Resolved here: the process may run in a directory where `tsx` does not resolve (the benchmark's).
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Starts the worker thread and relays its status events onto `bus`. A thread that dies ends the
 * process (exit code 1): `herald serve` must not go on accepting messages nobody sends.
 */
async function startWorkerThread(data: ServeWorkerData, bus: EventBus, logger: Logger) {
  const thread = newWorkerThread(data);
  let stopping = false;
  let stopped: (() => void) | undefined;
  const started = new Promise<void>((resolve, reject) => {
    thread.on('message', (m: FromServeWorker) => {
      if (m.type === 'started') resolve();
      else if (m.type === 'events') void bus.publish(m.events).catch(() => {});
      else if (m.type === 'stopped') stopped?.();
      else if (m.type === 'failed') reject(new Error(`dispatch worker thread failed: ${m.error}`));
    });
    thread.once('error', reject);
  });
  thread.on('error', (e) => logger.error('dispatch worker thread failed', { error: e.message }));
  thread.on('exit', (code) => {
    if (stopping) return;
    logger.error('dispatch worker thread exited', { code });
    process.exit(1);
  });
  await started;
  return {
    async stop() {
      stopping = true;
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
        thread.once('exit', () => resolve());
      });
      thread.postMessage({ type: 'stop' });
      await done;
    },
  };
}
