import { z } from 'zod';

/**
 * How Vonage signs webhooks (the "signature method" of the account in Vonage's dashboard). Only the
 * HMAC methods are accepted: Vonage's default "MD5 hash" is md5(parameters + secret) — not an HMAC, and
 * MD5's broken collision resistance makes such a construction forgeable — so it is refused when the
 * account is saved.
 */
export const VONAGE_SIGNATURE_METHODS = ['md5hmac', 'sha1hmac', 'sha256hmac', 'sha512hmac'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

export const MD5HASH_REFUSED =
  'the plain "MD5 hash" signature method is not accepted (it is not an HMAC and MD5 is broken); ' +
  'choose an HMAC method (sha256hmac recommended) in the Vonage dashboard and here';

export const vonageSettingsSchema = z.strictObject({
  /** The account's API key (Vonage dashboard). */
  apiKey: z.string().trim().min(1).max(100),
  /** The account's API secret; write-only, never logged. */
  apiSecret: z.string().min(1).max(200),
  /** The SMS API base URL. Default `https://rest.nexmo.com`; tests point it at a local server. */
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .default('https://rest.nexmo.com')
    .transform((u) => u.replace(/\/+$/, '')),
  /**
   * The signature secret of signed webhooks (dashboard → settings). When set, every delivery receipt
   * and inbound message must carry a valid `sig`; when absent, the callback URL's token alone
   * authenticates them. Write-only.
   */
  signatureSecret: z.string().min(8).max(500).optional(),
  /** The signature method chosen in the dashboard. Default `sha256hmac`. */
  signatureMethod: z
    .string()
    .default('sha256hmac')
    .superRefine((m, ctx) => {
      if (m === 'md5hash' || m === 'md5') ctx.addIssue({ code: 'custom', message: MD5HASH_REFUSED });
      else if (!(VONAGE_SIGNATURE_METHODS as readonly string[]).includes(m)) {
        ctx.addIssue({ code: 'custom', message: `must be one of ${VONAGE_SIGNATURE_METHODS.join(', ')}` });
      }
    })
    .transform((m) => m as VonageSignatureMethod),
  /** How long a submit may take before its outcome is `unknown`. Default 15,000 ms. */
  timeoutMs: z.int().min(1000).max(120_000).default(15_000),
});

export type VonageSettings = z.infer<typeof vonageSettingsSchema>;
