import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/**
 * WAL checkpoints off the request path (SQLite only).
 *
 * In WAL mode with `synchronous = NORMAL` a commit does not wait for the disk; the checkpoint that
 * copies the WAL back into the database file does (two fsyncs). SQLite runs it inside whichever commit
 * pushes the WAL over `wal_autocheckpoint` pages, so every few hundred send requests one of them —
 * and the event loop of `herald serve` with it — waited for the disk: a third of the accept path's
 * time on this machine (bench/kannel.bench.ts). Here a thread of its own runs a PASSIVE checkpoint
 * every {@link CHECKPOINT_EVERY_MS} (the same kind SQLite runs itself: it never blocks writers or
 * readers, it copies what no reader still needs), and the connections that write raise their own
 * threshold to {@link SAFETY_AUTOCHECKPOINT_PAGES}: a safety net should the thread stall, not the
 * normal path. Durability is unchanged: a commit is in the WAL file before its answer either way.
 */
const CHECKPOINT_EVERY_MS = 100;

/**
 * Pages (4 KiB) a writing connection lets the WAL grow to before it checkpoints itself. Also what keeps
 * the WAL file small: SQLite starts the WAL over only when a writer follows a checkpoint that copied
 * everything, and under a steady stream of commits the thread's PASSIVE checkpoints rarely get that
 * gap. At this size the writer's own checkpoint (which then finds most pages copied already) does it
 * every 16 MB, instead of every 4 MB without the thread.
 */
export const SAFETY_AUTOCHECKPOINT_PAGES = 4_000;

/** For a connection whose checkpoints the background thread does (see {@link startCheckpointer}). */
export function deferCheckpoints(sqlite: SqliteDatabase.Database): void {
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_AUTOCHECKPOINT_PAGES}`);
}

export interface Checkpointer {
  stop(): Promise<void>;
}

const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
let failures = 0;
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (e) {
    // A busy checkpoint lock (another checkpoint running) is harmless; anything else is reported once.
    if (e && e.code !== 'SQLITE_BUSY' && failures++ === 0) parentPort.postMessage({ type: 'error', error: String(e && e.message) });
  }
};
const timer = setInterval(tick, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort.close();
});
`;

/**
 * Starts the checkpoint thread for the database file of `sqlite` and defers the checkpoints of that
 * connection to it. Other connections of the process that write (the dispatch worker's thread) call
 * {@link deferCheckpoints} themselves.
 */
export function startCheckpointer(
  sqlite: SqliteDatabase.Database,
  onError: (message: string) => void,
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const thread = new Worker(THREAD, {
    eval: true,
    workerData: { driver, file: sqlite.name, everyMs: CHECKPOINT_EVERY_MS },
  });
  // The thread must not keep a process alive that has nothing else to do.
  thread.unref();
  thread.on('message', (m: { type: string; error?: string }) => {
    if (m.type === 'error') onError(m.error ?? 'checkpoint failed');
  });
  thread.on('error', (e) => onError(e.message));
  // Also when the thread ended early (an error): stop() must not wait for an exit that already happened.
  const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
  deferCheckpoints(sqlite);
  return {
    async stop() {
      // Referenced again while it finishes: an unref'd thread keeps nothing alive, and a process with
      // nothing else left would end right here, before its database is closed.
      thread.ref();
      thread.postMessage('stop');
      await exited;
    },
  };
}
