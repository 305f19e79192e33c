import type { Database, Statement } from 'better-sqlite3';

/**
 * Makes `db.prepare` hand out one statement per SQL text, as Signal Desktop's SQL layer does: preparing
 * costs more than running most of our statements, and the hot paths (a turn's stream, a chat message)
 * ran the same few dozen over and over. A statement comes back in its default modes (not plucked, not
 * raw), as a fresh one would; the least recently used go past `limit` (SQL built with lists varies).
 * SQLite prepares a kept statement again by itself when the schema it reads changes.
 */
export function cachePreparedStatements(db: Database, limit = 1000): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
      if (statement.reader) statement.pluck(false).raw(false).expand(false);
    } else {
      statement = prepare(sql);
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return statement;
  }) as Database['prepare'];
}
