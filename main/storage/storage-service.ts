import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Service } from '../lifecycle';
import { DataDirLock } from './data-dir-lock';
import { closeDatabase, openDatabase } from './database';
import { schemaVersion } from './migrate';
import { migrations } from './migrations';

export interface DatabaseInfo {
  path: string;
  sizeBytes: number;
  schemaVersion: number;
  sqliteVersion: string;
  sqliteVecVersion: string;
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

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'switchboard.db');
    this.lock = new DataDirLock(dataDir);
  }

  get db(): Database {
    if (!this.database) throw new Error('storage is not started');
    return this.database;
  }

  start(): void {
    // Chat history and memory are private: the data folder is the user's alone.
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    this.lock.acquire();
    try {
      this.database = openDatabase(this.file, migrations);
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  stop(): void {
    if (this.database) closeDatabase(this.database, this.file);
    this.database = null;
    this.lock.release();
  }

  info(): DatabaseInfo {
    const row = this.db.prepare('SELECT sqlite_version() AS sqlite, vec_version() AS vec').get() as { sqlite: string; vec: string };
    return {
      path: this.file,
      sizeBytes: fileSize(this.file) + fileSize(`${this.file}-wal`),
      schemaVersion: schemaVersion(this.db),
      sqliteVersion: row.sqlite,
      sqliteVecVersion: row.vec,
    };
  }
}
