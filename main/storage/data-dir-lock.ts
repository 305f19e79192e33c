import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One Switchboard per data folder: two would run the same jobs and resume the same Claude
 * sessions at once. A lock file holds the owner's pid; a stale one (its process gone) is taken over.
 */
export class DataDirLock {
  readonly file: string;
  private readonly token = `${process.pid}:${randomUUID()}`;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'switchboard.lock');
  }

  acquire(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.file, this.token, { flag: 'wx', mode: 0o600 });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = fs.readFileSync(this.file, 'utf8');
      const pid = Number(holder.split(':')[0]);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new Error(`another Switchboard (pid ${pid}) is using ${path.dirname(this.file)}. Stop it, or point SWITCHBOARD_HOME at another folder.`);
      }
      fs.rmSync(this.file, { force: true });
    }
    throw new Error(`could not take the lock ${this.file}`);
  }

  release(): void {
    try {
      if (fs.readFileSync(this.file, 'utf8') === this.token) fs.rmSync(this.file);
    } catch {
      /* already gone */
    }
  }
}
