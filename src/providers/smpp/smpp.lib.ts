import { createRequire } from 'node:module';

/**
 * The part of the `smpp` npm package (0.5.x, untyped) the adapter uses, declared on our side
 * (DESIGN §5 rule 5). A `Session` is one TCP connection; PDU fields arrive as plain properties.
 */

/** A decoded PDU. `short_message` of a deliver_sm is split by the library into UDH IEs and text. */
export interface SmppPdu {
  readonly command: string;
  readonly command_status: number;
  readonly sequence_number: number;
  readonly message_id?: string;
  readonly esm_class?: number;
  readonly data_coding?: number;
  readonly source_addr?: string;
  readonly source_addr_ton?: number;
  readonly destination_addr?: string;
  readonly dest_addr_ton?: number;
  readonly short_message?: DecodedMessage | Buffer | string;
  readonly message_payload?: DecodedMessage | Buffer | string;
  readonly receipted_message_id?: string;
  readonly message_state?: number;
  readonly sar_msg_ref_num?: number;
  readonly sar_total_segments?: number;
  readonly sar_segment_seqnum?: number;
  response(options?: Record<string, unknown>): SmppPdu;
}

export interface DecodedMessage {
  /** Each information element of the UDH as `[IEI, length, ...data]`. */
  readonly udh?: readonly Buffer[];
  readonly message: string | Buffer;
}

export type PduCallback = (pdu: SmppPdu) => void;

/** A request PDU encoded by us (see smpp.pdu.ts): what `Session.send` needs of a PDU. */
export interface OutgoingPdu {
  readonly command: string;
  sequence_number: number;
  isResponse(): boolean;
  toBuffer(): Buffer;
}

export interface SmppSession {
  readonly socket: {
    readonly writable: boolean;
    destroy(): void;
    setNoDelay?(noDelay?: boolean): void;
    cork(): void;
    uncork(): void;
  };
  on(event: 'connect' | 'close', listener: () => void): this;
  on(event: 'error', listener: (e: Error) => void): this;
  on(event: 'pdu', listener: (pdu: SmppPdu) => void): this;
  removeAllListeners(): this;
  bind_transceiver(options: Record<string, unknown>, onResponse: PduCallback): boolean;
  enquire_link(options: Record<string, unknown>, onResponse: PduCallback): boolean;
  unbind(options: Record<string, unknown>, onResponse: PduCallback): boolean;
  /**
   * Writes a PDU: a request gets the next sequence number (set on `pdu` before `toBuffer()`) and its
   * response goes to `onResponse`; `onWritten` runs once the bytes are handed to the socket.
   */
  send(pdu: SmppPdu | OutgoingPdu, onResponse?: PduCallback, onWritten?: PduCallback): boolean;
  close(): void;
  destroy(): void;
}

export interface SmppLib {
  Session: new (options: { host: string; port: number }) => SmppSession;
  /** command_status names by code: `{ ESME_ROK: 0, ESME_RTHROTTLED: 0x58, … }`. */
  errors: Readonly<Record<string, number>>;
}

export const smppLib = createRequire(import.meta.url)('smpp') as SmppLib;

const STATUS_NAMES = new Map<number, string>(
  Object.entries(smppLib.errors).map(([name, code]) => [code, name]),
);

/** `ESME_RTHROTTLED` for 0x58; `ESME_0x000000ab` for a code the library does not name. */
export function commandStatusName(status: number): string {
  return STATUS_NAMES.get(status) ?? `ESME_0x${status.toString(16).padStart(8, '0')}`;
}

/** `0x00000058`: the form SMPP documents and SMSC logs write status codes in. */
export const hexStatus = (status: number): string => `0x${status.toString(16).padStart(8, '0')}`;
