import type { FailureClass, ReportStatus } from '../provider.contract.js';

/**
 * The SMS API's `messages[].status` codes, from Vonage's documented list
 * (https://developer.vonage.com/en/messaging/sms/guides/troubleshooting-sms#sms-api-error-codes and
 * https://developer.vonage.com/api-errors/sms; the same codes as `SMSStatus` in Vonage's Node SDK).
 * 0 is success; the class says what Herald does with the others, the text is what users see.
 */
export const VONAGE_SUBMIT_CODES: Readonly<Record<string, { class: FailureClass; text: string }>> = {
  '1': { class: 'throttled', text: 'Throttled: sending faster than the Vonage account limit.' },
  '2': { class: 'permanent', text: 'Missing parameters in the request to Vonage.' },
  '3': { class: 'permanent', text: 'Vonage found a parameter invalid (number, sender or text).' },
  '4': { class: 'permanent', text: 'Vonage refused the API key or secret.' },
  '5': { class: 'retryable', text: 'Internal error at Vonage; try again.' },
  '6': { class: 'permanent', text: 'Vonage could not route the message (e.g. unknown number prefix).' },
  '7': { class: 'permanent', text: 'The number is barred at Vonage.' },
  '8': { class: 'permanent', text: 'The Vonage account is suspended.' },
  '9': { class: 'permanent', text: 'The Vonage account is out of credit.' },
  // "Back-off and retry" (API errors page).
  '10': { class: 'retryable', text: 'Too many connections to Vonage; try again.' },
  '11': { class: 'permanent', text: 'The Vonage account is not enabled for the SMS API.' },
  '12': { class: 'permanent', text: 'The message is too long for Vonage.' },
  '14': { class: 'permanent', text: 'Vonage could not verify the request signature.' },
  '15': { class: 'permanent', text: 'The sender id is not allowed on this Vonage account or route.' },
  '22': { class: 'permanent', text: 'Invalid network code.' },
  '23': { class: 'permanent', text: 'Vonage refused the callback URL.' },
  '29': { class: 'permanent', text: 'Demo account: the number is not on the Vonage allow list.' },
  '32': { class: 'permanent', text: 'Signed requests must not carry the API secret.' },
  '33': { class: 'permanent', text: 'The number is deactivated.' },
};

/** Retry delay after status 1 (Vonage's default limit is 30 messages per second per account). */
export const VONAGE_THROTTLE_RETRY_MS = 1000;

/**
 * Delivery receipt `status` → Herald's report status
 * (https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts). `null`: the receipt carries
 * no news (`unknown`) and is acknowledged without changing the message.
 */
export const VONAGE_RECEIPT_STATUSES: Readonly<Record<string, ReportStatus | null>> = {
  delivered: 'delivered',
  // Validity ran out at the carrier: not delivered.
  expired: 'undelivered',
  failed: 'undelivered',
  rejected: 'rejected',
  // Taken by the downstream carrier, or buffered there for a later attempt.
  accepted: 'sent',
  buffered: 'sent',
  unknown: null,
};
