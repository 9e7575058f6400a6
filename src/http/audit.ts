import type { Context } from 'hono';
import type { Principal } from '../modules/auth/auth.permissions.js';
import {
  recordSecurityEvent,
  type SecurityEventInput,
} from '../modules/security-events/security-events.usecases.js';
import type { AppDeps, AppEnv } from './http.types.js';
import { clientIp } from './middleware.js';

/**
 * Writes a security event for the current request: the actor defaults to the calling principal,
 * and the client address and request id come from the request.
 */
export async function auditRequest(
  deps: Pick<AppDeps, 'db' | 'clock'>,
  c: Context<AppEnv>,
  event: Omit<SecurityEventInput, 'actor' | 'ip' | 'requestId'> & { actor?: SecurityEventInput['actor'] },
): Promise<void> {
  const p: Principal | null = c.get('principal');
  await recordSecurityEvent({
    db: deps.db.kysely,
    clock: deps.clock,
    event: {
      ...event,
      actor: event.actor ?? (p ? { type: p.kind, id: p.id } : { type: 'anonymous' }),
      ip: clientIp(c),
      requestId: c.get('requestId'),
    },
  });
}
