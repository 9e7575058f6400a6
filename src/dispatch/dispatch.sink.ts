import type { Kysely } from 'kysely';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Database } from '../db/database.js';
import { applyDeliveryReports } from '../modules/delivery-reports/delivery-reports.usecases.js';
import type { EventBus } from '../modules/events/events.bus.js';
import type { ProviderAccountRow } from '../modules/gateways/gateways.repository.js';
import { gatewaySecretBox } from '../modules/gateways/gateways.secrets.js';
import { gatewayAddressPolicy, gatewayNetDeps } from '../modules/gateways/gateways.ssrf.js';
import { openProvider } from '../modules/gateways/gateways.usecases.js';
import { receiveInbound } from '../modules/inbound/inbound.usecases.js';
import type { Provider, ProviderSink } from '../providers/provider.contract.js';

export interface SinkDeps {
  db: Kysely<Database>;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  config: Config;
}

/**
 * Where an account's adapter hands what arrives over its own connection (SMPP `deliver_sm`): delivery
 * reports go through the same path as the HTTP callback (`applyDeliveryReports` for that account: status
 * machine, parts, early reports, replays dropped, changes published), inbound messages through
 * `receiveInbound` (stored, keywords, live events). A failure is logged and thrown back to the adapter,
 * which decides whether to acknowledge (an SMPP adapter should not ack what was not stored).
 */
export function createProviderSink(deps: SinkDeps, account: ProviderAccountRow): ProviderSink {
  const { logger } = deps;
  return {
    async reports(reports) {
      if (reports.length === 0) return;
      try {
        const r = await applyDeliveryReports({
          db: deps.db,
          clock: deps.clock,
          bus: deps.bus,
          providerAccountId: account.id,
          reports,
          earlyReportTtlHours: deps.config.earlyReportTtlHours,
        });
        logger.debug('delivery reports over the gateway connection', { providerAccountId: account.id, ...r });
      } catch (e) {
        logger.error('applying delivery reports from the gateway connection failed', {
          providerAccountId: account.id,
          count: reports.length,
          error: (e as Error).message,
        });
        throw e;
      }
    },
    async inbound(messages) {
      if (messages.length === 0) return;
      try {
        const r = await receiveInbound(deps, account, messages);
        logger.debug('inbound messages over the gateway connection', { providerAccountId: account.id, ...r });
      } catch (e) {
        logger.error('storing inbound messages from the gateway connection failed', {
          providerAccountId: account.id,
          count: messages.length,
          error: (e as Error).message,
        });
        throw e;
      }
    },
  };
}

/**
 * The worker's default way to open an account's adapter: the registry, with the account's sealed
 * credentials opened, the guarded fetch and host guard (SSRF policy, `HERALD_GATEWAYS_ALLOW_PRIVATE`),
 * this account's sink and a log function that writes to the worker's logger.
 */
export function registryOpenerFor(deps: SinkDeps): (account: ProviderAccountRow) => Provider {
  const box = gatewaySecretBox(deps.config);
  const net = gatewayNetDeps(gatewayAddressPolicy(deps.config), deps.config.baseUrl);
  return (account) =>
    openProvider(
      account,
      {
        fetch: net.fetch,
        guardHost: net.guardHost,
        sink: createProviderSink(deps, account),
        log: (level, msg, fields) => deps.logger[level](msg, { ...fields, providerAccountId: account.id }),
      },
      box,
    );
}
