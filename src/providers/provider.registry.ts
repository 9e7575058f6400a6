import { systemClock } from '../core/clock.js';
import { httpFactory } from './http/http.provider.js';
import { kannelFactory } from './kannel/kannel.provider.js';
import type {
  Provider,
  ProviderAccount,
  ProviderDeps,
  ProviderFactory,
  ProviderKind,
} from './provider.contract.js';
import { PROVIDER_KINDS } from './provider.contract.js';
import { simulatorFactory } from './simulator/simulator.provider.js';
import { smppFactory } from './smpp/smpp.provider.js';
import { twilioFactory } from './twilio/twilio.provider.js';
import { vonageFactory } from './vonage/vonage.provider.js';

/** Every adapter, by kind. The compiler refuses a kind in PROVIDER_KINDS without a factory here. */
export const PROVIDER_FACTORIES = {
  simulator: simulatorFactory,
  http: httpFactory,
  twilio: twilioFactory,
  smpp: smppFactory,
  vonage: vonageFactory,
  kannel: kannelFactory,
} as const satisfies Record<ProviderKind, ProviderFactory<unknown>>;

export function isProviderKind(kind: string): kind is ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(kind);
}

export function providerFactory(kind: ProviderKind): ProviderFactory {
  return PROVIDER_FACTORIES[kind] as ProviderFactory;
}

/** Production defaults: the global fetch, the system clock, Math.random. */
export const defaultProviderDeps: ProviderDeps = Object.freeze<ProviderDeps>({
  fetch: (url: string, init: RequestInit) => fetch(url, init),
  clock: systemClock,
  random: Math.random,
  sink: {
    reports: async (reports) => {
      console.warn(`herald: ${reports.length} delivery report(s) arrived on a connection with no sink`);
    },
    inbound: async (messages) => {
      console.warn(`herald: ${messages.length} inbound message(s) arrived on a connection with no sink`);
    },
  },
  log: () => {},
  guardHost: async (host: string) => host,
});

/**
 * An instance for an account whose settings are stored as plain data: validates them with the kind's
 * schema (throws on settings that no longer validate — they were validated when saved).
 */
export function createProvider(
  kind: ProviderKind,
  account: ProviderAccount<unknown>,
  deps: Partial<ProviderDeps> = {},
): Provider {
  const factory = providerFactory(kind);
  const settings = factory.settingsSchema.parse(account.settings);
  return factory.create({ ...account, settings }, { ...defaultProviderDeps, ...deps });
}
