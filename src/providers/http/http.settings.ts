import { z } from 'zod';
import { REPORT_STATUSES } from '../provider.contract.js';
import { jsonPathSetting, regexSetting } from './http.extract.js';

/**
 * Settings of a generic HTTP gateway account: what ERPNext's SMS Settings offer (gateway URL, message
 * and receiver parameter names, static parameters, some sent as headers, POST or GET) plus what a real
 * gateway needs (JSON bodies, a secret parameter, a success rule on the body, the gateway's message id,
 * Unicode flag, delivery-report and inbound mappings, an optional HMAC signature on callbacks).
 * See docs/gateways.md "Generic HTTP".
 */

const paramName = z.string().trim().min(1).max(100);
/** Header names are matched in lower case (callback requests carry them so). */
const headerName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'not a valid header name' })
  .transform((h) => h.toLowerCase());

/** A report status the gateway writes, mapped to Herald's; `ignore` accepts the report and drops it. */
export const HTTP_REPORT_TARGETS = [...REPORT_STATUSES, 'ignore'] as const;
export type HttpReportTarget = (typeof HTTP_REPORT_TARGETS)[number];

/**
 * Status words most HTTP gateways use, with the SMPP receipt states (`DELIVRD`, `UNDELIV`, …) among
 * them. Matched ignoring case; a gateway's own words are added with `report.statusMap`.
 */
export const DEFAULT_STATUS_MAP: Readonly<Record<string, HttpReportTarget>> = {
  delivered: 'delivered',
  delivrd: 'delivered',
  undelivered: 'undelivered',
  undeliv: 'undelivered',
  failed: 'undelivered',
  expired: 'undelivered',
  rejected: 'rejected',
  rejectd: 'rejected',
  sent: 'sent',
  accepted: 'sent',
  acceptd: 'sent',
  enroute: 'sent',
  buffered: 'sent',
  submitted: 'sent',
  queued: 'ignore',
  unknown: 'ignore',
};

const reportMappingSchema = z.strictObject({
  /** Field holding the gateway's message id (query, form or JSON path). Default `id`. */
  idField: paramName.default('id'),
  /** Field holding the gateway's status word. Default `status`. */
  statusField: paramName.default('status'),
  /** Field holding the gateway's error code, when it sends one. */
  errorField: paramName.optional(),
  /** Field holding when it happened (ISO 8601 or Unix seconds). */
  timeField: paramName.optional(),
  /** Extra status words (ignoring case) → Herald status, laid over {@link DEFAULT_STATUS_MAP}. */
  statusMap: z.record(z.string().trim().min(1).max(50), z.enum(HTTP_REPORT_TARGETS)).default({}),
});

const inboundMappingSchema = z.strictObject({
  fromField: paramName.default('from'),
  toField: paramName.default('to'),
  textField: paramName.default('text'),
  idField: paramName.optional(),
  timeField: paramName.optional(),
});

