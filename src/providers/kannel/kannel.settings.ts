import { z } from 'zod';

/**
 * Settings of a Kannel account (see docs/gateways.md, "Kannel"). Herald submits through smsbox's
 * `/cgi-bin/sendsms` as one `sendsms-user`; delivery reports come back through the `dlr-url` Herald
 * puts on every submit; inbound messages through an `sms-service` whose `get-url` is the account's
 * inbound URL.
 */
export const kannelSettingsSchema = z.strictObject({
  /** smsbox's sendsms URL, e.g. `http://kannel.internal:13013/cgi-bin/sendsms`. */
  sendsmsUrl: z
    .url({ protocol: /^https?$/, error: 'an http or https URL' })
    .refine((u) => !new URL(u).search && !new URL(u).username, {
      error: 'no query string or credentials in the URL (username and password are settings of their own)',
    }),
  /** `username` of the `sendsms-user` group. */
  username: z.string().min(1).max(100),
  /** `password` of the `sendsms-user` group (secret: write-only, never logged). */
  password: z.string().min(1).max(200),
  /** `smsc`: route every message through the SMSC with this `smsc-id` (default: Kannel's routing). */
  smsc: z
    .string()
    .regex(/^[\w.-]{1,64}$/, { error: 'letters, digits, ".", "_" or "-"' })
    .optional(),
  /** Sender to use instead of the sender configuration's sender id (e.g. the number Kannel's SMSC requires). */
  from: z
    .string()
    .regex(/^(\+?\d{1,15}|[\w .-]{1,11})$/, { error: 'a number or up to 11 letters and digits' })
    .optional(),
  /**
   * Which delivery reports to ask for (`dlr-mask`, a sum of 1 delivered, 2 undelivered, 4 buffered on
   * the SMSC, 8 accepted by the SMSC, 16 rejected by the SMSC). Default 31: all of them. 0: none.
   */
  dlrMask: z.number().int().min(0).max(31).default(31),
  /**
   * Who splits a long message: `herald` sends each part as its own sendsms with the concatenation
   * header (`udh`), exactly the parts the user's counter showed, one report per part; `kannel` sends
   * the whole text once and Kannel splits it as its `sendsms-user` says (`max-messages`,
   * `concatenation = true`). Default `herald`.
   */
  splitting: z.enum(['herald', 'kannel']).default('herald'),
  /**
   * Optional secret (16+ characters). When set, every dlr-url carries `sig`, an HMAC of the message id
   * and part, and a report without a valid one is refused: a leaked callback URL alone cannot forge
   * reports for messages whose dlr-url Kannel never had. The status value Kannel fills in cannot be
   * signed (see docs). Changing it invalidates the reports still pending.
   */
  reportSecret: z.string().min(16).max(200).optional(),
  /** How long a submit may take before its outcome counts as unknown. Default 10,000 ms. */
  timeoutMs: z.number().int().min(1000).max(120_000).default(10_000),
});

export type KannelSettings = z.infer<typeof kannelSettingsSchema>;
