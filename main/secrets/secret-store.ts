import fs from 'node:fs';
import path from 'node:path';

/** Where the core keeps tokens and keys; never plain SQLite. */
export interface SecretStore {
  get(name: string): string | null;
  set(name: string, value: string): void;
  delete(name: string): void;
}

/** Encrypts values at rest; the Electron shell supplies one backed by the OS keychain (safeStorage). */
export interface Cipher {
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

/**
 * The secrets file cannot be read as one: said in one line with what to do, and the file left as
 * it is (it may hold the only copy of a bot token).
 */
export class SecretsFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `The secrets file ${file} is damaged: ${reason}. Switchboard left it as it is and stopped. ` +
        'Restore it from a backup, or move it aside to start with new tokens (then open the new UI address, and connect Claude Code and the bots again in Settings).',
    );
    this.name = 'SecretsFileError';
  }
}

/**
 * Secrets in one JSON file readable only by the user (0600), written atomically. With a cipher
 * the values are encrypted too; without one (headless) the file mode is the protection.
 */
export class FileSecretStore implements SecretStore {
  constructor(
    readonly file: string,
    private readonly cipher: Cipher | null = null,
  ) {}

  get(name: string): string | null {
    const stored = this.read()[name];
    if (stored === undefined) return null;
    return this.cipher ? this.cipher.decrypt(Buffer.from(stored, 'base64')) : stored;
  }

  set(name: string, value: string): void {
    const all = this.read();
    all[name] = this.cipher ? this.cipher.encrypt(value).toString('base64') : value;
    this.write(all);
  }

  delete(name: string): void {
    const all = this.read();
    if (!(name in all)) return;
    delete all[name];
    this.write(all);
  }

  private read(): Record<string, string> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // V8's message quotes the text around the fault, which here is a secret: keep only where it is.
      const at = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new SecretsFileError(this.file, text.trim() ? `it is not valid JSON${at ? ` (from character ${at})` : ''}` : 'it is empty');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new SecretsFileError(this.file, 'it is not a secrets file (an object of names and values)');
    }
    return parsed as Record<string, string>;
  }

  private write(all: Record<string, string>): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(all, null, 2), { mode: 0o600 });
    fs.chmodSync(temp, 0o600);
    fs.renameSync(temp, this.file);
  }
}
