import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

// Runs SQLite's quick_check on its own read-only connection, off the main thread: it reads every
// page, which on a big history takes seconds the event loop cannot spare. Imports nothing of ours,
// so it runs from its bundle and, under Node's type stripping, from this source file in tests.
const { file } = workerData as { file: string };
try {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const rows = (db.pragma('quick_check') as Record<string, string>[]).map((r) => Object.values(r)[0] ?? '');
    parentPort!.postMessage({ rows });
  } finally {
    db.close();
  }
} catch (error) {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error), code });
}
