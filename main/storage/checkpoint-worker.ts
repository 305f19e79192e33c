import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

// Copies the write-ahead log into the database file, off the main thread: a checkpoint writes and
// syncs megabytes, and SQLite's automatic one ran inside whichever write crossed 1,000 pages,
// holding the event loop about 50 ms each time during a big import. PASSIVE never blocks writers.
// Imports nothing of ours, so it runs from its bundle and, under Node's type stripping, from source.
const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new BetterSqlite3(file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let timer: NodeJS.Timeout | null = null;

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
}

timer = setInterval(checkpoint, everyMs);
parentPort!.on('message', (message: string) => {
  if (message !== 'close') return;
  if (timer) clearInterval(timer);
  db.close();
  parentPort!.postMessage({ closed: true });
});
parentPort!.postMessage({ ready: true });
