import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProviderDeps } from '../../src/providers/provider.contract.js';
import { defaultProviderDeps } from '../../src/providers/provider.registry.js';
import {
  type KannelPeerOptions,
  missingKannelBinaries,
  type RunningKannel,
  startKannel,
} from './kannel-peer.js';

/**
 * One real Kannel per test file (bearerbox + smsbox + fakesmsc on 127.0.0.1, config in a temp
 * directory), started on first use: fakesmsc logs what it receives and takes mobile-originated
 * messages on its stdin, a second SMSC `offline` answers 503, the sendsms user lets Kannel split
 * (`max-messages = 5`, `concatenation = true`), smsbox retries a failed dlr-url or get-url twice.
 */
export const KANNEL_MISSING = missingKannelBinaries();
// Every Kannel test file imports this module: each says once why its Kannel tests are skipped.
if (KANNEL_MISSING.length > 0) {
  console.log(
    `Kannel tests skipped: ${KANNEL_MISSING.join(', ')} not installed (apt-get install kannel kannel-extras; .ci/run installs them).`,
  );
}

/** The get-url docs/gateways.md tells Kannel administrators to configure, for an inbound URL. */
export const inboundGetUrl = (inboundUrl: string) =>
  `${inboundUrl}?from=%p&to=%P&text=%b&coding=%c&charset=%C&id=%I&ts=%T`;

let running: Promise<{ kannel: RunningKannel; dir: string }> | undefined;

export function testKannel(options: Partial<KannelPeerOptions> = {}): Promise<RunningKannel> {
  running ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-test-kannel-'));
    const kannel = await startKannel({
      dir,
      store: false,
      recordMt: true,
      mo: true,
      offlineSmsc: true,
      split: { maxMessages: 5, concatenation: true },
      httpRequestRetry: 2,
      inbound: { getUrl: inboundGetUrl('http://127.0.0.1:9/not-set-yet'), omitEmpty: true },
      ...options,
    });
    return { kannel, dir };
  })();
  return running.then((r) => r.kannel);
}

export async function stopTestKannel(): Promise<void> {
  if (!running) return;
  const { kannel, dir } = await running;
  running = undefined;
  await kannel.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Deps for adapter instances in tests: the global fetch (the server's SSRF guard is tested elsewhere). */
export const kannelTestDeps = (over: Partial<ProviderDeps> = {}): ProviderDeps => ({
  ...defaultProviderDeps,
  fetch: (url, init) => fetch(url, init),
  ...over,
});
