import type { ZodType } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Encoding, ShiftLanguage, TextPart } from '../core/encoding/index.js';

/**
 * The kinds of gateway Herald can talk to; the registry (provider.registry.ts) is checked by the
 * compiler to have a factory for every kind listed here.
 */
export const PROVIDER_KINDS = ['simulator', 'twilio', 'smpp', 'http', 'vonage', 'kannel'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** What a gateway can do; the worker and the composer adapt to it. */
export interface ProviderCapabilities {
  /** Accepts UCS-2 messages. */
  readonly unicode: boolean;
  /** National language shift tables the route supports (passed to `analyzeText`). */
  readonly shiftTables: readonly ShiftLanguage[];
  /** Most parts one message may have on this route. */
  readonly maxParts: number;
  /** Sends delivery reports (to the account's callback URL, or over its own connection). */
  readonly deliveryReports: boolean;
  /** Can be asked for the status of a message it accepted. */
  readonly statusQuery: boolean;
  /** Receives inbound messages (replies, STOP). */
  readonly inbound: boolean;
  /**
   * What the gateway's throughput limit counts: whole messages, or parts (SMPP and Kannel count each
   * `submit_sm`; a 3-part message costs 3 tokens of the account's per-second limit).
   */
  readonly throughputUnit: 'messages' | 'parts';
}

/** One message to submit: its parts come from `analyzeText`, the same function as the user's counter. */
export interface OutboundMessage {
  /** Herald's message id (for the gateway's own reference, where it has a field for one). */
  readonly id: string;
  /** Recipient in E.164 (`+4915123456789`). */
  readonly to: string;
  /** Sender id: alphanumeric (up to 11 characters) or a number in E.164. */
  readonly from: string;
  readonly text: string;
  readonly encoding: Encoding;
  readonly parts: readonly TextPart[];
  /** The gateway should drop the message when it cannot deliver it before this time. */
  readonly validityUntil?: Date;
  /** Where this gateway should post delivery reports: the account's callback URL. */
  readonly callbackUrl: string;
}

/**
 * How a failed submit should be treated:
 * - `retryable`: the gateway did not take it (busy, network error before the request was sent); try again;
 * - `throttled`: over the gateway's rate; try again after `retryAfterMs`;
 * - `permanent`: refused for good (invalid number, too many parts, account blocked); never retry;
 * - `opted_out`: the gateway says the recipient opted out; record it as consent withdrawn;
 * - `unknown`: the gateway may or may not have it (timeout after sending); never retry blindly.
 */
export type FailureClass = 'retryable' | 'permanent' | 'throttled' | 'opted_out' | 'unknown';

export type SendOutcome =
  | {
      readonly ok: true;
      /** The gateway's id of the message, as returned (store it with {@link normalizeGatewayId}). */
      readonly gatewayId: string;
      /**
       * Gateways that take each part as a message of its own (SMPP `submit_sm` per part, Vonage's
       * split) return an id per part and report each part under its own id: `partIds[i]` is the id of
       * part `i + 1`, and `gatewayId` is `partIds[0]`. Absent when the gateway has one id per message.
       */
      readonly partIds?: readonly string[];
      readonly status: 'accepted' | 'sent';
    }
  | {
      readonly ok: false;
      readonly class: FailureClass;
      /** The gateway's error code (or the adapter's own, e.g. `SIM_BUSY`). */
      readonly code: string;
      /** Short explanation, safe to show to users (no secrets, no message body). */
      readonly text: string;
      readonly retryAfterMs?: number;
    };

/** An incoming callback request as the adapter sees it: nothing parsed yet, so it can verify signatures. */
export interface CallbackRequest {
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, exactly as received (signatures are computed over it). */
  readonly body: string;
  readonly query: Readonly<Record<string, string>>;
  /** The full request URL (some gateways sign it). */
  readonly url: string;
}

/** Statuses a delivery report can carry, in Herald's canonical names. */
export const REPORT_STATUSES = ['sent', 'delivered', 'undelivered', 'rejected', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export interface DeliveryReport {
  /** The gateway's message id, as the gateway wrote it in the report. */
  readonly gatewayId: string;
  readonly status: ReportStatus;
  /** 1-based part number, for gateways that report each part. */
  readonly part?: number;
  readonly errorCode?: string;
  /** When the gateway says it happened (ISO 8601). */
  readonly at?: string;
}

export type ParseReportResult =
  | { readonly ok: true; readonly reports: readonly DeliveryReport[] }
  | { readonly ok: false; readonly reason: 'invalid_signature' | 'invalid_payload' };

/** An SMS a gateway received for us (a reply, a STOP), as the adapter parsed it. */
export interface InboundSms {
  /** The gateway's id of the inbound message, when it has one (replays are dropped by it). */
  readonly gatewayMessageId?: string;
  /** The sender's number as the gateway wrote it (E.164 where the gateway gives it). */
  readonly from: string;
  /** Our number or short code it was sent to. */
  readonly to: string;
  readonly text: string;
  /** When the gateway received it (ISO 8601), when it says. */
  readonly receivedAt?: string;
  /**
   * One part of a long message, for gateways that deliver the parts of a concatenated SMS one by one
   * (Vonage): parts with the same `ref` from the same sender make one message, joined in `part` order
   * (1-based) once all `total` are there. Absent for a whole message.
   */
  readonly concat?: { readonly ref: string; readonly total: number; readonly part: number };
}

export type ParseInboundResult =
  | { readonly ok: true; readonly messages: readonly InboundSms[] }
  | { readonly ok: false; readonly reason: 'invalid_signature' | 'invalid_payload' };

/**
 * Where adapters with a connection of their own (SMPP: receipts and inbound arrive as `deliver_sm` on
 * the bind) hand what they receive. The worker gives every instance a sink that applies reports through
 * the status machine and stores inbound messages; the default sink drops them with a log line.
 */
export interface ProviderSink {
  reports(reports: readonly DeliveryReport[]): Promise<void>;
  inbound(messages: readonly InboundSms[]): Promise<void>;
}

/**
 * One configured gateway connection. Immutable: a change of the account's settings means a new
 * instance. Creating one has no side effects (connections, if any, open on first send), so the
 * callback route can create one just to parse a report.
 */
export interface Provider {
  readonly kind: ProviderKind;
  readonly capabilities: ProviderCapabilities;
  send(message: OutboundMessage): Promise<SendOutcome>;
  /** Verifies (signature) and parses a delivery report posted to the account's callback URL. */
  parseDeliveryReport(request: CallbackRequest): ParseReportResult;
  /**
   * Verifies and parses an inbound message posted to the account's inbound URL
   * (`<callbackUrl>/inbound`). Present when `capabilities.inbound` and inbound arrives over HTTP.
   */
  parseInbound?(request: CallbackRequest): ParseInboundResult;
  /**
   * The body the gateway expects in answer to an inbound request, where it matters: Twilio wants
   * TwiML (`<Response/>`), Kannel sends a non-empty answer body back to the handset as a reply, so it
   * must get an empty one. Default: `200` with `{}` as JSON.
   */
  readonly inboundAck?: { readonly contentType: string; readonly body: string };
  /**
   * Asks the gateway for the status of a message it accepted (`capabilities.statusQuery`). `null`: the
   * gateway does not know either.
   */
  queryStatus?(q: { messageId: string; gatewayId: string | null }): Promise<ReportStatus | null>;
  /**
   * Opens the adapter's own connection and keeps it open (reconnecting with backoff) so receipts and
   * inbound messages reach `deps.sink` even when nothing is being sent. Only adapters with a
   * connection of their own (SMPP) have it; the worker calls it once at start.
   */
  listen?(): Promise<void>;
  /** Cancels pending work (timers, reports, connections). Idempotent. */
  close(): Promise<void>;
}

/** The narrow HTTP client adapters use (DESIGN §5 rule 5): the global `fetch`, or a test double. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** What an adapter may use from the outside world; every field has a production default. */
export interface ProviderDeps {
  fetch: FetchLike;
  clock: Clock;
  /** Uniform in [0, 1); the simulator's dice. Tests pass a seeded one. */
  random: () => number;
  /** Receipts and inbound messages that arrive over an adapter's own connection. */
  sink: ProviderSink;
  /**
   * Checks a host the adapter is about to connect to outside `fetch` (SMPP's TCP connection) against
   * the server's SSRF policy and returns the address to connect to (resolved and checked, so a DNS
   * answer cannot change between check and connect). Throws when the target is refused. `fetch`
   * applies the same policy itself.
   */
  guardHost: (host: string) => Promise<string>;
  /** Structured log lines (never message bodies, numbers or secrets). */
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

/** The account an instance is created for (a provider_accounts row, settings already validated). */
export interface ProviderAccount<S> {
  readonly id: string;
  readonly settings: S;
  /** Secret of the account's callback URL; adapters that sign reports with a shared secret may use it. */
  readonly callbackToken: string;
  readonly maxParts: number;
  readonly shiftTables: readonly ShiftLanguage[];
}

/** One adapter implementation: how to validate its settings and how to create an instance. */
export interface ProviderFactory<S = unknown> {
  readonly kind: ProviderKind;
  /** Validates and fills defaults of the account's settings (stored as JSON). */
  readonly settingsSchema: ZodType<S>;
  /** Settings fields that are secrets: never returned by the API (write-only), never logged. */
  readonly secretSettings: readonly string[];
  /**
   * Settings fields holding a URL or host name Herald connects to (the gateway's API base URL, an
   * SMPP host): checked against the SSRF policy when the account is saved.
   */
  readonly addressSettings?: readonly string[];
  create(account: ProviderAccount<S>, deps: ProviderDeps): Provider;
}

/**
 * The form a gateway message id is stored and matched in: trimmed, lower case, leading zeros
 * stripped — gateways write the same id as `0A1B`, `a1b` or `00a1b` in different places
 * (submit response vs. delivery report). An id of only zeros stays `0`.
 */
export function normalizeGatewayId(id: string): string {
  const lower = id.trim().toLowerCase();
  const stripped = lower.replace(/^0+/, '');
  return stripped === '' && lower !== '' ? '0' : stripped;
}
