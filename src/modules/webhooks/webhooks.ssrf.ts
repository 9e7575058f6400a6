import { promises as dns } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { AppError } from '../../core/errors.js';

/**
 * SSRF protection for webhook URLs. A URL is checked when an endpoint is saved and again before every
 * delivery: its host is resolved (every address) and each address is checked against the ranges
 * below; the delivery then connects to the checked address (the transport pins it), so a DNS answer
 * that changes between check and connect (DNS rebinding) cannot redirect the request.
 */

/** Resolves a host name to all its addresses (`dns.lookup` with `all: true` by default). */
export type LookupFn = (hostname: string) => Promise<readonly ResolvedAddress[]>;
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export const systemLookup: LookupFn = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** [label, subnet, prefix] — addresses a webhook may not reach unless private targets are allowed. */
const V4_RANGES: readonly [string, string, number][] = [
  ['unspecified', '0.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['carrier-grade NAT', '100.64.0.0', 10],
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24],
  ['documentation', '192.0.2.0', 24],
  ['relay', '192.88.99.0', 24],
  ['private', '192.168.0.0', 16],
  ['benchmarking', '198.18.0.0', 15],
  ['documentation', '198.51.100.0', 24],
  ['documentation', '203.0.113.0', 24],
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4],
];
const V6_RANGES: readonly [string, string, number][] = [
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['IPv4-mapped', '::ffff:0:0', 96],
  ['IPv4-compatible', '::', 96],
  ['NAT64 local-use', '64:ff9b:1::', 48],
  ['discard', '100::', 64],
  ['Teredo', '2001::', 32],
  ['documentation', '2001:db8::', 32],
  ['unique local', 'fc00::', 7],
  ['link-local', 'fe80::', 10],
  ['site-local', 'fec0::', 10],
  ['multicast', 'ff00::', 8],
];

const toLists = (ranges: readonly [string, string, number][], type: 'ipv4' | 'ipv6') => {
  const byLabel = new Map<string, BlockList>();
  for (const [label, net, prefix] of ranges) {
    const list = byLabel.get(label) ?? new BlockList();
    list.addSubnet(net, prefix, type);
    byLabel.set(label, list);
  }
  return [...byLabel];
};
// Separate lists per family: `BlockList` would also match `::ffff:a.b.c.d` against IPv4 rules, and the
// mapped form is refused as such, whatever it embeds.
const V4_LISTS = toLists(V4_RANGES, 'ipv4');
const V6_LISTS = toLists(V6_RANGES, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed). */
function ipv6Groups(ip: string): number[] {
  let s = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1]) {
    const o = dotted[1].split('.').map(Number);
    s = `${s.slice(0, -dotted[1].length)}${(((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16)}:${(((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => Number.parseInt(g, 16));
}

/** The IPv4 address an IPv6 address carries in its low 32 bits or, for 6to4, bits 16–47. */
function embeddedV4(groups: readonly number[], at: number): string {
  const hi = groups[at] ?? 0;
  const lo = groups[at + 1] ?? 0;
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * Why `ip` is not a public unicast address (e.g. `loopback`), or null when it is. Addresses that
 * embed an IPv4 address (NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the embedded one.
 */
export function forbiddenRange(ip: string): string | null {
  const bare = ip.split('%')[0] ?? '';
  const family = isIP(bare);
  if (family === 0) return 'not an IP address';
  for (const [label, list] of family === 4 ? V4_LISTS : V6_LISTS) {
    if (list.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return label;
  }
  if (family === 6) {
    const g = ipv6Groups(bare);
    if (g.length !== 8 || g.some((n) => Number.isNaN(n))) return 'not an IP address';
    if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((n) => n === 0)) {
      const inner = forbiddenRange(embeddedV4(g, 6));
      return inner ? `NAT64 of ${inner}` : null;
    }
    if (g[0] === 0x2002) {
      const inner = forbiddenRange(embeddedV4(g, 1));
      return inner ? `6to4 of ${inner}` : null;
    }
  }
  return null;
}

export interface UrlPolicy {
  /** `HERALD_WEBHOOKS_ALLOW_PRIVATE`: private, loopback, … targets are allowed. */
  allowPrivate: boolean;
  /** `HERALD_WEBHOOKS_ALLOW_HTTP`: plain http URLs are allowed. */
  allowHttp: boolean;
  lookup: LookupFn;
}

const refused = (reason: string) =>
  new AppError('webhook.url_not_allowed', `This webhook URL is not allowed: ${reason}.`, { reason });

/** Checks the URL's form (scheme, no credentials). Throws `webhook.url_not_allowed`. */
export function checkUrlForm(raw: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('not a valid URL');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw refused(
      allowHttp ? 'only http and https URLs' : 'only https URLs (HERALD_WEBHOOKS_ALLOW_HTTP is off)',
    );
  }
  if (url.username || url.password) throw refused('credentials in the URL');
  if (!url.hostname) throw refused('no host');
  return url;
}

/**
 * Checks a webhook URL and resolves its host: every address must be public unless `allowPrivate`.
 * Returns the URL and the checked addresses (the caller connects to one of these, never re-resolves).
 * Throws `webhook.url_not_allowed` with a `reason`.
 */
export async function checkWebhookUrl(
  raw: string,
  policy: UrlPolicy,
): Promise<{ url: URL; addresses: ResolvedAddress[] }> {
  const url = checkUrlForm(raw, policy.allowHttp);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal !== 0) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = [...(await policy.lookup(host))];
    } catch {
      throw refused(`the host name ${host} does not resolve`);
    }
    if (addresses.length === 0) throw refused(`the host name ${host} does not resolve`);
  }
  if (!policy.allowPrivate) {
    for (const a of addresses) {
      const range = forbiddenRange(a.address);
      if (range) {
        throw refused(
          `${host} resolves to ${a.address} (${range}); set HERALD_WEBHOOKS_ALLOW_PRIVATE=true to allow internal targets`,
        );
      }
    }
  }
  return { url, addresses };
}
