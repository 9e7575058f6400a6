import type { Config } from '../../config/config.js';
import { AppError } from '../../core/errors.js';
import { createSecretBox, type SecretBox } from '../../core/secrets.js';
import type { ProviderKind } from '../../providers/provider.contract.js';
import { providerFactory } from '../../providers/provider.registry.js';

/**
 * Gateway credentials (the fields a factory lists in `secretSettings`) are stored sealed in
 * `provider_accounts.settings`: `{ "authToken": { "$sealed": "v1:…" } }`, AES-256-GCM with the server's
 * key (`HERALD_ENCRYPTION_KEY` or the 0600 key file), the account id and field name bound as associated
 * data (a sealed value copied to another account or field does not open). They are write-only: reads
 * show {@link SECRET_MASK} for a secret that is set; an update that omits a secret or sends the mask back
 * keeps the stored one. Only `openProvider` opens them, to hand them to the adapter.
 */

/** What a read shows for a secret that is set. */
export const SECRET_MASK = '********';

interface Sealed {
  $sealed: string;
}

const isSealed = (v: unknown): v is Sealed =>
  typeof v === 'object' && v !== null && typeof (v as Sealed).$sealed === 'string';

const contextOf = (accountId: string, field: string) => `provider_account:${accountId}:settings.${field}`;

const secretFields = (kind: ProviderKind) => providerFactory(kind).secretSettings;

/**
 * The box for gateway secrets, from the configuration. The key is read on first use, so an instance
 * whose gateways have no secrets (the simulator) never creates a key file.
 */
export const gatewaySecretBox = (config: Pick<Config, 'encryptionKey' | 'dataDir'>): SecretBox =>
  createSecretBox({ key: config.encryptionKey, dataDir: config.dataDir });

/** Validated, plain settings → what is stored: every secret field that is set, sealed. */
export function sealSettings(
  kind: ProviderKind,
  accountId: string,
  plain: Record<string, unknown>,
  box: SecretBox,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...plain };
  for (const field of secretFields(kind)) {
    const value = plain[field];
    if (value === undefined) continue;
    out[field] = { $sealed: box.seal(JSON.stringify(value), contextOf(accountId, field)) } satisfies Sealed;
  }
  return out;
}

/**
 * Stored settings → the plain settings the adapter gets. Throws `gateway.secret_unreadable`. Fields in
 * `skip` stay sealed (an update that replaces them need not, and after a lost key cannot, open them).
 */
export function openSettings(
  kind: ProviderKind,
  accountId: string,
  stored: Record<string, unknown>,
  box: SecretBox | undefined,
  skip: ReadonlySet<string> = new Set(),
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  for (const field of secretFields(kind)) {
    const value = stored[field];
    if (!isSealed(value) || skip.has(field)) continue;
    if (!box) {
      throw new AppError(
        'gateway.secret_unreadable',
        'The gateway account has encrypted credentials and no key was given to open them.',
        { id: accountId, field: `settings.${field}` },
      );
    }
    try {
      out[field] = JSON.parse(box.open(value.$sealed, contextOf(accountId, field))) as unknown;
    } catch {
      // Never the value, never the key: only which field could not be opened.
      throw new AppError(
        'gateway.secret_unreadable',
        'A stored gateway credential cannot be decrypted (was HERALD_ENCRYPTION_KEY or the key file changed?).',
        { id: accountId, field: `settings.${field}` },
      );
    }
  }
  return out;
}

/** Stored (or plain) settings → what an API read shows: each secret that is set as the mask. */
export function maskSettings(kind: ProviderKind, stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  for (const field of secretFields(kind)) {
    if (out[field] !== undefined && out[field] !== null) out[field] = SECRET_MASK;
  }
  return out;
}

/** The secret fields an update gives a new value (not omitted, not the mask). */
export function replacedSecrets(kind: ProviderKind, patch: Record<string, unknown>): Set<string> {
  return new Set(secretFields(kind).filter((f) => patch[f] !== undefined && patch[f] !== SECRET_MASK));
}

/** A create's settings: a secret sent as the mask is no value at all (the schema then says if it is required). */
export function withoutMasks(kind: ProviderKind, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const field of secretFields(kind)) if (out[field] === SECRET_MASK) delete out[field];
  return out;
}

/**
 * An update's settings laid over the current (plain) ones: a secret that is omitted or sent back as the
 * mask keeps its stored value.
 */
export function mergeSettings(
  kind: ProviderKind,
  current: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const secrets = new Set(secretFields(kind));
  const out: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (secrets.has(k) && (v === undefined || v === SECRET_MASK)) continue;
    out[k] = v;
  }
  return out;
}

/** The settings fields whose value differs (`settings.<field>`): for audit entries, never the values. */
export function changedSettings(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort()
    .map((k) => `settings.${k}`);
}
