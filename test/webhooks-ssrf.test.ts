import { describe, expect, it } from 'vitest';
import { AppError } from '../src/core/errors.js';
import { checkWebhookUrl, forbiddenRange, type LookupFn } from '../src/modules/webhooks/webhooks.ssrf.js';

const lookupTo =
  (...addresses: string[]): LookupFn =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const reasonOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('webhook.url_not_allowed');
    return String((e as AppError).details?.reason);
  }
  throw new Error('expected the URL to be refused');
};

describe('forbiddenRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['::ffff:7f00:1', 'IPv4-mapped'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['64:ff9b::10.0.0.1', 'NAT64 of private'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['2002:c0a8:0101::1', '6to4 of private'],
    ['2001:db8::1', 'documentation'],
  ])('%s is refused as %s', (ip, label) => {
    expect(forbiddenRange(ip)).toBe(label);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.1.1',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82a::200e',
    '64:ff9b::808:808',
    '2002:0808:0808::1',
  ])('%s is public', (ip) => {
    expect(forbiddenRange(ip)).toBeNull();
  });

  it('calls a non-address "not an IP address"', () => {
    expect(forbiddenRange('example.com')).toBe('not an IP address');
  });
});

describe('checkWebhookUrl', () => {
  const strict = { allowPrivate: false, allowHttp: false, lookup: lookupTo('93.184.216.34') };

  it('accepts a public https URL and returns the checked addresses', async () => {
    const r = await checkWebhookUrl('https://crm.example.com/hooks?x=1', strict);
    expect(r.url.href).toBe('https://crm.example.com/hooks?x=1');
    expect(r.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('refuses http unless allowed, other schemes always, and credentials in the URL', async () => {
    expect(await reasonOf(checkWebhookUrl('http://crm.example.com/', strict))).toMatch(/only https/);
    await expect(
      checkWebhookUrl('http://crm.example.com/', { ...strict, allowHttp: true }),
    ).resolves.toBeTruthy();
    expect(await reasonOf(checkWebhookUrl('ftp://crm.example.com/', { ...strict, allowHttp: true }))).toMatch(
      /only http and https/,
    );
    expect(await reasonOf(checkWebhookUrl('https://user:pw@crm.example.com/', strict))).toMatch(
      /credentials/,
    );
    expect(await reasonOf(checkWebhookUrl('not a url', strict))).toMatch(/not a valid URL/);
  });

  it('refuses literal internal addresses in every spelling the URL parser normalises', async () => {
    for (const url of [
      'https://127.0.0.1/',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://10.0.0.5:8443/',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00::1]/',
      'https://0.0.0.0/',
    ]) {
      expect(await reasonOf(checkWebhookUrl(url, strict)), url).toMatch(/HERALD_WEBHOOKS_ALLOW_PRIVATE/);
    }
  });

  it('refuses a host when any of its addresses is internal', async () => {
    const reason = await reasonOf(
      checkWebhookUrl('https://mixed.example.com/', {
        ...strict,
        lookup: lookupTo('93.184.216.34', '10.0.0.7'),
      }),
    );
    expect(reason).toContain('10.0.0.7 (private)');
  });

  it('refuses a host that does not resolve', async () => {
    const failing: LookupFn = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    expect(
      await reasonOf(checkWebhookUrl('https://nowhere.invalid/', { ...strict, lookup: failing })),
    ).toMatch(/does not resolve/);
  });

  it('allows internal targets only with the administrator switch', async () => {
    const open = { allowPrivate: true, allowHttp: true, lookup: lookupTo('127.0.0.1') };
    const r = await checkWebhookUrl('http://receiver.test:8080/hook', open);
    expect(r.addresses[0]?.address).toBe('127.0.0.1');
    await expect(checkWebhookUrl('http://[::1]:8080/', open)).resolves.toBeTruthy();
  });
});
