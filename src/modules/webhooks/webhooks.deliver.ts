import type { Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../../core/clock.js';
import { isAppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { SecretBox } from '../../core/secrets.js';
import type { Database } from '../../db/database.js';
import {
  claimDelivery,
  type DeliveryRow,
  dueDeliveries,
  type EndpointRow,
  failPendingDeliveries,
  findEndpointById,
  recordAttempt,
  updateEndpoint,
} from './webhooks.repository.js';
import { type AttemptResult, decide } from './webhooks.retry.js';
import { checkWebhookUrl, type UrlPolicy } from './webhooks.ssrf.js';
import type { AttemptOutcome } from './webhooks.table.js';
import { WEBHOOK_TEST_EVENT } from './webhooks.table.js';
import type { WebhookTransport } from './webhooks.transport.js';

export interface DeliverDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  box: SecretBox;
  /** SSRF policy, applied again before every attempt (with its own DNS lookup). */
  policy: UrlPolicy;
  transport: WebhookTransport;
  timeoutMs: number;
  maxAttempts: number;
  /** Jitter source, [0, 1). */
  random?: () => number;
}

const USER_AGENT = 'Herald-Webhooks/1';
/** How long a claimed delivery stays with the process attempting it beyond the request timeout. */
const LEASE_MARGIN_MS = 60_000;

/** The Standard Webhooks headers: the delivery id, the send time and one signature per valid secret. */
export function signatureHeaders(
  secrets: readonly string[],
  deliveryId: string,
  at: Date,
  payload: string,
): Record<string, string> {
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(deliveryId, at, payload)).join(' '),
  };
}

/** The current secret, plus the previous one while its grace period after a rotation lasts. */
function signingSecrets(box: SecretBox, endpoint: EndpointRow, now: string): string[] {
  const out = [box.open(endpoint.secret_enc, endpoint.id)];
  if (
    endpoint.previous_secret_enc &&
    endpoint.previous_secret_until &&
    endpoint.previous_secret_until > now
  ) {
    out.push(box.open(endpoint.previous_secret_enc, endpoint.id));
  }
  return out;
}

async function send(deps: DeliverDeps, d: DeliveryRow, endpoint: EndpointRow): Promise<AttemptResult> {
  let target: Awaited<ReturnType<typeof checkWebhookUrl>>;
  try {
    target = await checkWebhookUrl(endpoint.url, deps.policy);
  } catch (e) {
    const reason = isAppError(e) ? String(e.details?.reason ?? e.message) : 'URL check failed';
    return { kind: 'refused', error: `not sent: ${reason}` };
  }
  let secrets: string[];
  const now = deps.clock.now();
  try {
    secrets = signingSecrets(deps.box, endpoint, now.toISOString());
  } catch {
    return {
      kind: 'refused',
      error: 'not sent: the signing secret cannot be decrypted (was HERALD_ENCRYPTION_KEY changed?)',
    };
  }
  const address = target.addresses[0];
  if (!address) return { kind: 'refused', error: 'not sent: no address' };
  return deps.transport({
    url: target.url,
    address,
    body: d.payload,
    timeoutMs: deps.timeoutMs,
    headers: {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      ...signatureHeaders(secrets, d.id, now, d.payload),
    },
  });
}

/**
 * One attempt of a delivery this process has claimed (`leaseUntil` is its claim): sends, records the
 * attempt and the delivery's new state; on 410 disables the endpoint and ends its pending deliveries.
 */
