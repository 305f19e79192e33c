/**
 * Cutting git's unified diffs into pieces the diff view renders one at a time, and turning Claude's edit
 * tools into diffs. Nothing here compares texts: the lines and their numbers come from git (or from the
 * CLI's own patch); this only regroups them.
 */

/** One piece of a file's diff: a self-contained unified diff (file header and hunks) of at most a few hundred lines. */
export interface DiffChunk {
  /** The unified diff text of this piece, with the file's `---`/`+++` header. */
  text: string;
  /** Lines of hunk body in it (for the virtual list's first estimate of its height). */
  lines: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/** The `---`/`+++` header of a file's diff, and whether git called it binary. */
function fileHeader(lines: string[], path: string): { header: string; binary: boolean; firstHunk: number } {
  let oldName = `a/${path}`;
  let newName = `b/${path}`;
  let binary = false;
  let i = 0;
  for (; i < lines.length && !lines[i]!.startsWith('@@'); i++) {
    const line = lines[i]!;
    if (line.startsWith('--- ')) oldName = line.slice(4);
    else if (line.startsWith('+++ ')) newName = line.slice(4);
    else if (line.startsWith('Binary files ')) binary = true;
  }
  return { header: `--- ${oldName}\n+++ ${newName}\n`, binary, firstHunk: i };
}

/**
 * Splits one file's unified diff (git's output, possibly only its first pages) into chunks of about
 * `maxLines` lines. A hunk longer than that is cut into several, each with a header counted from its own
 * lines, so every chunk stands alone. Deterministic: the chunks of a longer text start with the same ones.
 */
export function chunkFileDiff(text: string, path: string, maxLines = 400, firstLines = maxLines): { chunks: DiffChunk[]; binary: boolean } {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const { header, binary, firstHunk } = fileHeader(lines, path);
  const chunks: DiffChunk[] = [];
  let body: string[] = [];
  let bodyLines = 0;
  let oldLine = 0;
  let newLine = 0;
  let suffix = '';
  // The hunk being collected: where it starts, and its lines.
  let start: { old: number; new: number } | null = null;
  let hunk: string[] = [];
  // The first piece may be smaller: it is the one the reader waits for.
  const limit = () => (chunks.length ? maxLines : firstLines);
  const closeHunk = () => {
    if (!start || !hunk.length) return;
    const olds = hunk.filter((l) => l[0] === ' ' || l[0] === '-').length;
    const news = hunk.filter((l) => l[0] === ' ' || l[0] === '+').length;
    body.push(`@@ -${olds ? start.old : Math.max(0, start.old - 1)},${olds} +${news ? start.new : Math.max(0, start.new - 1)},${news} @@${suffix}`, ...hunk);
    bodyLines += hunk.length;
    hunk = [];
    start = null;
  };
  const closeChunk = () => {
    closeHunk();
    if (body.length) chunks.push({ text: `${header}${body.join('\n')}\n`, lines: bodyLines });
    body = [];
    bodyLines = 0;
  };
  for (let i = firstHunk; i < lines.length; i++) {
    const line = lines[i]!;
    const m = HUNK.exec(line);
    if (m) {
      closeHunk();
      if (bodyLines >= limit()) closeChunk();
      oldLine = Number(m[1]);
      newLine = Number(m[3]);
      // A hunk of zero lines on one side names the line before it: start counting after.
      if (m[2] === '0') oldLine++;
      if (m[4] === '0') newLine++;
      suffix = m[5] ?? '';
      start = { old: oldLine, new: newLine };
      continue;
    }
    if (!start) start = { old: oldLine, new: newLine };
    hunk.push(line);
    if (line[0] === ' ' || line[0] === '-') oldLine++;
    if (line[0] === ' ' || line[0] === '+') newLine++;
    if (bodyLines + hunk.length >= limit() && line[0] !== '\\' && lines[i + 1]?.[0] !== '\\') {
      closeChunk();
      start = null;
    }
  }
  closeChunk();
  return { chunks, binary };
}

/** The language the highlighter should use, from a file's name (highlight.js names). */
export function languageOf(path: string): string {
  const ext = path.split('.').pop()?.toLowerCase() ?? '';
  const map: Record<string, string> = {
    ts: 'typescript', tsx: 'typescript', mts: 'typescript', cts: 'typescript', js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
    py: 'python', rb: 'ruby', go: 'go', rs: 'rust', java: 'java', kt: 'kotlin', swift: 'swift', c: 'c', h: 'c', cc: 'cpp', cpp: 'cpp', hpp: 'cpp', cs: 'csharp',
    json: 'json', md: 'markdown', css: 'css', scss: 'scss', html: 'xml', xml: 'xml', svg: 'xml', yml: 'yaml', yaml: 'yaml', toml: 'ini', ini: 'ini', sh: 'bash', bash: 'bash', sql: 'sql', php: 'php',
  };
  return map[ext] ?? 'plaintext';
}

interface PatchHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * An Edit, Write or MultiEdit tool call as a unified diff: the CLI's own patch once the tool ran (exact
 * line numbers), else what the call asks (each replacement as its old lines out and its new lines in,
 * a new file as all lines in). Null for any other tool.
 */
