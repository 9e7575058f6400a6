#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAdmin } from './cli/admin.js';
import { registerContacts } from './cli/contacts.js';
import { registerInbound } from './cli/inbound.js';
import { registerMessages } from './cli/messages.js';
import { registerMigrate } from './cli/migrate.js';
import { registerResend } from './cli/resend.js';
import { registerSend } from './cli/send.js';
import { registerServe } from './cli/serve.js';
import { registerWorker } from './cli/worker.js';
import { ConfigError } from './config/config.js';
import { AppError } from './core/errors.js';

/** Exit codes: 1 a refused request (bad input, conflict), 2 usage, 78 bad configuration, 70 internal error. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof ConfigError) return 78;
  if (e instanceof AppError) return e.code === 'internal' ? 70 : 1;
  return 70;
}

const program = new Command()
  .name('herald')
  .description('Herald — the self-hosted SMS center for business systems')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();
registerServe(program);
registerWorker(program);
registerMigrate(program);
registerAdmin(program);
registerContacts(program);
registerMessages(program);
registerSend(program);
registerResend(program);
registerInbound(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof AppError) console.error(`error [${e.code}]: ${e.message}`);
  else if (e instanceof ConfigError) console.error(e.message);
  else console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(exitCodeOf(e));
}