export async function attemptDelivery(
  deps: DeliverDeps,
  d: DeliveryRow,
  endpoint: EndpointRow,
  leaseUntil: string,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const result = await send(deps, d, endpoint);
  const durationMs = Math.round(performance.now() - started);
  const now = deps.clock.now();
  const attempt = d.attempts + 1;
  const maxAttempts = d.event_type === WEBHOOK_TEST_EVENT ? 1 : deps.maxAttempts;
  const decision = decide(result, { attempt, maxAttempts, now, random: deps.random?.() });
  const iso = now.toISOString();
  const status = result.kind === 'response' ? result.status : null;
  const state =
    decision.outcome === 'delivered'
      ? 'delivered'
      : decision.outcome === 'retry'
        ? 'pending'
        : decision.outcome === 'gave_up'
          ? 'gave_up'
          : 'failed';
  await recordAttempt(
    deps.db,
    {
      id: newId(),
      delivery_id: d.id,
      attempted_at: iso,
      response_status: status,
      duration_ms: durationMs,
      error: decision.error,
      outcome: decision.outcome,
    },
    {
      id: d.id,
      leaseUntil,
      state,
      attempts: attempt,
      next_attempt_at: decision.nextAttemptAt?.toISOString() ?? null,
      last_attempt_at: iso,
      last_response_status: status,
      last_error: decision.error,
      last_duration_ms: durationMs,
      finished_at: state === 'pending' ? null : iso,
    },
  );
  const log = { webhookId: endpoint.id, deliveryId: d.id, attempt, status, outcome: decision.outcome };
  if (decision.disableEndpoint) {
    await updateEndpoint(deps.db, endpoint.id, {
      enabled: false,
      enabled_at: null,
      disabled_reason: 'The receiver answered 410 Gone.',
      disabled_at: iso,
      updated_at: iso,
    });
    await failPendingDeliveries(deps.db, endpoint.id, iso, 'endpoint disabled after HTTP 410 Gone');
    deps.logger.warn('webhook endpoint disabled: the receiver answered 410 Gone', log);
  } else if (decision.outcome === 'gave_up') deps.logger.warn('webhook delivery given up', log);
  else if (decision.outcome === 'failed') deps.logger.warn('webhook delivery failed', log);
  else deps.logger.debug('webhook attempt', log);
  return decision.outcome;
}

/** Claims a delivery (see `claimDelivery`) and attempts it; undefined when another process has it. */
export async function claimAndAttempt(
  deps: DeliverDeps,
  d: DeliveryRow,
  endpoint: EndpointRow,
): Promise<AttemptOutcome | undefined> {
  if (d.next_attempt_at === null) return undefined;
  const leaseUntil = new Date(deps.clock.now().getTime() + deps.timeoutMs + LEASE_MARGIN_MS).toISOString();
  if (!(await claimDelivery(deps.db, d.id, d.next_attempt_at, leaseUntil))) return undefined;
  return attemptDelivery(deps, d, { ...endpoint }, leaseUntil);
}

/**
 * Attempts the due deliveries: endpoints in parallel (up to `concurrency`), the deliveries of one
 * endpoint one after the other, oldest first. After a failed attempt that will be retried, the rest
 * of that endpoint's deliveries wait for the next round, so a receiver that is down gets at most one
 * request per round. Returns the number of attempts made.
 */
export async function deliverDue(
  deps: DeliverDeps,
  { limit = 200, concurrency = 8 }: { limit?: number; concurrency?: number } = {},
): Promise<number> {
  const due = await dueDeliveries(deps.db, deps.clock.now().toISOString(), limit);
  const byEndpoint = new Map<string, DeliveryRow[]>();
  for (const d of due) byEndpoint.set(d.endpoint_id, [...(byEndpoint.get(d.endpoint_id) ?? []), d]);
  const groups = [...byEndpoint];
  let attempts = 0;
  const runGroup = async ([endpointId, rows]: [string, DeliveryRow[]]) => {
    const endpoint = await findEndpointById(deps.db, endpointId);
    if (!endpoint?.enabled) return;
    for (const d of rows) {
      const outcome = await claimAndAttempt(deps, d, endpoint);
      if (outcome === undefined) continue;
      attempts++;
      if (outcome === 'retry' || outcome === 'gone' || outcome === 'gave_up') break;
    }
  };
  const workers = Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
    for (let g = groups.shift(); g; g = groups.shift()) {
      try {
        await runGroup(g);
      } catch (e) {
        deps.logger.error('webhook delivery round failed', {
          webhookId: g[0],
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
  });
  await Promise.all(workers);
  return attempts;
}
