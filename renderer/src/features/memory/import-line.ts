import type { MemoryImported } from '../../../../contract';

/** What an import did, in words: skipped entries are counted and named, never a silent loss. */
export function importedLine(r: MemoryImported): string {
  const line = `Imported: ${r.added} added, ${r.updated} updated.`;
  if (!r.skipped.length) return line;
  const entries = r.skipped.map((s) => s.entry).join(', ');
  const why = [...new Set(r.skipped.map((s) => s.reason))].join('; ');
  return `${line} Skipped ${r.skipped.length} ${r.skipped.length === 1 ? 'entry' : 'entries'} (number ${entries}): ${why}.`;
}
