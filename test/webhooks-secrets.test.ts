import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, generateSigningSecret } from '../src/core/secrets.js';

describe('webhook secrets', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-secrets-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('generates Standard Webhooks secrets: whsec_ + base64 of 32 random bytes, usable by the package', () => {
    const a = generateSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(a);
    const wh = new Webhook(a);
    const sig = wh.sign('msg_1', new Date(), '{}');
    expect(() =>
      wh.verify('{}', {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': sig,
      }),
    ).not.toThrow();
  });

  it('seals with AES-256-GCM: round trip, no plaintext, bound to its row, tamper detected', () => {
    const box = createSecretBox({ key: randomBytes(32).toString('base64'), dataDir: '/nonexistent' });
    const secret = generateSigningSecret();
    const sealed = box.seal(secret, 'endpoint-1');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.seal(secret, 'endpoint-1')).not.toBe(sealed); // fresh IV each time
    expect(box.open(sealed, 'endpoint-1')).toBe(secret);
    expect(() => box.open(sealed, 'endpoint-2')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`, 'endpoint-1')).toThrow();
    const other = createSecretBox({ key: randomBytes(32).toString('base64'), dataDir: '/nonexistent' });
    expect(() => other.open(sealed, 'endpoint-1')).toThrow();
  });

  it('without a configured key, creates encryption.key with mode 0600 on first use and reuses it', () => {
    const dir = tempDir();
    const box = createSecretBox({ dataDir: dir });
    expect(fs.existsSync(path.join(dir, 'encryption.key'))).toBe(false);
    const sealed = box.seal('whsec_x', 'e');
    const file = path.join(dir, 'encryption.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    expect(createSecretBox({ dataDir: dir }).open(sealed, 'e')).toBe('whsec_x');
    expect(fs.readdirSync(dir)).toEqual(['encryption.key']);
  });

  it('refuses a key file that other users can read', () => {
    const dir = tempDir();
    const file = path.join(dir, 'encryption.key');
    fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect(() => createSecretBox({ dataDir: dir }).seal('x', 'e')).toThrow(/chmod 600/);
  });
});
