import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Service } from '../lifecycle';
import { log } from '../log';
import { DataDirLock } from './data-dir-lock';
import { closeDatabase, openDatabaseChecked, refuseLostDatabase } from './database';
import { MessageStore } from './message-store';
import { Checkpointer } from './checkpointer';
import { IntegrityMonitor, type IntegrityState } from './integrity-monitor';
import { schemaVersion } from './migrate';
import { migrations } from './migrations';
import { makePrivateFile, privatizeDataDir } from './private-files';

export interface DatabaseInfo {
  path: string;
  sizeBytes: number;
  schemaVersion: number;
  sqliteVersion: string;
  sqliteVecVersion: string;
  integrity: IntegrityState;
}

export interface StorageOptions {
  /** The integrity check's worker script; without one the background check runs in-thread. */
  integrityWorker?: string | null;
  /** The checkpoint worker's script; without one SQLite checkpoints on the main thread. */
  checkpointWorker?: string | null;
  /** Told when the background check finds the file corrupt (writes have stopped by then). */
  onCorrupt?: (detail: string) => void;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Owns the one database connection; every repository gets it from here after start. */
export class StorageService implements Service {
  readonly name = 'storage';
  readonly file: string;
  private database: Database | null = null;
  private readonly lock: DataDirLock;
  readonly integrity: IntegrityMonitor;
  private readonly checkpointer: Checkpointer;
  /** The one way messages are written (live and imported alike), with their words indexed. */
  readonly messages = new MessageStore(() => this.db);

  constructor(dataDir: string, options: StorageOptions = {}) {
    this.file = path.join(dataDir, 'switchboard.db');
    this.lock = new DataDirLock(dataDir);
    this.checkpointer = new Checkpointer({ file: this.file, db: () => this.db, script: options.checkpointWorker ?? null });
    this.integrity = new IntegrityMonitor({ file: this.file, db: () => this.db, script: options.integrityWorker ?? null, onCorrupt: (d) => options.onCorrupt?.(d) });
  }

  get db(): Database {
    if (!this.database) throw new Error('storage is not started');
    return this.database;
  }

  start(): void {
    // Chat history and memory are private: the data folder is the user's alone.
    privatizeDataDir(path.dirname(this.file));
    log.attach(path.dirname(this.file));
    this.lock.acquire();
    try {
      // Before anything creates the file: a database gone while its clean-quit record says it held history is refused.
      refuseLostDatabase(this.file);
      // SQLite gives the -wal and -shm files the database file's mode: make that 0600 first.
      makePrivateFile(this.file);
      const { db, skippedCheck } = openDatabaseChecked(this.file, migrations);
      this.database = db;
      // A fast start skipped the check; it runs now in the background, and daily either way.
      this.integrity.start(skippedCheck);
    } catch (error) {
      this.lock.release();
      throw error;
    }
    this.checkpointer.start();
  }

  async stop(): Promise<void> {
    await this.integrity.stop();
    await this.checkpointer.stop();
    if (this.database) closeDatabase(this.database, this.file, { markClean: !this.integrity.corrupt });
    this.database = null;
    this.lock.release();
    log.detach();
  }

  info(): DatabaseInfo {
    const row = this.db.prepare('SELECT sqlite_version() AS sqlite, vec_version() AS vec').get() as { sqlite: string; vec: string };
    return {
      path: this.file,
      sizeBytes: fileSize(this.file) + fileSize(`${this.file}-wal`),
      schemaVersion: schemaVersion(this.db),
      sqliteVersion: row.sqlite,
      sqliteVecVersion: row.vec,
      integrity: this.integrity.state,
    };
  }
}
