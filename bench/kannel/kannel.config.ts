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
}

/**
 * A minimal bearerbox + smsbox configuration: every listener bound to 127.0.0.1 and open to
 * 127.0.0.1 only, one fake SMSC (`fakesmsc` connects to it), one sendsms user, DLRs kept in
 * bearerbox's memory (`dlr-storage = internal`, the default).
 */
export function kannelConfig(o: KannelConfigOptions): string {
  const level = o.logLevel ?? 2;
  const groups: Record<string, string | number>[] = [
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
    },
    {
      group: 'smsc',
      smsc: 'fake',
      'smsc-id': 'fake',
      port: o.ports.fakeSmsc,
      'our-host': '127.0.0.1',
      'connect-allow-ip': '127.0.0.1',
    },
    {
      group: 'smsbox',
      'bearerbox-host': '127.0.0.1',
      'bearerbox-port': o.ports.smsbox,
      'sendsms-port': o.ports.sendsms,
      'sendsms-interface': '127.0.0.1',
      'global-sender': '12345',
      'log-level': level,
    },
    {
      group: 'sendsms-user',
      username: o.username,
      password: o.password,
      'user-deny-ip': '*.*.*.*',
      'user-allow-ip': '127.0.0.1',
    },
  ];
  return `${groups
    .map((g) =>
      Object.entries(g)
        .map(([k, v]) => `${k} = ${typeof v === 'number' ? v : quote(v)}`)
        .join('\n'),
    )
    .join('\n\n')}\n`;
}

function quote(v: string): string {
  if (!/^[\w.*/:+-]*$/.test(v)) throw new Error(`unsafe Kannel config value: ${v}`);
  return `"${v}"`;
}
