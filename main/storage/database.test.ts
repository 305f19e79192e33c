import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../testing/temp-core';
import { closeDatabase, DatabaseCorruptError, DatabaseLostError, openDatabase } from './database';
import { DatabaseTooNewError, schemaVersion, type Migration } from './migrate';
import { migrations } from './migrations';

function tempFile(): string {
  const dir = testTempDir();
  return path.join(dir, 'switchboard.db');
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('openDatabase', () => {
  it('opens with WAL, foreign keys, sqlite-vec and FTS5, at the latest schema', () => {
    const db = openDatabase(tempFile(), migrations);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBe(migrations.length);
    db.exec("CREATE VIRTUAL TABLE words USING fts5(body); INSERT INTO words VALUES ('the quick brown fox')");
    expect(db.prepare("SELECT count(*) FROM words WHERE words MATCH 'quick'").pluck().get()).toBe(1);
    db.exec('CREATE VIRTUAL TABLE vecs USING vec0(embedding float[3])');
    const insert = db.prepare('INSERT INTO vecs(rowid, embedding) VALUES (?, ?)');
    insert.run(1n, new Float32Array([1, 0, 0]));
    insert.run(2n, new Float32Array([0, 1, 0]));
    const nearest = db.prepare('SELECT rowid FROM vecs WHERE embedding MATCH ? AND k = 1').pluck().get(new Float32Array([0.1, 0.9, 0]));
    expect(nearest).toBe(2);
    db.close();
  });

  it('applies nothing twice on reopen', () => {
    const file = tempFile();
    openDatabase(file, migrations).close();
    const db = openDatabase(file, migrations);
    expect(schemaVersion(db)).toBe(migrations.length);
    db.close();
  });

  it('applies each migration in one transaction: a failing one leaves the file at the previous version', () => {
    const file = tempFile();
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => openDatabase(file, broken)).toThrow(/nowhere/);
    const db = new BetterSqlite3(file);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(0);
    db.close();
  });

  it('stops on a file that is not a database, naming it, and leaves it byte for byte', () => {
    const file = tempFile();
    fs.writeFileSync(file, Buffer.from('this is not sqlite '.repeat(500)));
    const before = sha(file);
    const error = (() => {
      try {
        openDatabase(file, migrations);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DatabaseCorruptError);
    expect((error as Error).message).toContain(file);
    expect(sha(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('stops on a database with damaged pages and leaves it untouched', () => {
    const file = tempFile();
    const db = openDatabase(file, migrations);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX notes_body ON notes(body);');
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`note number ${i} ${'x'.repeat(80)}`);
    })();
    db.pragma('journal_mode = DELETE');
    db.close();
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa7, pageSize * 4, pageSize * 4 + pageSize);
    fs.writeFileSync(file, bytes);
    const before = sha(file);
    expect(() => openDatabase(file, migrations)).toThrow(DatabaseCorruptError);
    expect(sha(file)).toBe(before);
  });

  it('skips the check only for a file exactly as a clean close left it', () => {
    const file = tempFile();
    const db = openDatabase(file, migrations);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); CREATE INDEX notes_body ON notes(body);');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) db.prepare('INSERT INTO notes (body) VALUES (?)').run(`note number ${i} ${'x'.repeat(80)}`);
    })();
    closeDatabase(db, file);
    expect(fs.existsSync(`${file}.clean`)).toBe(true);
    // A clean reopen removes the mark while running: a crash now means a full check next time.
    const again = openDatabase(file, migrations);
    expect(fs.existsSync(`${file}.clean`)).toBe(false);
    closeDatabase(again, file);

    // Pages damaged after the clean close: the file changed, so it is checked and refused.
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xa7, pageSize * 4, pageSize * 4 + pageSize);
    fs.writeFileSync(file, bytes);
    expect(() => openDatabase(file, migrations)).toThrow(DatabaseCorruptError);

    // The same bytes with a mark that matches them are trusted: the check is what was skipped.
    const { size, mtimeMs } = fs.statSync(file);
    fs.writeFileSync(`${file}.clean`, JSON.stringify({ size, mtimeMs }));
    openDatabase(file, migrations).close();
  });

  it('refuses a missing database whose write-ahead log was left by a crash, creating nothing', () => {
    const file = tempFile();
    const db = openDatabase(file, migrations);
    db.exec('CREATE TABLE kept (x TEXT); INSERT INTO kept VALUES (1)');
    // As a kill -9 leaves it: the log still holds what was written; then the file itself goes.
    const moved = path.join(path.dirname(tempFile()), 'switchboard.db-wal');
    fs.copyFileSync(`${file}-wal`, moved);
    db.close();
    const lost = path.join(path.dirname(moved), 'switchboard.db');
    expect(() => openDatabase(lost, migrations)).toThrow(DatabaseLostError);
    expect(() => openDatabase(lost, migrations)).toThrow(`The database ${lost} is missing, but its write-ahead log ${lost}-wal still holds`);
    expect(fs.readdirSync(path.dirname(moved))).toEqual(['switchboard.db-wal']);
  });

  it('refuses a database written by a newer Switchboard', () => {
    const file = tempFile();
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${migrations.length + 5}`);
    raw.close();
    expect(() => openDatabase(file, migrations)).toThrow(DatabaseTooNewError);
  });
});

describe('migrations', () => {
  it('lists every numbered file in migrations/, in order', () => {
    const files = fs
      .readdirSync(path.join(import.meta.dirname, 'migrations'))
      .filter((f) => /^\d{4}-.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(migrations.map((m) => m.name)).toEqual(files);
    expect(migrations.map((m) => m.version)).toEqual(files.map((_, i) => i + 1));
  });
});

describe('0006-active-runs', () => {
  it('moves a run left in progress into the run locks, and keeps the finished ones', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 5));
    old.prepare(`INSERT INTO jobs (id, name, kind, cron, time_zone, command, timeout_seconds, created_at, updated_at) VALUES ('j', 'j', 'shell', '* * * * *', 'UTC', 'true', 60, 0, 0)`).run();
    old.prepare(`INSERT INTO job_runs (id, job_id, planned_at, started_at, ended_at, status, trigger) VALUES ('done', 'j', 1, 1, 2, 'ok', 'schedule')`).run();
    old.prepare(`INSERT INTO job_runs (id, job_id, planned_at, started_at, status, trigger, attempt) VALUES ('cut', 'j', 3, 4, 'running', 'retry', 2)`).run();
    old.close();
    const db = openDatabase(file, migrations);
    expect(db.prepare('SELECT id, status FROM job_runs').all()).toEqual([{ id: 'done', status: 'ok' }]);
    expect(db.prepare('SELECT job_id, id, planned_at, started_at, trigger, attempt FROM active_runs').all()).toEqual([
      { job_id: 'j', id: 'cut', planned_at: 3, started_at: 4, trigger: 'retry', attempt: 2 },
    ]);
    db.close();
  });
});

describe('0009-surfaces', () => {
  it('renames the stored surfaces to the closed set, and leaves the others', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 8));
    const session = old.prepare(
      `INSERT INTO sessions (id, surface, surface_key, claude_session_id, title, cwd, permission_policy, created_at, updated_at) VALUES (?, ?, ?, ?, 't', '/', 'ask', 0, 0)`,
    );
    for (const surface of ['web', 'api', 'scheduler', 'terminal', 'desktop', 'telegram']) session.run(surface, surface, surface, `c-${surface}`);
    old.prepare(`INSERT INTO turns (id, session_id, seq, claude_session_id, surface, prompt, status, queued_at) VALUES ('t', 'web', 1, 'c', 'web', 'p', 'done', 0)`).run();
    old.close();
    const db = openDatabase(file, migrations);
    expect(db.prepare('SELECT id, surface FROM sessions ORDER BY id').all()).toEqual([
      { id: 'api', surface: 'browser' },
      { id: 'desktop', surface: 'desktop' },
      { id: 'scheduler', surface: 'schedule' },
      { id: 'telegram', surface: 'telegram' },
      { id: 'terminal', surface: 'external' },
      { id: 'web', surface: 'browser' },
    ]);
    expect(db.prepare('SELECT surface FROM turns').pluck().get()).toBe('browser');
    db.close();
  });
});

describe('0013-usage', () => {
  it('keeps the run history (held becomes a status) and reads transcripts again so their usage counts', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 12));
    old.prepare(`INSERT INTO jobs (id, name, kind, cron, time_zone, command, timeout_seconds, created_at, updated_at) VALUES ('j', 'j', 'shell', '* * * * *', 'UTC', 'true', 60, 0, 0)`).run();
    old.prepare(`INSERT INTO job_runs (id, job_id, planned_at, started_at, ended_at, status, trigger, reason) VALUES ('r', 'j', 1, 1, 2, 'missed', 'schedule', 'asleep')`).run();
    old.prepare(`INSERT INTO transcript_files (path, session_id, offset, size, malformed, updated_at) VALUES ('/t.jsonl', 's', 5000, 5000, 0, 0)`).run();
    old.close();
    const db = openDatabase(file, migrations);
    expect(db.prepare('SELECT id, status, reason FROM job_runs').all()).toEqual([{ id: 'r', status: 'missed', reason: 'asleep' }]);
    db.prepare(`INSERT INTO job_runs (id, job_id, ended_at, status, trigger) VALUES ('h', 'j', 3, 'held', 'schedule')`).run();
    expect(db.prepare('SELECT offset FROM transcript_files').pluck().get()).toBe(0);
    db.close();
  });
});

describe('0014-voice-settings', () => {
  it('moves the transcription endpoint set for Telegram to the setting every bot reads', () => {
    const file = tempFile();
    const old = openDatabase(file, migrations.slice(0, 13));
    old.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('telegram.transcriptionUrl', '"http://127.0.0.1:9/v1/audio/transcriptions"', 0), ('telegram.doneNotes', 'false', 0)`).run();
    old.close();
    const db = openDatabase(file, migrations);
    expect(db.prepare('SELECT key, value FROM settings ORDER BY key').all()).toEqual([
      { key: 'telegram.doneNotes', value: 'false' },
      { key: 'voice.transcriptionUrl', value: '"http://127.0.0.1:9/v1/audio/transcriptions"' },
    ]);
    db.close();
  });
});
