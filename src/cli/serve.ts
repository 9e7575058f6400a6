import { type Command, Option } from 'commander';
import { loadConfig } from '../config/config.js';
import { startServer } from '../start.js';

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
      const config = loadConfig({
        ...process.env,
        ...(opts.port ? { HERALD_PORT: opts.port } : {}),
        ...(opts.host ? { HERALD_HOST: opts.host } : {}),
      });
      const running = await startServer(config, { mode: opts.mode });
      const shutdown = async (signal: string) => {
        running.logger.info('shutting down', { signal });
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
