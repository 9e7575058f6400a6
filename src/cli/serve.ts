import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { startServer } from '../start.js';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('Run Herald: HTTP API, pages and API reference (port 8080)')
    .option('-p, --port <port>', 'port to listen on (overrides HERALD_PORT)')
    .option('--host <host>', 'address to listen on (overrides HERALD_HOST)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(opts.port ? { HERALD_PORT: opts.port } : {}),
        ...(opts.host ? { HERALD_HOST: opts.host } : {}),
      });
      const running = await startServer(config);
      const shutdown = async (signal: string) => {
        running.logger.info('shutting down', { signal });
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
