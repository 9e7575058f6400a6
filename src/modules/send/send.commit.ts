import type SqliteDatabase from 'better-sqlite3';
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { syncTransactions } from '../../db/sync-group.js';
import { groupedTransactions } from '../../db/tx-group.js';
import type { BatchTable } from '../batches/batches.table.js';
import type { MessageTable } from '../messages/messages.table.js';
import { insertBatchSqlite, insertMessagesSqlite } from './send.insert.sqlite.js';
import { insertBatch } from './send.repository.js';

/** What one send request writes: its SMS Log entry and its messages. */
export interface SendWrite {
  batch: Insertable<BatchTable>;
  messages: readonly Insertable<MessageTable>[];
}

/** Most requests one group transaction takes; the rest wait for the next group. */
const MAX_GROUP = 256;

type Commit = (write: SendWrite) => Promise<void>;

const committers = new WeakMap<object, Commit>();

/**
 * Writes a send request's batch and messages durably (group commit, see {@link syncTransactions}); resolves
 * once they are committed. With `sqlite` (the connection under `kysely`) the synchronous SQLite path is
 * used; other dialects share transactions through {@link groupedTransactions}, a savepoint per request.
 */
export function commitSend(
  kysely: Kysely<Database>,
  sqlite: SqliteDatabase.Database | undefined,
  write: SendWrite,
): Promise<void> {
  let commit = committers.get(kysely);
  if (!commit) {
    if (sqlite) {
      // Group commit: the writes of send requests that arrive while a group is being written (or in
      // the same turn of the event loop) share ONE transaction, each in its own savepoint (a failing
      // write fails only its own request); each request is answered only after that commit, so an
      // answer never promises a row that is not durable (db/sync-group.ts).
      const tx = syncTransactions(kysely, sqlite, MAX_GROUP);
      commit = (w) =>
        tx(() => {
          insertBatchSqlite(sqlite, w.batch);
          insertMessagesSqlite(sqlite, w.messages);
        });
    } else {
      const tx = groupedTransactions(kysely, MAX_GROUP);
      commit = (w) => tx((trx) => insertBatch(trx, w.batch, w.messages));
    }
    committers.set(kysely, commit);
  }
  return commit(write);
}
