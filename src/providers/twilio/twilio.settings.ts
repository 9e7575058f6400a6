import { z } from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/**
 * Settings of a Twilio account (see docs/gateways.md, "Twilio"):
 *
 * - `accountSid` (`AC…`) and `authToken`: the account's credentials; the auth token also signs every
 *   callback Twilio posts (`X-Twilio-Signature`), so it is the token of the account that owns the
 *   numbers. `authToken` is secret: write-only through the API, never logged.
 * - `messagingServiceSid` (`MG…`): send through a Messaging Service (it picks the sender from its pool)
 *   instead of `From` = the sender configuration's sender id.
 * - `apiBaseUrl`: where the REST API lives. Default `https://api.twilio.com`.
 * - `publicBaseUrl`: the address Twilio calls Herald at, when Herald sits behind a proxy that rewrites
 *   scheme, host or path prefix. Twilio signs the URL it called, so the signature is checked against
 *   this base plus the request's path and query. Default: the URL the request arrived at.
 * - `timeoutMs`: how long a submit may take before its outcome counts as unknown. Default 15,000.
 */
export const twilioSettingsSchema = z.strictObject({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, { error: 'expected AC followed by 32 hex digits' }),
  authToken: z.string().min(1).max(200),
  messagingServiceSid: z
    .string()
    .regex(/^MG[0-9a-fA-F]{32}$/, { error: 'expected MG followed by 32 hex digits' })
    .optional(),
  apiBaseUrl: httpUrl.default('https://api.twilio.com'),
  publicBaseUrl: httpUrl.optional(),
  timeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
});

export type TwilioSettings = z.infer<typeof twilioSettingsSchema>;
