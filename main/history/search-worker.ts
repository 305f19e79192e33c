import BetterSqlite3 from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import * as sqliteVec from 'sqlite-vec';
import { MESSAGE_VECTOR_META, VectorIndex } from '../retrieval/vector-index';
import { searchMessages, type SearchRequest } from './search-query';
import { cachePreparedStatements } from '../storage/statements';

// Runs history searches off the main thread on its own read-only connection (WAL lets it read while
// the main connection writes): a search over a million messages ranks tens of thousands of rows,
// which would hold the event loop that carries every stream delta. Bundled as dist/main/search-worker.cjs.
const { file } = workerData as { file: string };
const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
cachePreparedStatements(db);
// Inside a packaged app the extension lives beside the archive, as for the main connection.
db.loadExtension(sqliteVec.getLoadablePath().replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'));
db.pragma('busy_timeout = 5000');
const index = new VectorIndex(db, 'messages', MESSAGE_VECTOR_META);

parentPort!.on('message', (message: { id: number; request: SearchRequest } | 'close') => {
  if (message === 'close') {
    db.close();
    parentPort!.postMessage({ closed: true });
    return;
  }
  try {
    parentPort!.postMessage({ id: message.id, hits: searchMessages(db, index, message.request) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
