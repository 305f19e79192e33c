import type { Database, Statement } from 'better-sqlite3';
import type { Message } from '../../contract';

/** A message to store (the contract's message before it has a row id): what the live stream and the transcript importer both write. */
export interface MessageInsert extends Omit<Message, 'id'> {
  /** The transcript line's own id: a line seen before (same session, same id) is skipped. */
  externalId: string | null;
  /** 0 a vector is pending, 1 it is written with the row, 2 never (see vecState). */
  vecState: 0 | 1 | 2;
}

/**
 * The one way into the messages table and its word index, for the live stream (one message a time)
 * and the importer (batches of thousands) alike: a batch is one transaction, its words indexed by one
 * statement (FTS5 flushes pending terms per statement, so a row-by-row index made ingest four times
 * slower).
 */
export class MessageStore {
  constructor(private readonly db: () => Database) {}

  private get insertRow(): Statement {
    return this.db().prepare(
      `INSERT OR IGNORE INTO messages (session_id, turn_id, role, kind, text, data, surface, created_at, external_id, vec_state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  private get indexWords(): Statement {
    // Read back from the rows just written (in the page cache): passing the texts as JSON would copy
    // every one through the main thread again, and an imported tool output can be megabytes.
    return this.db().prepare('INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id IN (SELECT value FROM json_each(?))');
  }

  /**
   * Stores `batch` in one transaction (nested in the caller's when it is inside one) and returns the
   * stored rows' ids with their place in `batch`; a line seen before is left out. `each` runs inside
   * the transaction for every row stored (the vectors written with it).
   */
  insert(batch: readonly MessageInsert[], each?: (id: number, index: number) => void): { id: number; index: number }[] {
    const db = this.db();
    const insertRow = this.insertRow;
    const indexWords = this.indexWords;
    return db.transaction(() => {
      const stored: { id: number; index: number }[] = [];
      const words: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const m = batch[i]!;
        const result = insertRow.run(m.sessionId, m.turnId, m.role, m.kind, m.text, dataJson(m.data), m.surface, m.createdAt, m.externalId, m.vecState);
        // Ignored: a transcript line seen before.
        if (!result.changes) continue;
        const id = Number(result.lastInsertRowid);
        stored.push({ id, index: i });
        words.push(id);
        each?.(id, i);
      }
      if (words.length) indexWords.run(JSON.stringify(words));
      return stored;
    })();
  }

  /** One message, stored and given back as a read would give it (its data as stored: JSON, parsed). */
  insertOne(message: MessageInsert): Message | null {
    const [row] = this.insert([message]);
    if (!row) return null;
    const json = dataJson(message.data);
    const { sessionId, turnId, role, kind, text, surface, createdAt } = message;
    return { id: row.id, sessionId, turnId, role, kind, text, data: json === null ? null : JSON.parse(json), surface, createdAt };
  }
}

function dataJson(data: unknown): string | null {
  return data === null || data === undefined ? null : JSON.stringify(data);
}
