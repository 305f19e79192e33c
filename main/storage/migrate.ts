import type { Database } from 'better-sqlite3';

/** One schema step; each lives in its own numbered file under migrations/. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Raised when the file was written by a newer Switchboard: running old code on it could lose data. */
export class DatabaseTooNewError extends Error {
  constructor(file: string, found: number, known: number) {
    super(
      `The database ${file} has schema version ${found}, newer than this Switchboard knows (${known}). ` +
        'Update Switchboard, or point SWITCHBOARD_HOME at another folder.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations the file has not seen, each in its own transaction together with the
 * version bump, so a crash leaves the file at a whole version.
 */
export function migrate(db: Database, file: string, migrations: readonly Migration[]): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const from = schemaVersion(db);
  const latest = migrations.length;
  if (from > latest) throw new DatabaseTooNewError(file, from, latest);
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: latest };
}
