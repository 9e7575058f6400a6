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
  retryBudget: declare({
    env: 'HERALD_RETRY_BUDGET',
    doc: 'Submit attempts a message may fail with a retryable error (gateway busy, 5xx, connection error) before it becomes `failed`. Retries wait 2 s, 4 s, 8 s … (at most 10 min, with jitter, never less than the gateway’s `Retry-After`). "Throttled" answers do not count.',
    schema: integer(1, 100),
    default: '5',
  }),
  statusTimeoutHours: declare({
    env: 'HERALD_STATUS_TIMEOUT_HOURS',
    doc: 'A message still `accepted`, `sent` or `unknown` this many hours after it was submitted becomes `status_timeout` (a gateway that can be asked for the status is asked first).',
    schema: integer(1, 24 * 90),
    default: '48',
  }),
  workerConcurrency: declare({
    env: 'HERALD_WORKER_CONCURRENCY',
    doc: 'Messages one worker process handles at the same time (waiting for a rate slot or a gateway answer).',
    schema: integer(1, 1000),
    default: '64',
  }),
  workerBatchSize: declare({
    env: 'HERALD_WORKER_BATCH_SIZE',
    doc: 'Messages a worker claims in one statement.',
    schema: integer(1, 500),
    default: '32',
  }),
  workerLeaseSeconds: declare({
    env: 'HERALD_WORKER_LEASE_SECONDS',
    doc: 'How long a claimed message belongs to its worker before another worker may recover it (renewed while it waits for a rate slot; extended by the submit timeout when the submit starts). After a crash, messages wait at most this long.',
    schema: integer(5, 3600),
    default: '60',
  }),
  workerPollMs: declare({
    env: 'HERALD_WORKER_POLL_MS',
    doc: 'How often an idle worker looks for due messages, in milliseconds (also the interval of promoting scheduled messages, expiring old ones and recovering expired leases).',
    schema: integer(10, 60_000),
    default: '250',
  }),
  submitTimeoutSeconds: declare({
    env: 'HERALD_SUBMIT_TIMEOUT_SECONDS',
    doc: 'Longest a worker waits for a gateway to answer one submit. No answer in time: the message becomes `unknown` (the gateway may have it) and is never sent again automatically.',
    schema: integer(1, 600),
    default: '30',
  }),
  submitJournal: declare({
    env: 'HERALD_SUBMIT_JOURNAL',
    doc: 'Diagnostics and tests: a file to which every worker appends one JSON line right before each gateway submit and one with its outcome (message id, gateway account, result; no numbers, no texts). Counts how often a message went to a gateway, across processes and crashes. Empty: no journal.',
    schema: z.string().min(1),
    default: undefined,
  }),
  metricsEnabled: declare({
    env: 'HERALD_METRICS_ENABLED',
    doc: 'Serve Prometheus metrics at `/metrics`.',
    schema: booleanFromEnv,
    default: 'true',
  }),
  eventsHeartbeatSeconds: declare({
    env: 'HERALD_EVENTS_HEARTBEAT_SECONDS',
    doc: 'Live status (`GET /api/events`): seconds between heartbeat comments that keep proxies from closing an idle stream. Each heartbeat also re-reads the durable event record, so a wake-up lost on the event bus delays an event by at most this long.',
    schema: integer(1, 300),
    default: '15',
  }),
  eventsMaxStreamMinutes: declare({
    env: 'HERALD_EVENTS_MAX_STREAM_MINUTES',
    doc: 'Live status: a stream is closed after this many minutes; browsers reconnect at once with `Last-Event-ID` and lose nothing. This re-checks the session or API key and its org units regularly.',
    schema: integer(1, 1440),
    default: '15',
  }),
  earlyReportTtlHours: declare({
    env: 'HERALD_EARLY_REPORT_TTL_HOURS',
    doc: 'How long a delivery report that arrives before the gateway id of its message is known is kept, waiting for the worker to store that id. Older ones are dropped.',
    schema: integer(1, 24 * 30),
    default: '48',
  }),
  inboundPartsWindowHours: declare({
    env: 'HERALD_INBOUND_PARTS_WINDOW_HOURS',
    doc: 'How long the parts of a long inbound message that a gateway delivers one by one (Vonage) wait for the rest. After this, the parts that arrived are stored as one message marked incomplete (keywords are not acted on).',
    schema: integer(1, 24 * 7),
    default: '24',
  }),
  encryptionKey: declare({
    env: 'HERALD_ENCRYPTION_KEY',
    doc: 'Key (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) that encrypts secrets stored in the database, such as webhook signing secrets (AES-256-GCM). Empty: Herald creates `encryption.key` (mode 0600) in the data directory on first use. Set it when several machines share one database; losing it makes stored secrets unreadable.',
    schema: z
      .string()
      .refine((s) => Buffer.from(s, 'base64').length === 32, { error: 'expected base64 of 32 bytes' }),
    default: undefined,
    secret: true,
  }),
  webhooksAllowPrivate: declare({
    env: 'HERALD_WEBHOOKS_ALLOW_PRIVATE',
    doc: 'Allow webhook URLs that point at loopback, private, link-local, carrier-grade NAT, multicast, reserved or IPv4-mapped IPv6 addresses. Off: such targets are refused when an endpoint is saved and again before every delivery (SSRF protection). Turn on only when the receiver is deliberately on an internal network.',
    schema: booleanFromEnv,
    default: 'false',
  }),
  gatewaysAllowPrivate: declare({
    env: 'HERALD_GATEWAYS_ALLOW_PRIVATE',
    doc: 'Allow gateway addresses (an HTTP gateway URL, a Kannel or SMPP host) that are loopback, private, link-local, carrier-grade NAT, multicast, reserved or IPv4-mapped IPv6. Off: such addresses are refused when a gateway account is saved and again on every connection, and redirects are never followed (SSRF protection). Turn on for self-hosted gateways such as Kannel on the same machine or network.',
    schema: booleanFromEnv,
    default: 'false',
  }),
  webhooksAllowHttp: declare({
    env: 'HERALD_WEBHOOKS_ALLOW_HTTP',
    doc: 'Allow plain `http://` webhook URLs. Off: only `https://`.',
    schema: booleanFromEnv,
    default: 'false',
  }),
  webhooksTimeoutSeconds: declare({
    env: 'HERALD_WEBHOOKS_TIMEOUT_SECONDS',
    doc: 'How long one webhook request may take (connect, send, response headers) before it counts as a failed attempt and is retried.',
    schema: integer(1, 120),
    default: '10',
  }),
  webhooksMaxAttempts: declare({
    env: 'HERALD_WEBHOOKS_MAX_ATTEMPTS',
    doc: 'Attempts per webhook delivery before it is given up (`gave_up`). Retries wait 1, 2, 4 … minutes, at most 8 hours, plus up to 20 % jitter: the default 12 attempts span about 24.5 hours.',
    schema: integer(1, 30),
    default: '12',
  }),
  webhooksIntervalMs: declare({
    env: 'HERALD_WEBHOOKS_INTERVAL_MS',
    doc: 'How often the webhook loop looks for new events and due deliveries, in milliseconds. Events in this process (status changes, completed batches, inbound messages) wake it within 100 ms, one round per burst; it also notices endpoints created by other processes at this interval.',
    schema: integer(50, 60_000),
    default: '1000',
  }),
  webhooksRetentionDays: declare({
    env: 'HERALD_WEBHOOKS_RETENTION_DAYS',
    doc: 'Finished webhook deliveries (delivered, failed, given up) and their attempts are deleted after this many days.',
    schema: integer(1, 3650),
    default: '30',
  }),
} as const satisfies Record<string, SettingDeclaration>;

export type SettingKey = keyof typeof settingDeclarations;
