import { z } from 'zod';

/**
 * One setting: its environment variable, what it means, how it is validated and its default.
 * Every setting Herald reads is declared once, here; `docs/configuration.md` is generated from this list.
 */
export interface SettingDeclaration<S extends z.ZodType = z.ZodType> {
  env: `HERALD_${string}`;
  doc: string;
  schema: S;
  /** Default as the user would type it in the environment; `undefined` means "not set". */
  default: string | undefined;
  /** Secret values are never printed (docs show no default, errors show no value). */
  secret?: boolean;
}

const declare = <S extends z.ZodType, const D extends string | undefined>(
  d: SettingDeclaration<S> & { default: D },
): SettingDeclaration<S> & { default: D } => d;

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'expected a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const settingDeclarations = {
  host: declare({
    env: 'HERALD_HOST',
    doc: 'Address the HTTP server listens on. Use `0.0.0.0` (or `::`) to accept connections from other machines.',
    schema: z.string().min(1),
    default: '127.0.0.1',
  }),
  port: declare({
    env: 'HERALD_PORT',
    doc: 'TCP port of the HTTP server (API, web app, metrics).',
    schema: integer(0, 65535),
    default: '8080',
  }),
  publicUrl: declare({
    env: 'HERALD_PUBLIC_URL',
    doc: 'The URL users and gateways reach Herald at (e.g. `https://sms.example.com`). Used for callback URLs and to decide whether session cookies are `Secure`. Defaults to `http://HOST:PORT`.',
    schema: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
    default: undefined,
  }),
  dataDir: declare({
    env: 'HERALD_DATA_DIR',
    doc: 'Directory for the embedded SQLite database and generated key files. Created on start if missing.',
    schema: z.string().min(1),
    default: './data',
  }),
  databaseUrl: declare({
    env: 'HERALD_DATABASE_URL',
    doc: 'Where Herald stores its data. Empty: a SQLite file `herald.db` in the data directory. `sqlite:/path/to/file.db` for another SQLite file, `postgres://user:pass@host:5432/db` for PostgreSQL.',
    schema: z
      .string()
      .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, { error: 'expected sqlite:<path> or postgres://…' }),
    default: undefined,
    secret: true,
  }),
  databasePoolSize: declare({
    env: 'HERALD_DATABASE_POOL_SIZE',
    doc: 'Maximum number of PostgreSQL connections per process (ignored for SQLite).',
    schema: integer(1, 200),
    default: '10',
  }),
  autoMigrate: declare({
    env: 'HERALD_AUTO_MIGRATE',
    doc: 'Apply pending database migrations when `herald serve` starts. Turn off when you run `herald migrate` as a separate deployment step.',
    schema: booleanFromEnv,
    default: 'true',
  }),
  bodyLimitBytes: declare({
    env: 'HERALD_BODY_LIMIT_BYTES',
    doc: 'Largest accepted HTTP request body in bytes; larger requests get `413 request.too_large`.',
    schema: integer(1024, 512 * 1024 * 1024),
    default: '1048576',
  }),
  importMaxBytes: declare({
    env: 'HERALD_IMPORT_MAX_BYTES',
    doc: 'Largest accepted contact import upload (`POST /api/contacts/imports`, raw CSV) in bytes; larger uploads get `413 request.too_large`. The upload is streamed to a file in the data directory, never held in memory. Default 50 MiB.',
    schema: integer(1024, 4 * 1024 * 1024 * 1024),
    default: '52428800',
  }),
  maxSearchLength: declare({
    env: 'HERALD_MAX_SEARCH_LENGTH',
    doc: 'Longest accepted search string (characters) on list endpoints.',
    schema: integer(1, 10_000),
    default: '200',
  }),
  sessionTtlHours: declare({
    env: 'HERALD_SESSION_TTL_HOURS',
    doc: 'How long a browser session lasts without activity before the user must log in again.',
    schema: integer(1, 24 * 90),
    default: '12',
  }),
  logLevel: declare({
    env: 'HERALD_LOG_LEVEL',
    doc: 'Minimum level of log lines written to stdout (JSON lines). Logs never contain message bodies or full phone numbers.',
    schema: z.enum(['debug', 'info', 'warn', 'error', 'silent']),
    default: 'info',
  }),
  defaultValidityHours: declare({
    env: 'HERALD_DEFAULT_VALIDITY_HOURS',
    doc: 'How long a message may wait to be sent (from its send time) before it becomes `expired` instead of going out late. A message may set its own.',
    schema: integer(1, 24 * 14),
    default: '48',
  }),
  maxScheduleDays: declare({
    env: 'HERALD_MAX_SCHEDULE_DAYS',
    doc: 'How far ahead a message or batch may be scheduled, in days.',
    schema: integer(1, 3650),
    default: '365',
  }),
  maxBatchRecipients: declare({
    env: 'HERALD_MAX_BATCH_RECIPIENTS',
    doc: 'Most recipients one batch (send action) may address.',
    schema: integer(1, 10_000_000),
    default: '200000',
  }),
  metricsEnabled: declare({
    env: 'HERALD_METRICS_ENABLED',
    doc: 'Serve Prometheus metrics at `/metrics`.',
    schema: booleanFromEnv,
    default: 'true',
  }),
} as const satisfies Record<string, SettingDeclaration>;

export type SettingKey = keyof typeof settingDeclarations;
