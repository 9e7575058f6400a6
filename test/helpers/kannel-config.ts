/** Ports of one Kannel instance, all on 127.0.0.1. */
export interface KannelPorts {
  /** bearerbox's admin HTTP interface (status.txt). */
  admin: number;
  /** bearerbox ↔ smsbox. */
  smsbox: number;
  /** bearerbox's `smsc = fake` listener that fakesmsc connects to. */
  fakeSmsc: number;
  /** smsbox's HTTP interface, `/cgi-bin/sendsms`. */
  sendsms: number;
  /** A second `smsc = fake` listener (smsc-id `offline`) that no client ever connects to. */
  offlineSmsc?: number;
}

export interface KannelConfigOptions {
  ports: KannelPorts;
  adminPassword: string;
  username: string;
  password: string;
  /**
   * Kannel's message store (`store-type = file`): bearerbox writes every accepted message to it
   * until the SMSC took it, so a restart does not lose the queue — the counterpart of Herald's
   * durable write. Undefined: no store (messages live in memory only).
   */
  storeFile?: string;
  /** Kannel log level for both boxes: 0 debug, 1 info, 2 warning (default: 2, logging costs time). */
  logLevel?: number;
  /**
   * The `sms-service` every mobile-originated message goes to (keyword `default`): smsbox calls
   * `getUrl` (with Kannel's escapes such as %p already in it) and, unless `omitEmpty` and the answer
   * is empty, sends the answer body back to the handset. Undefined: no service.
   */
  inbound?: { getUrl: string; omitEmpty: boolean };
  /**
   * Kannel splits long texts itself for the sendsms user: up to `maxMessages` parts, with a
   * concatenation header when `concatenation`. Undefined: Kannel's defaults (no splitting).
   */
  split?: { maxMessages: number; concatenation: boolean };
  /**
   * With `ports.offlineSmsc`: bearerbox may queue no message for an SMSC that is not online
   * (`sms-outgoing-queue-limit = 0`), so a sendsms routed to the `offline` SMSC is answered
   * `503 Temporal failure, try again later.` — Kannel's own retryable refusal.
   */
  refuseQueueing?: boolean;
  /** smsbox's `http-request-retry`: how often a failed dlr-url or get-url request is tried again. */
  httpRequestRetry?: number;
  /** Extra settings of the smsbox group (say `mo-recode`, `reply-couldnotfetch`). */
  smsboxExtra?: Record<string, string | number | boolean>;
}

/**
 * A minimal bearerbox + smsbox configuration: every listener bound to 127.0.0.1 and open to
 * 127.0.0.1 only, one fake SMSC (`fakesmsc` connects to it), one sendsms user, DLRs kept in
 * bearerbox's memory (`dlr-storage = internal`, the default).
 */
export function kannelConfig(o: KannelConfigOptions): string {
  const level = o.logLevel ?? 2;
  const groups: Record<string, string | number | boolean>[] = [
    {
      group: 'core',
      'admin-port': o.ports.admin,
      'admin-interface': '127.0.0.1',
      'admin-password': o.adminPassword,
      'admin-allow-ip': '127.0.0.1',
      'smsbox-port': o.ports.smsbox,
      'smsbox-interface': '127.0.0.1',
      'box-deny-ip': '*.*.*.*',
      'box-allow-ip': '127.0.0.1',
      'log-level': level,
      'dlr-storage': 'internal',
      ...(o.storeFile ? { 'store-type': 'file', 'store-location': o.storeFile } : {}),
      ...(o.refuseQueueing ? { 'sms-outgoing-queue-limit': 0 } : {}),
    },
    {
      group: 'smsc',
      smsc: 'fake',
      'smsc-id': 'fake',
      port: o.ports.fakeSmsc,
      'our-host': '127.0.0.1',
      'connect-allow-ip': '127.0.0.1',
      // Only messages routed to no SMSC or to this one (not those for `offline`).
      ...(o.ports.offlineSmsc ? { 'denied-smsc-id': 'offline' } : {}),
    },
    ...(o.ports.offlineSmsc
      ? [
          {
            group: 'smsc',
            smsc: 'fake',
            'smsc-id': 'offline',
            'allowed-smsc-id': 'offline',
            port: o.ports.offlineSmsc,
            'our-host': '127.0.0.1',
            'connect-allow-ip': '127.0.0.1',
          },
        ]
      : []),
    {
      group: 'smsbox',
      'bearerbox-host': '127.0.0.1',
      'bearerbox-port': o.ports.smsbox,
      'sendsms-port': o.ports.sendsms,
      'sendsms-interface': '127.0.0.1',
      // A global sender would also replace the receiver of every mobile-originated message (%P).
      ...(o.inbound ? {} : { 'global-sender': '12345' }),
      'log-level': level,
      ...o.smsboxExtra,
      ...(o.httpRequestRetry !== undefined
        ? { 'http-request-retry': o.httpRequestRetry, 'http-queue-delay': 1 }
        : {}),
    },
    {
      group: 'sendsms-user',
      username: o.username,
      password: o.password,
      'user-deny-ip': '*.*.*.*',
      'user-allow-ip': '127.0.0.1',
      ...(o.split ? { 'max-messages': o.split.maxMessages, concatenation: o.split.concatenation } : {}),
    },
    ...(o.inbound
      ? [
          {
            group: 'sms-service',
            keyword: 'default',
            'get-url': o.inbound.getUrl,
            'omit-empty': o.inbound.omitEmpty,
          },
        ]
      : []),
  ];
  return `${groups
    .map((g) =>
      Object.entries(g)
        .map(([k, v]) => `${k} = ${typeof v === 'string' ? quote(v) : String(v)}`)
        .join('\n'),
    )
    .join('\n\n')}\n`;
}

/** A quoted config value; refuses quotes, backslashes and control characters rather than escaping them. */
function quote(v: string): string {
  if (!/^[\w.*/:+\-?&=%~,;@!$'()[\] ]*$/.test(v)) throw new Error(`unsafe Kannel config value: ${v}`);
  return `"${v}"`;
}
