import { describe, expect, it } from 'vitest';
import { chunkFileDiff, reviewMessage, toolCallDiff } from './diff-model';

const header = 'diff --git a/x.ts b/x.ts\nindex 1..2 100644\n--- a/x.ts\n+++ b/x.ts\n';

describe('chunkFileDiff', () => {
  it('keeps small diffs whole and cuts a long hunk into self-contained pieces with their own line numbers', () => {
    const small = `${header}@@ -1,2 +1,2 @@\n-a\n+b\n c\n`;
    expect(chunkFileDiff(small, 'x.ts').chunks).toEqual([{ text: '--- a/x.ts\n+++ b/x.ts\n@@ -1,2 +1,2 @@\n-a\n+b\n c\n', lines: 3 }]);
    const added = Array.from({ length: 10 }, (_, i) => `+line ${i + 1}`).join('\n');
    const big = `diff --git a/n.ts b/n.ts\nnew file mode 100644\n--- /dev/null\n+++ b/n.ts\n@@ -0,0 +1,10 @@\n${added}\n`;
    const { chunks } = chunkFileDiff(big, 'n.ts', 4);
    expect(chunks.map((c) => c.text.split('\n')[2])).toEqual(['@@ -0,0 +1,4 @@', '@@ -0,0 +5,4 @@', '@@ -0,0 +9,2 @@']);
    expect(chunks[1]!.text).toContain('+line 5\n');
    // A longer text (the next page arrived) starts with the same pieces.
    expect(chunkFileDiff(`${big}`.replace('+line 10\n', '+line 10\n+line 11\n'), 'n.ts', 4).chunks.slice(0, 2)).toEqual(chunks.slice(0, 2));
  });
  it('can make the first piece smaller (the one a click waits for), the rest as long as asked', () => {
    const added = Array.from({ length: 10 }, (_, i) => `+line ${i + 1}`).join('\n');
    const big = `diff --git a/n.ts b/n.ts\nnew file mode 100644\n--- /dev/null\n+++ b/n.ts\n@@ -0,0 +1,10 @@\n${added}\n`;
    const { chunks } = chunkFileDiff(big, 'n.ts', 4, 2);
    expect(chunks.map((c) => c.text.split('\n')[2])).toEqual(['@@ -0,0 +1,2 @@', '@@ -0,0 +3,4 @@', '@@ -0,0 +7,4 @@']);
  });
  it('says when git found a binary file', () => {
    expect(chunkFileDiff('diff --git a/p.png b/p.png\nBinary files a/p.png and b/p.png differ\n', 'p.png')).toEqual({ chunks: [], binary: true });
  });
});

describe('toolCallDiff', () => {
  it("shows the CLI's patch when there is one, else the call's own replacement", () => {
    const patch = { filePath: '/r/a.ts', hunks: [{ oldStart: 3, oldLines: 1, newStart: 3, newLines: 1, lines: ['-x', '+y'] }] };
    expect(toolCallDiff('Edit', { file_path: '/r/a.ts', old_string: 'x', new_string: 'y' }, patch)?.text).toBe('--- a/r/a.ts\n+++ b/r/a.ts\n@@ -3,1 +3,1 @@\n-x\n+y\n');
    expect(toolCallDiff('Edit', { file_path: '/r/a.ts', old_string: 'x\ny', new_string: 'z' })?.text).toContain('@@ -1,2 +1,1 @@\n-x\n-y\n+z\n');
    expect(toolCallDiff('Write', { file_path: '/r/n.ts', content: 'one\ntwo\n' })?.text).toContain('@@ -1,0 +1,2 @@\n+one\n+two\n');
    expect(toolCallDiff('MultiEdit', { file_path: '/r/a.ts', edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd' }] })?.text.match(/@@/g)).toHaveLength(4);
    expect(toolCallDiff('Bash', { command: 'ls' })).toBeNull();
  });
});

describe('reviewMessage', () => {
  it('names file and lines for each comment, in file order', () => {
    const text = reviewMessage(
      [
        { id: '2', path: 'src/b.ts', side: 'new', from: 10, to: 12, text: 'split this' },
        { id: '1', path: 'src/a.ts', side: 'old', from: 4, to: 4, text: 'why was this removed?' },
      ],
      3,
    );
    expect(text).toBe('Review comments on your changes in turn 3. Please address each one:\n\n1. src/a.ts, line 4 (as it was before): why was this removed?\n2. src/b.ts, lines 10–12: split this');
  });
});
