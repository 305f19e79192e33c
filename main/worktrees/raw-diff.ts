import type { ChangedFile, FileChangeStatus } from '../../contract';

const STATUS: Record<string, FileChangeStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'typechange' };

/**
 * Reads `git diff --raw --numstat -z -M` output: the raw section gives each file's status and a rename's
 * old path, the numstat section (same order) its line counts, `-` for a binary file. Parsing git's own
 * machine format, never computing a diff ourselves.
 */
export function parseRawNumstat(output: string): ChangedFile[] {
  const tokens = output.split('\0');
  const files: ChangedFile[] = [];
  let i = 0;
  while (i < tokens.length && tokens[i]!.startsWith(':')) {
    const meta = tokens[i]!.slice(1).split(' ');
    const letter = (meta[4] ?? 'M')[0]!;
    if (letter === 'R' || letter === 'C') {
      files.push({ path: tokens[i + 2]!, status: STATUS[letter]!, additions: 0, deletions: 0, binary: false, renamedFrom: tokens[i + 1]! });
      i += 3;
    } else {
      // U (unmerged) and X do not occur between two trees; anything else reads as modified.
      files.push({ path: tokens[i + 1]!, status: STATUS[letter] ?? 'modified', additions: 0, deletions: 0, binary: false, renamedFrom: null });
      i += 2;
    }
  }
  let n = 0;
  while (i < tokens.length && tokens[i] !== '' && n < files.length) {
    const token = tokens[i]!;
    const first = token.indexOf('\t');
    const second = token.indexOf('\t', first + 1);
    const added = token.slice(0, first);
    const deleted = token.slice(first + 1, second);
    const rest = token.slice(second + 1);
    i += rest === '' ? 3 : 1;
    const file = files[n++]!;
    if (added === '-' && deleted === '-') file.binary = true;
    else {
      file.additions = Number(added) || 0;
      file.deletions = Number(deleted) || 0;
    }
  }
  return files;
}
