import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { startWorkerProcess } from '../start.js';

export function registerWorker(program: Command) {
  program
    .command('worker')
    .description(
      'Run a dispatch worker alone: sends due messages (no HTTP; several may share one PostgreSQL)',
    )
    .action(async () => {
      const running = await startWorkerProcess(loadConfig());
      const shutdown = async (signal: string) => {
        running.logger.info('shutting down', { signal, workerId: running.worker.id });
        // Graceful: stop claiming, finish submits in flight, put the rest back to the queue.
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
