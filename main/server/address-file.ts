import fs from 'node:fs';

/** What a running server records in its data folder: where it listens, and which process it is. */
export interface RecordedAddress {
  url: string;
  port: number;
  pid: number;
}

/** Written whole (a temporary file renamed over it), 0600 from the start. */
export function writeAddressFile(file: string, address: RecordedAddress): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(address)}\n`, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
}

/** Removed when this process stops listening, unless another server of the same folder has written it since. */
export function removeAddressFile(file: string): void {
  if (readAddressFile(file)?.pid === process.pid) fs.rmSync(file, { force: true });
}

/** The address a running server of this data folder recorded, or null. */
export function readAddressFile(file: string): RecordedAddress | null {
  try {
    const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<RecordedAddress>;
    return typeof recorded.port === 'number' && typeof recorded.url === 'string' && typeof recorded.pid === 'number' ? (recorded as RecordedAddress) : null;
  } catch {
    return null;
  }
}

/** The file name a server's address is recorded under, in its data folder. */
export const ADDRESS_FILE = 'server.json';
