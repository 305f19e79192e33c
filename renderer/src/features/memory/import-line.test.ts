import { describe, expect, it } from 'vitest';
import { importedLine } from './import-line';

describe('the import line', () => {
  it('names the skipped entries and why, as a person counts them', () => {
    expect(importedLine({ added: 2, updated: 0, skipped: [] })).toBe('Imported: 2 added, 0 updated.');
    expect(importedLine({ added: 2, updated: 0, skipped: [{ entry: 3, reason: 'its text is empty' }] })).toBe('Imported: 2 added, 0 updated. Skipped 1 entry (number 3): its text is empty.');
  });
});
