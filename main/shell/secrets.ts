import { safeStorage } from 'electron';
import type { Cipher } from '../secrets/secret-store';

/** The OS keychain's encryption (Keychain, DPAPI, libsecret), or null where none is available. */
export function safeStorageCipher(): Cipher | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  return {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}
