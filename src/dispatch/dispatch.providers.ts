import fs from 'node:fs';
import type { ProviderAccountRow } from '../modules/gateways/gateways.repository.js';
import type {
  CallbackRequest,
  OutboundMessage,
  Provider,
  ReportStatus,
  SendOutcome,
} from '../providers/provider.contract.js';

/** Opens an adapter for a provider account; the worker's default is `registryOpenerFor` (dispatch.sink.ts). */
export type ProviderOpener = (account: ProviderAccountRow) => Provider;

/**
 * Adapter instances of one worker, one per account and settings version (`updated_at`): a changed
 * account gets a new instance; the old one is closed when the worker stops (closing it earlier would
 * cancel work it still has, such as the simulator's pending delivery reports).
 */
export function createProviderPool(open: ProviderOpener) {
  const instances = new Map<string, Provider>();
  return {
    get(account: ProviderAccountRow): Provider {
      const key = `${account.id}@${account.updated_at}`;
      let p = instances.get(key);
      if (!p) {
        p = open(account);
        instances.set(key, p);
      }
      return p;
    },
    async closeAll(): Promise<void> {
      const all = [...instances.values()];
      instances.clear();
      await Promise.allSettled(all.map((p) => p.close()));
    },
  };
}

export type ProviderPool = ReturnType<typeof createProviderPool>;

/**
 * A status query, for adapters whose `capabilities.statusQuery` is true and that have `queryStatus`
 * (see docs/dispatch.md). `null`: the gateway does not know either.
 */
export interface StatusQuery {
  queryStatus(q: { messageId: string; gatewayId: string | null }): Promise<ReportStatus | null>;
}

export function statusQueryOf(provider: Provider): StatusQuery | null {
  const candidate = provider as Provider & Partial<StatusQuery>;
  return provider.capabilities.statusQuery && typeof candidate.queryStatus === 'function'
    ? { queryStatus: (q) => candidate.queryStatus!(q) }
    : null;
}

/** One line of the submit journal. No phone numbers, no message bodies. */
export type JournalLine =
  | { at: string; pid: number; event: 'submit'; messageId: string; accountId: string }
  | {
      at: string;
      pid: number;
      event: 'outcome';
      messageId: string;
      accountId: string;
      ok: boolean;
      /** `accepted`/`sent` when ok, else the failure class. */
      result: string;
      gatewayId?: string;
    };

/**
 * Diagnostic and test feature (`HERALD_SUBMIT_JOURNAL`): appends one JSON line to `file` right before
 * every call of the adapter's `send` and one with its outcome. Lines are written synchronously with
 * O_APPEND, so they survive a `kill -9` of the process and lines of several processes do not mix;
 * counting `submit` lines per message tells how often a message went to a gateway.
 */
export function withSubmitJournal(provider: Provider, file: string, accountId: string): Provider {
  const write = (line: JournalLine) => fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  const send = async (message: OutboundMessage): Promise<SendOutcome> => {
    write({
      at: new Date().toISOString(),
      pid: process.pid,
      event: 'submit',
      messageId: message.id,
      accountId,
    });
    const outcome = await provider.send(message);
    write({
      at: new Date().toISOString(),
      pid: process.pid,
      event: 'outcome',
      messageId: message.id,
      accountId,
      ok: outcome.ok,
      result: outcome.ok ? outcome.status : outcome.class,
      ...(outcome.ok ? { gatewayId: outcome.gatewayId } : {}),
    });
    return outcome;
  };
  const query = statusQueryOf(provider);
  return Object.freeze({
    kind: provider.kind,
    capabilities: provider.capabilities,
    send,
    parseDeliveryReport: (request: CallbackRequest) => provider.parseDeliveryReport(request),
    close: () => provider.close(),
    ...(query ? { queryStatus: query.queryStatus } : {}),
    ...(provider.parseInbound ? { parseInbound: provider.parseInbound.bind(provider) } : {}),
    ...(provider.listen ? { listen: provider.listen.bind(provider) } : {}),
    ...(provider.inboundAck ? { inboundAck: provider.inboundAck } : {}),
  });
}

/** Reads a submit journal (a missing file is an empty journal); a torn last line is skipped. */
export function readSubmitJournal(file: string): JournalLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      if (l.trim() === '') return [];
      try {
        return [JSON.parse(l) as JournalLine];
      } catch {
        return [];
      }
    });
}
