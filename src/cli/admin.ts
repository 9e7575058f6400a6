import type { Command } from 'commander';
import type { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { migrateToLatest } from '../db/db.js';
import { SetupSchema } from '../modules/auth/auth.schemas.js';
import { SYSTEM_PRINCIPAL } from '../modules/auth/auth.system.js';
import { completeSetup, isSetupNeeded } from '../modules/auth/auth.usecases.js';
import { CreateUserSchema } from '../modules/users/users.schemas.js';
import { createUser } from '../modules/users/users.usecases.js';
import { openDatabase } from '../start.js';
import { ask, readStdin } from './prompt.js';

interface Options {
  email?: string;
  name?: string;
  passwordStdin?: boolean;
  orgUnit?: string;
  region: string;
  timezone: string;
}

export function registerAdmin(program: Command) {
  const admin = program.command('admin').description('Create administrators (admin create)');
  admin
    .command('create')
    .description('Create an administrator (the first one on a new install, or another one to regain access)')
    .option('--email <email>', 'email address (login name)')
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input instead of asking')
    .option('--org-unit <name>', 'name of the first org unit (new install only)', 'Head Office')
    .option('--region <code>', 'default phone region of the first org unit (new install only)', 'DE')
    .option('--timezone <tz>', 'time zone of the first org unit (new install only)', 'Europe/Berlin')
    .action(async (opts: Options) => {
      const email = opts.email ?? (await ask('Email: '));
      const name = opts.name ?? (await ask('Name: '));
      const password = opts.passwordStdin ? await readStdin() : await askPassword();
      const db = openDatabase(loadConfig());
      try {
        await migrateToLatest(db);
        if (await isSetupNeeded(db.kysely)) {
          const input = parse(SetupSchema, {
            email,
            name,
            password,
            orgUnit: { name: opts.orgUnit, defaultRegion: opts.region, timezone: opts.timezone },
          });
          await completeSetup({ db: db.kysely, clock: systemClock, input });
          console.log(
            `Created the first administrator ${input.email} and the org unit "${input.orgUnit.name}".`,
          );
        } else {
          // Another system manager, member of every top-level org unit (system managers see all units anyway).
          const roots = await db.kysely
            .selectFrom('org_units')
            .select('id')
            .where('parent_id', 'is', null)
            .execute();
          const user = await createUser({
            db: db.kysely,
            clock: systemClock,
            principal: SYSTEM_PRINCIPAL,
            input: parse(CreateUserSchema, {
              email,
              name,
              password,
              roles: ['system_manager'],
              orgUnitIds: roots.map((r) => r.id),
            }),
          });
          console.log(`Created the administrator ${user.email}.`);
        }
      } finally {
        await db.close();
      }
    });
}

async function askPassword(): Promise<string> {
  const p1 = await ask('Password (at least 12 characters): ', { hidden: true });
  const p2 = await ask('Repeat the password: ', { hidden: true });
  if (p1 !== p2) throw new AppError('validation.failed', 'The passwords do not match.');
  return p1;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new AppError(
      'validation.failed',
      first ? `${first.path.join('.')}: ${first.message}` : 'invalid input',
    );
  }
  return r.data;
}
