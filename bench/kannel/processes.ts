/**
 * The process helpers live in test/helpers/kannel-processes.ts (the Kannel adapter's tests start Kannel
 * too). Bench scripts that import them from here also get the handlers that stop every started
 * process on SIGINT/SIGTERM or a crash, as they did before the move.
 */
import { stopAllOnSignals } from '../../test/helpers/kannel-processes.js';

export * from '../../test/helpers/kannel-processes.js';

stopAllOnSignals();
