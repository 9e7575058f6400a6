import { isIP } from 'node:net';
import type { Config } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import type { FetchLike, ProviderKind } from '../../providers/provider.contract.js';
import {
  type AddressResolver,
  type CheckedAddress,
  createGuardedFetch,
  createHostGuard,
  GatewayAddressRefusedError,
  GatewayHostUnresolvedError,
} from '../../providers/provider.fetch.js';
import { providerFactory } from '../../providers/provider.registry.js';
import { forbiddenRange, type LookupFn, systemLookup } from '../webhooks/webhooks.ssrf.js';

/**
 * The SSRF policy for gateway addresses (the same ranges as webhooks, see webhooks.ssrf.ts), applied
 * when an account is saved (its `addressSettings`) and on every connection (the guarded fetch and
 * host guard the worker and the test send give adapters).
 */
export interface GatewayAddressPolicy {
  /** `HERALD_GATEWAYS_ALLOW_PRIVATE`: self-hosted gateways (Kannel on this machine) are allowed. */
  allowPrivate: boolean;
  lookup: LookupFn;
}

export const gatewayAddressPolicy = (
  config: Pick<Config, 'gatewaysAllowPrivate'>,
  lookup: LookupFn = systemLookup,
): GatewayAddressPolicy => ({ allowPrivate: config.gatewaysAllowPrivate, lookup });

/** Resolves a host and checks every address against the policy (see `AddressResolver`). */
export function gatewayResolver(policy: GatewayAddressPolicy): AddressResolver {
  return async (host) => {
    const literal = isIP(host);
    let addresses: CheckedAddress[];
    if (literal !== 0) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
    else {
      try {
        addresses = [...(await policy.lookup(host))];
      } catch (e) {
        const code = (e as { code?: unknown })?.code;
        throw new GatewayHostUnresolvedError(
          `the host name ${host} does not resolve`,
          typeof code === 'string' && /^[A-Z_]{1,32}$/.test(code) ? code : 'ENOTFOUND',
        );
      }
      if (addresses.length === 0)
        throw new GatewayHostUnresolvedError(`the host name ${host} does not resolve`, 'ENOTFOUND');
    }
    if (!policy.allowPrivate) {
      for (const a of addresses) {
        const range = forbiddenRange(a.address);
        if (range) {
          throw new GatewayAddressRefusedError(
            `${a.address === host ? `${host} is` : `${host} resolves to ${a.address},`} a ${range} address; set HERALD_GATEWAYS_ALLOW_PRIVATE=true for a gateway on your own network`,
          );
        }
      }
    }
    return addresses;
  };
}

/** What the worker and the test send give adapters: the guarded `fetch` and `guardHost`. */
export function gatewayNetDeps(
  policy: GatewayAddressPolicy,
  baseUrl: string,
): { fetch: FetchLike; guardHost: (host: string) => Promise<string> } {
  const resolve = gatewayResolver(policy);
  return {
    // Herald's own callback URL is where the simulator posts its reports: always allowed.
    fetch: createGuardedFetch({ resolve, trustedOrigins: [baseUrl] }),
    guardHost: createHostGuard(resolve),
  };
}

/** The host of an address setting: a URL (`https://gw.example.com/send`), `host:port`, or a bare host. */
function hostOf(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new GatewayAddressRefusedError('not a valid URL');
    }
    if (url.username || url.password) {
      throw new GatewayAddressRefusedError('credentials in the URL (put them in the secret settings)');
    }
    if (!url.hostname) throw new GatewayAddressRefusedError('no host');
    return url.hostname.replace(/^\[(.*)\]$/, '$1');
  }
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) return bracketed[1];
  if (isIP(value) !== 0) return value;
  return value.replace(/:\d+$/, '');
}

/**
 * Checks the kind's address settings (`factory.addressSettings`) of an account about to be saved.
 * Throws `gateway.address_not_allowed` naming the field (`settings.url`) and why.
 */
export async function checkGatewayAddresses(
  kind: ProviderKind,
  settings: Record<string, unknown>,
  policy: GatewayAddressPolicy,
): Promise<void> {
  const resolve = gatewayResolver(policy);
  for (const field of providerFactory(kind).addressSettings ?? []) {
    const value = settings[field];
    if (typeof value !== 'string' || value.trim() === '') continue;
    try {
      const host = hostOf(value.trim());
      // With the override on, nothing is refused: no need to resolve (the gateway may be reachable
      // only from the worker's network).
      if (!policy.allowPrivate) await resolve(host);
    } catch (e) {
      if (!(e instanceof GatewayAddressRefusedError || e instanceof GatewayHostUnresolvedError)) throw e;
      throw new AppError('gateway.address_not_allowed', `settings.${field}: ${e.reason}.`, {
        field: `settings.${field}`,
        reason: e.reason,
      });
    }
  }
}
