import { z } from 'zod';

/**
 * Settings of an SMPP account (docs/gateways.md, "SMPP"). Lengths are SMPP 3.4's (§5.2.1–5.2.3:
 * system_id 16, password 9, system_type 13 octets, each with its terminating NUL).
 */
export const smppSettingsSchema = z
  .strictObject({
    /** The SMSC's host name or address; checked against the SSRF policy at save and before connecting. */
    host: z.string().trim().min(1).max(253),
    /** The SMSC's port. Default 2775 (the IANA port for SMPP). */
    port: z.number().int().min(1).max(65_535).default(2775),
    /** The ESME's account name at the SMSC (`system_id`). */
    systemId: z.string().min(1).max(15),
    /** The ESME's password (secret: write-only, never logged). */
    password: z.string().max(8).default(''),
    /** `system_type` in the bind, when the SMSC asks for one. Default empty. */
    systemType: z.string().max(12).default(''),
    /**
     * Type of number / numbering plan of the sender. Default: chosen from the sender id — alphanumeric
     * → TON 5 (alphanumeric) NPI 0; `+` and digits → TON 1 (international) NPI 1 (E.164); other digits
     * (short codes) → TON 0 NPI 1.
     */
    sourceTon: z.number().int().min(0).max(6).optional(),
    sourceNpi: z.number().int().min(0).max(18).optional(),
    /** Most `submit_sm` without their `submit_sm_resp` at once on the bind. Default 10. */
    windowSize: z.number().int().min(1).max(1000).default(10),
    /**
     * Longest a message waits for a place in that window. Then it is not sent and goes back to the
     * queue (retryable), so the worker's submit timeout (`HERALD_SUBMIT_TIMEOUT_SECONDS`, default 30 s;
     * keep it above this) never runs out on a message that is not on the wire yet. Default 10 s.
     */
    windowWaitMs: z.number().int().min(100).max(600_000).default(10_000),
    /** Period of `enquire_link` on an idle or busy bind (keepalive, dead link detection). Default 30 s. */
    enquireLinkMs: z.number().int().min(1000).max(600_000).default(30_000),
    /** How long a request waits for its response before the bind counts as dead. Default 10 s. */
    responseTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Reconnect backoff: first delay, doubled per failed attempt up to the maximum, with jitter. */
    reconnectMinMs: z.number().int().min(10).max(600_000).default(1000),
    reconnectMaxMs: z.number().int().min(10).max(3_600_000).default(60_000),
    /** Wait after `ESME_RTHROTTLED` / `ESME_RMSGQFUL` before the next try. Default 1 s. */
    throttleBackoffMs: z.number().int().min(0).max(600_000).default(1000),
    /**
     * GSM 7-bit (`data_coding` 0) as one septet per octet (`unpacked`, what SMPP SMSCs expect unless
     * their documentation says otherwise) or packed 8 septets in 7 octets (`packed`). Default `unpacked`.
     */
    gsmPacking: z.enum(['unpacked', 'packed']).default('unpacked'),
    /** `validity_period` as an absolute UTC time or relative to the submit. Default `relative`. */
    validityFormat: z.enum(['absolute', 'relative']).default('relative'),
    /**
     * How the message id in a receipt's text relates to the one in `submit_sm_resp`: `auto` (use the
     * `receipted_message_id` TLV when present; else match the text id, as is or converted between
     * decimal and hex, against the ids this connection submitted), `as-is`, `decimal-to-hex` (receipts
     * write decimal, responses hex), `hex-to-decimal`. Default `auto`.
     */
    receiptIds: z.enum(['auto', 'as-is', 'decimal-to-hex', 'hex-to-decimal']).default('auto'),
    /** Offset of the SMSC's clock for the receipt's `done date` (it has no zone). Default 0 (UTC). */
    smscUtcOffsetMinutes: z.number().int().min(-840).max(840).default(0),
  })
  .refine((s) => s.reconnectMinMs <= s.reconnectMaxMs, {
    error: 'reconnectMinMs must not be greater than reconnectMaxMs',
    path: ['reconnectMinMs'],
  });

export type SmppSettings = z.infer<typeof smppSettingsSchema>;
