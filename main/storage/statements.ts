import type { Database, Statement } from 'better-sqlite3';

/** Prepares each SQL text once per connection: preparing dominates hot paths that run a statement often. */
export class Statements {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly db: () => Database) {}

  get(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      statement = this.db().prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }

  /** Forget them all (the tables they read were rebuilt, or the connection changed). */
  clear(): void {
    this.cache.clear();
  }
}
