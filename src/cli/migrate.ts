import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { migrateToLatest } from '../db/db.js';
import { openDatabase } from '../start.js';

export function registerMigrate(program: Command) {
  program
    .command('migrate')
    .description('Apply pending database migrations and exit')
    .action(async () => {
      const db = openDatabase(loadConfig());
      try {
        const { applied } = await migrateToLatest(db);
        console.log(
          applied.length === 0
            ? `Database (${db.dialect}) is up to date.`
            : `Applied ${applied.length} migration(s) on ${db.dialect}: ${applied.join(', ')}`,
        );
      } finally {
        await db.close();
      }
    });
}