export const httpSettingsSchema = z
  .strictObject({
    /** The gateway's send URL (http or https), checked against the server's address policy. */
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
    /** `GET` (parameters in the query), `POST_FORM` (form-encoded body) or `POST_JSON`. Default `POST_FORM`. */
    method: z.enum(['GET', 'POST_FORM', 'POST_JSON']).default('POST_FORM'),
    /** Parameter carrying the text. Default `message`. */
    messageParam: paramName.default('message'),
    /** Parameter carrying the recipient. Default `to`. */
    receiverParam: paramName.default('to'),
    /** `e164` sends `+4915…`; `digits` sends `4915…` (what many gateways want). Default `e164`. */
    receiverFormat: z.enum(['e164', 'digits']).default('e164'),
    /** Parameter carrying the sender id, when the gateway takes one per message. */
    senderParam: paramName.optional(),
    /** Parameter carrying Herald's message id (the gateway's "client reference"), when it has one. */
    referenceParam: paramName.optional(),
    /** Parameter carrying the delivery-report URL, for gateways that take it per message. */
    callbackParam: paramName.optional(),
    /** Fixed parameters sent with every message; `header: true` sends one as an HTTP header instead. */
    staticParams: z
      .array(
        z.strictObject({ name: paramName, value: z.string().max(1000), header: z.boolean().default(false) }),
      )
      .max(50)
      .default([]),
    /** A secret fixed parameter (API key, password): its name here, its value in `secretParamValue`. */
    secretParamName: paramName.optional(),
    /** Value of the secret parameter; write-only, never logged. */
    secretParamValue: z.string().min(1).max(1000).optional(),
    /** Send the secret parameter as an HTTP header (e.g. `Authorization`) instead of a parameter. */
    secretParamAsHeader: z.boolean().default(false),
    /** Parameter added only to UCS-2 messages (e.g. `unicode`, `coding`), with `unicodeParamValue`. */
    unicodeParamName: paramName.optional(),
    /** Value of the Unicode parameter. Default `1`. */
    unicodeParamValue: z.string().max(100).default('1'),
    /** HTTP statuses that can mean success. Default 200, 201, 202. */
    successStatusCodes: z.array(z.int().min(200).max(299)).min(1).max(10).default([200, 201, 202]),
    /** JSON path in the answer that must hold one of `successValues` (or any non-empty value). */
    successJsonPath: jsonPathSetting.optional(),
    /** Values at `successJsonPath` meaning success (compared as text). */
    successValues: z.array(z.string().max(100)).max(20).default([]),
    /** Regular expression the answer body must match to count as success. */
    successRegex: regexSetting.optional(),
    /** Where the gateway's error code is in a failed answer: a JSON path or a regex (first group). */
    errorCodeJsonPath: jsonPathSetting.optional(),
    errorCodeRegex: regexSetting.optional(),
    /** Error codes (from the body) that mean "try again later"; any other body error is permanent. */
    temporaryErrorCodes: z.array(z.string().max(100)).max(50).default([]),
    /**
     * Error codes (from the body) that mean the recipient opted out at the gateway: the message is
     * rejected (reason `opted_out`) and the number recorded as opted out, like Twilio's 21610.
     */
    optedOutErrorCodes: z.array(z.string().max(100)).max(50).default([]),
    /** Where the gateway's message id is in the answer: a JSON path or a regex (first group). */
    idJsonPath: jsonPathSetting.optional(),
    idRegex: regexSetting.optional(),
    /** How long a submit may take before its outcome is `unknown`. Default 15,000 ms. */
    timeoutMs: z.int().min(1000).max(120_000).default(15_000),
    report: reportMappingSchema.default(() => reportMappingSchema.parse({})),
    inbound: inboundMappingSchema.default(() => inboundMappingSchema.parse({})),
    /**
     * For gateways that sign their callbacks: header holding the HMAC-SHA256 (hex or base64, an optional
     * `sha256=` prefix) of the raw body — of the query string when the body is empty.
     */
    signatureHeader: headerName.optional(),
    /** The shared secret of that HMAC; write-only. */
    signatureSecret: z.string().min(8).max(500).optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.secretParamName === undefined) !== (s.secretParamValue === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [s.secretParamName === undefined ? 'secretParamName' : 'secretParamValue'],
        message: 'secretParamName and secretParamValue go together',
      });
    }
    if ((s.signatureHeader === undefined) !== (s.signatureSecret === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [s.signatureHeader === undefined ? 'signatureHeader' : 'signatureSecret'],
        message: 'signatureHeader and signatureSecret go together',
      });
    }
    if (s.successValues.length > 0 && s.successJsonPath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['successJsonPath'],
        message: 'successValues need a successJsonPath',
      });
    }
    if (s.idJsonPath !== undefined && s.idRegex !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['idRegex'], message: 'set idJsonPath or idRegex, not both' });
    }
    if (s.errorCodeJsonPath !== undefined && s.errorCodeRegex !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['errorCodeRegex'],
        message: 'set errorCodeJsonPath or errorCodeRegex, not both',
      });
    }
  });

export type HttpSettings = z.infer<typeof httpSettingsSchema>;
