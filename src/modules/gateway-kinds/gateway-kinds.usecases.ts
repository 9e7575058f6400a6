import { z } from 'zod';
import { PROVIDER_KINDS, type ProviderKind } from '../../providers/provider.contract.js';
import { providerFactory } from '../../providers/provider.registry.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';

export interface GatewayKind {
  kind: ProviderKind;
  /** JSON Schema (draft 2020-12, input side: defaults are optional) of the kind's `settings`. */
  settingsSchema: Record<string, unknown>;
  /** Settings that are secrets: write-only, read back masked. */
  secretFields: string[];
  /** Settings holding an address Herald connects to (checked against the SSRF policy at save). */
  addressFields: string[];
}

/**
 * What each gateway kind's settings look like, generated from the adapters' own zod schemas (the
 * ones that validate a save), so a form built from it cannot drift from what the server accepts.
 */
const KINDS: GatewayKind[] = PROVIDER_KINDS.map((kind) => {
  const f = providerFactory(kind);
  return {
    kind,
    settingsSchema: z.toJSONSchema(f.settingsSchema as z.ZodType, {
      io: 'input',
      unrepresentable: 'any',
    }) as Record<string, unknown>,
    secretFields: [...f.secretSettings],
    addressFields: [...(f.addressSettings ?? [])],
  };
});

export function listGatewayKinds({ principal }: { principal: Principal }): GatewayKind[] {
  requirePermission(principal, 'gateways.manage');
  return KINDS;
}
