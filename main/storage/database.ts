import fs from 'node:fs';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { migrate, type Migration } from './migrate';
import { cachePreparedStatements } from './statements';

/** Raised when the file fails its integrity check; the file is left exactly as it was found. */
export class DatabaseCorruptError extends Error {
  constructor(file: string, detail: string) {
    super(
      `The database ${file} failed its integrity check (${detail}). Switchboard left it untouched and stopped. ` +
        'Move it aside or restore a backup, then start again.',
    );
    this.name = 'DatabaseCorruptError';
  }
}

/** SQLITE_CORRUPT and its extended codes, and SQLITE_NOTADB (not a database at all). */
function isCorruption(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

/** Reads only: quick_check walks every page without the cost of the full index cross-check. */
function checkIntegrity(db: Database, file: string): void {
  let rows: string[];
  try {
    rows = (db.pragma('quick_check') as Record<string, string>[]).map((r) => Object.values(r)[0] ?? '');
  } catch (error) {
    if (isCorruption(error)) throw new DatabaseCorruptError(file, (error as Error).message);
    throw error;
  }
  if (rows.length !== 1 || rows[0] !== 'ok') throw new DatabaseCorruptError(file, rows.slice(0, 3).join('; '));
}

/** Beside the database after a clean close: the file's size and time then, so a start can trust it. */
const cleanMarker = (file: string) => `${file}.clean`;

interface CleanClose {
  size: number;
  mtimeMs: number;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function localTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * Raised when the database is gone or empty while what Switchboard left beside it says it held
 * history (the clean-quit record, or a write-ahead log): starting would make a new empty file
 * over the place of the old one, and the user would only notice their history gone later.
 */
export class DatabaseLostError extends Error {
  constructor(
    file: string,
    found: 'missing' | 'empty',
    evidence: { record: CleanClose | null; walBytes: number },
    /** What to remove to start over with an empty database, when that is what the user wants. */
    leftovers: string[],
    /** What was found, for the log. */
    readonly details: Record<string, unknown>,
  ) {
    const what = found === 'missing' ? 'is missing' : 'is empty (0 bytes)';
    const why = evidence.record
      ? `the last clean quit left it with ${megabytes(evidence.record.size)} (at ${localTime(evidence.record.mtimeMs)})`
      : `its write-ahead log ${file}-wal still holds ${megabytes(evidence.walBytes)}`;
    super(
      `The database ${file} ${what}, but ${why}. Switchboard changed nothing and stopped. ` +
        `Put the file back (from a backup, or from where it was moved) and start again; to start over with an empty database instead, remove ${leftovers.join(' and ')}.`,
    );
    this.name = 'DatabaseLostError';
  }
}

/**
 * Refuses to go on when the database file is missing or empty but the clean-quit record or a
 * write-ahead log beside it says there was history. Reads only: every file stays as found.
 */
export function refuseLostDatabase(file: string): void {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat && stat.size > 0) return;
  let record: CleanClose | null = null;
  try {
    record = JSON.parse(fs.readFileSync(cleanMarker(file), 'utf8')) as CleanClose;
  } catch {
    // No record (the last run did not quit cleanly), or one that does not parse: no evidence from it.
  }
  if (!(typeof record?.size === 'number' && record.size > 0)) record = null;
  const walBytes = fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  if (!record && !walBytes) return;
  const leftovers = [cleanMarker(file), `${file}-wal`, `${file}-shm`, file].filter((f) => fs.existsSync(f));
  const found = stat ? 'empty' : 'missing';
  throw new DatabaseLostError(file, found, { record, walBytes }, leftovers, {
    file,
    found,
    cleanRecord: record,
    walBytes,
    shmBytes: fs.statSync(`${file}-shm`, { throwIfNoEntry: false })?.size ?? null,
    fileMtime: stat ? new Date(stat.mtimeMs).toISOString() : null,
  });
}

/**
 * Whether the file is as Switchboard left it at a clean close: same size and modification time,
 * and no write-ahead log waiting. The marker is removed either way, so a crash in this run means
 * a full check at the next start.
 */
function closedCleanly(file: string): boolean {
  let marker: CleanClose;
  try {
    marker = JSON.parse(fs.readFileSync(cleanMarker(file), 'utf8')) as CleanClose;
  } catch {
    return false;
  } finally {
    fs.rmSync(cleanMarker(file), { force: true });
  }
  const stat = fs.statSync(file);
  const wal = fs.statSync(`${file}-wal`, { throwIfNoEntry: false });
  return stat.size === marker.size && stat.mtimeMs === marker.mtimeMs && !wal?.size;
}

/**
 * Closes the database and marks the file as cleanly closed, so the next start can skip its check;
 * a file found corrupt is closed without a mark (and without writing), so the next start checks it.
 */
export function closeDatabase(db: Database, file: string, options: { markClean: boolean } = { markClean: true }): void {
  if (!options.markClean) {
    db.close();
    return;
  }
  db.pragma('optimize');
  db.close();
  // The last connection's close checkpoints the log into the file; only then is the file the whole truth.
  if (fs.statSync(`${file}-wal`, { throwIfNoEntry: false })?.size) return;
  const { size, mtimeMs } = fs.statSync(file);
  fs.writeFileSync(cleanMarker(file), JSON.stringify({ size, mtimeMs } satisfies CleanClose), { mode: 0o600 });
}

/** In a packaged app the extension sits in app.asar.unpacked: SQLite's dlopen cannot read inside an asar. */
function unpackedPath(file: string): string {
  return file.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
}

/**
 * Opens (or creates) the database: integrity check before anything writes (unless the file is
 * exactly as a clean close left it: the check reads every page, most of a start on a big history),
 * then sqlite-vec, WAL, foreign keys, and pending migrations.
 */
export function openDatabase(file: string, migrations: readonly Migration[]): Database {
  return openDatabaseChecked(file, migrations).db;
}

/** openDatabase, also saying whether the start skipped the check (the file was trusted), so it can run later. */
export function openDatabaseChecked(file: string, migrations: readonly Migration[]): { db: Database; skippedCheck: boolean } {
  refuseLostDatabase(file);
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  const trusted = existed && closedCleanly(file);
  const db = new BetterSqlite3(file);
  cachePreparedStatements(db);
  try {
    if (existed && !trusted) checkIntegrity(db, file);
    db.loadExtension(unpackedPath(sqliteVec.getLoadablePath()));
    if (!db.prepare("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS on_").pluck().get()) {
      throw new Error('this SQLite build has no FTS5');
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file, migrations);
    return { db, skippedCheck: trusted };
  } catch (error) {
    db.close();
    throw error;
  }
}
