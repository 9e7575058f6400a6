import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { migrateToLatest } from '../db/db.js';
import { SYSTEM_PRINCIPAL } from '../modules/auth/auth.system.js';
import { openEventBus } from '../modules/events/events.bus.factory.js';
import { resendMessage } from '../modules/resend/resend.usecases.js';
import { openDatabase } from '../start.js';

export function registerResend(program: Command) {
  program
    .command('resend')
    .description('Resend an accepted, failed or timed-out message as a new message (as the operator)')
    .argument('<messageId>', 'id of the message to resend')
    .option('--json', 'print the new message as JSON')
    .action(async (messageId: string, opts: { json?: boolean }) => {
      const config = loadConfig();
      const db = openDatabase(config);
      // Publish only: with PostgreSQL, browsers connected to any API process see the new message.
      const bus = openEventBus({ db, config, listen: false });
      try {
        await migrateToLatest(db);
        const m = await resendMessage({
          db: db.kysely,
          clock: systemClock,
          config,
          principal: SYSTEM_PRINCIPAL,
          bus,
          id: messageId,
        });
        if (opts.json) console.log(JSON.stringify(m, null, 2));
        else {
          const reason = m.statusReasonLabel ? ` (${m.statusReasonLabel})` : '';
          console.log(`Resent ${messageId} as ${m.id}: ${m.statusLabel}${reason}.`);
        }
      } finally {
        await bus.close();
        await db.close();
      }
    });
}