export function toolCallDiff(name: string, input: unknown, patch?: { filePath: string; hunks: PatchHunk[] } | null): { path: string; text: string } | null {
  if (!['Edit', 'Write', 'MultiEdit'].includes(name) || !input || typeof input !== 'object') return null;
  const i = input as Record<string, unknown>;
  const path = typeof i.file_path === 'string' ? i.file_path : (patch?.filePath ?? null);
  if (!path) return null;
  const head = `--- a${path.startsWith('/') ? '' : '/'}${path}\n+++ b${path.startsWith('/') ? '' : '/'}${path}\n`;
  if (patch?.hunks.length) {
    return { path, text: head + patch.hunks.map((h) => `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@\n${h.lines.join('\n')}\n`).join('') };
  }
  const replacement = (oldText: string, newText: string) => {
    const olds = oldText ? linesOf(oldText) : [];
    const news = newText ? linesOf(newText) : [];
    return `@@ -1,${olds.length} +1,${news.length} @@\n${[...olds.map((l) => `-${l}`), ...news.map((l) => `+${l}`)].join('\n')}\n`;
  };
  if (name === 'Write') return typeof i.content === 'string' ? { path, text: head + replacement('', i.content) } : null;
  if (name === 'Edit') return typeof i.old_string === 'string' && typeof i.new_string === 'string' ? { path, text: head + replacement(i.old_string, i.new_string) } : null;
  const edits = Array.isArray(i.edits) ? (i.edits as { old_string?: unknown; new_string?: unknown }[]) : [];
  const hunks = edits.filter((e) => typeof e.old_string === 'string' && typeof e.new_string === 'string').map((e) => replacement(e.old_string as string, e.new_string as string));
  return hunks.length ? { path, text: head + hunks.join('') } : null;
}

/** A review comment on lines of a file in a session's changes. */
export interface ReviewComment {
  id: string;
  path: string;
  /** Which side the lines are on: the new file (after) or the old one (before). */
  side: 'old' | 'new';
  from: number;
  to: number;
  text: string;
}

/** The review comments as the next message to Claude: each with its file and line(s), in file order. */
export function reviewMessage(comments: readonly ReviewComment[], turn: number | null): string {
  const sorted = [...comments].sort((a, b) => a.path.localeCompare(b.path) || a.from - b.from);
  const where = (c: ReviewComment) => `${c.path}, ${c.from === c.to ? `line ${c.from}` : `lines ${c.from}–${c.to}`}${c.side === 'old' ? ' (as it was before)' : ''}`;
  return [
    `Review comments on your changes${turn !== null ? ` in turn ${turn}` : ''}. Please address each one:`,
    '',
    ...sorted.map((c, n) => `${n + 1}. ${where(c)}: ${c.text.trim()}`),
  ].join('\n');
}
