import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from './errors';
import { makePrivateDir, makePrivateFile } from './storage/private-files';

/** Rotate past this size; three old files are kept. */
const MAX_LOG_BYTES = 5 * 1024 * 1024;
const KEPT_FILES = 3;

type Level = 'info' | 'warn' | 'error';

/** A short id a user can quote and the log has with the details: 8 characters, no look-alikes. */
export function newErrorId(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The process's log: JSON lines in `<data folder>/logs/switchboard.log` (0600, rotated) once a data
 * folder is attached, and the console always. One per process, since every part of the core and
 * both shells write to it, including code that runs before the core exists.
 */
class Log {
  private file: string | null = null;
  private size = 0;

  /** Starts writing to the data folder's log file. */
  attach(dataDir: string): void {
    const dir = path.join(dataDir, 'logs');
    makePrivateDir(dir);
    this.file = path.join(dir, 'switchboard.log');
    makePrivateFile(this.file);
    this.size = fs.statSync(this.file).size;
  }

  detach(): void {
    this.file = null;
  }

  get path(): string | null {
    return this.file;
  }

  info(message: string, details?: Record<string, unknown>): void {
    this.write('info', message, details);
  }

  warn(message: string, details?: Record<string, unknown>): void {
    this.write('warn', message, details);
  }

  /**
   * Logs a failure under a new error id and returns the id, for the answer the user sees. With
   * `console: false` the line goes to the file only: the caller shows the user its own words.
   */
  error(message: string, error?: unknown, details?: Record<string, unknown>, options: { console?: boolean } = {}): string {
    const id = newErrorId();
    const stack = error instanceof Error ? error.stack : undefined;
    this.write('error', message, { id, ...details, ...(error === undefined ? {} : { error: errorMessage(error), stack }) }, options.console ?? true);
    return id;
  }

  private write(level: Level, message: string, details?: Record<string, unknown>, toConsole = true): void {
    const consoleLine = `switchboard: ${details?.id ? `[${String(details.id)}] ` : ''}${message}${details?.error ? `: ${String(details.error)}` : ''}`;
    if (toConsole) {
      if (level === 'error') console.error(consoleLine);
      else if (level === 'warn') console.warn(consoleLine);
      else console.log(consoleLine);
    }
    if (!this.file) return;
    const line = `${JSON.stringify({ at: new Date().toISOString(), level, message, ...details })}\n`;
    try {
      if (this.size + line.length > MAX_LOG_BYTES) this.rotate();
      fs.appendFileSync(this.file, line, { mode: 0o600 });
      this.size += Buffer.byteLength(line);
    } catch {
      // A full disk or a removed folder must not take the process down with the log.
    }
  }

  private rotate(): void {
    const file = this.file!;
    for (let i = KEPT_FILES - 1; i >= 1; i--) {
      if (fs.existsSync(`${file}.${i}`)) fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    }
    if (fs.existsSync(file)) fs.renameSync(file, `${file}.1`);
    this.size = 0;
  }
}

export const log = new Log();
