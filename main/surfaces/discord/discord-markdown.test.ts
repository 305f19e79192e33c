import { describe, expect, it } from 'vitest';
import { splitDiscordMarkdown, toDiscordMarkdown } from './discord-markdown';

/** Whether a message renders on its own: every fence it opens, it closes. */
function balanced(part: string): boolean {
  return part.split('\n').filter((l) => /^ {0,3}(`{3,}|~{3,})/.test(l)).length % 2 === 0;
}

describe('Discord markdown', () => {
  it('keeps what Discord draws and rewrites tables, deep headings and images', () => {
    const md = '## Plan\n\n**bold** and `a<b>&c`\n\n| a | bb |\n|---|---|\n| 1 | 2 |\n\n#### Small\n\n![chart](http://x/c.png)\n\n```ts\n| not | a | table |\n```';
    const out = toDiscordMarkdown(md);
    expect(out).toContain('## Plan');
    expect(out).toContain('**bold** and `a<b>&c`');
    expect(out).toContain('```\na | bb\n--+---\n1 | 2\n```');
    expect(out).toContain('### Small');
    expect(out).toContain('[chart](http://x/c.png)');
    expect(out).toContain('```ts\n| not | a | table |\n```');
  });

  it('splits 6,000 characters with code blocks into parts of at most 2,000 that each close their code blocks', () => {
    const code = Array.from({ length: 60 }, (_, i) => `const line${i} = ${'x'.repeat(30)};`).join('\n');
    const md = `Intro paragraph.\n\n\`\`\`ts\n${code}\n\`\`\`\n\n${'word '.repeat(500)}\n\n\`\`\`python\n${code}\n\`\`\``;
    expect(md.length).toBeGreaterThan(6000);
    const parts = splitDiscordMarkdown(toDiscordMarkdown(md));
    expect(parts.length).toBeGreaterThanOrEqual(4);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(2000);
      expect(balanced(part)).toBe(true);
    }
    // A code block cut in two opens again with its language.
    expect(parts.filter((p) => p.includes('```ts\n')).length).toBeGreaterThanOrEqual(2);
    // Nothing lost: the parts hold every line of code.
    const joined = parts.join('\n');
    for (let i = 0; i < 60; i++) expect(joined).toContain(`const line${i} =`);
    expect((joined.match(/word/g) ?? []).length).toBe(500);
  });

  it('cuts a line longer than a message at a space, and one without spaces anywhere', () => {
    const parts = splitDiscordMarkdown(`${'a'.repeat(4500)}\n${'b '.repeat(1500)}`);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2000);
    expect(parts.join('').replace(/\s/g, '')).toBe('a'.repeat(4500) + 'b'.repeat(1500));
  });
});
