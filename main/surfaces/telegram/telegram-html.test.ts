import { describe, expect, it } from 'vitest';
import { parseTelegramHtml } from '../../testing/telegram-html-check';
import { htmlToPlain, splitTelegramHtml, toTelegramHtml } from './telegram-html';

const visible = (html: string) => {
  const parsed = parseTelegramHtml(html);
  if (!parsed.ok) throw new Error(`${parsed.error} in ${html.slice(0, 300)}`);
  return parsed.text;
};

describe('Markdown as Telegram HTML', () => {
  it('escapes only <>& and keeps the formatting Telegram knows', () => {
    const html = toTelegramHtml('# Plan\n\n**bold** _it_ ~~gone~~ `a<b>&c` [site](https://example.com?a=1&b="2")\n\n- one\n- two <tag> & "quotes"');
    expect(html).toContain('<b>Plan</b>');
    expect(html).toContain('<b>bold</b> <i>it</i> <s>gone</s> <code>a&lt;b&gt;&amp;c</code>');
    expect(html).toContain('<a href="https://example.com?a=1&amp;b=&quot;2&quot;">site</a>');
    expect(html).toContain('• two &lt;tag&gt; &amp; "quotes"');
    expect(visible(html)).toContain('two <tag> & "quotes"');
  });

  it('keeps code blocks whole, with their language, and nested fences as code', () => {
    const md = '````md\nInside:\n```js\nconst a = 1 < 2 && 3 > 2;\n```\n````\n\nafter';
    const html = toTelegramHtml(md);
    expect(html).toContain('<pre><code class="language-md">Inside:\n```js\nconst a = 1 &lt; 2 &amp;&amp; 3 &gt; 2;\n```</code></pre>');
    expect(visible(html)).toContain('const a = 1 < 2 && 3 > 2;');
  });

  it('shows a table as aligned preformatted text', () => {
    const html = toTelegramHtml('| name | size |\n|---|---|\n| a.txt | 10 |\n| longer-name.md | 2000 |');
    expect(html).toBe('<pre>name           | size\n---------------+-----\na.txt          | 10\nlonger-name.md | 2000</pre>');
  });

  it('never leaves a stray tag from raw HTML or an unclosed fence', () => {
    expect(visible(toTelegramHtml('<script>alert(1)</script> and <b>not bold'))).toContain('<script>alert(1)</script>');
    expect(visible(toTelegramHtml('```\nunclosed code <x>'))).toBe('unclosed code <x>');
  });
});

describe('splitting for Telegram', () => {
  it('splits 10,000 characters of hard content into parts that each parse and fit, losing nothing', () => {
    const code = Array.from({ length: 150 }, (_, i) => `line ${i}: if (a < b && c > d) { return "<tag>"; }`).join('\n');
    const md = [
      'Intro with <angle> & ampersand.',
      '| col | value |\n|---|---|\n| x | 1 |',
      '```ts\n' + code + '\n```',
      Array.from({ length: 40 }, (_, i) => `Paragraph ${i} **bold ${i}** and \`code ${i}\` with a [link](https://example.com/${i}).`).join('\n\n'),
    ].join('\n\n');
    expect(md.length).toBeGreaterThan(10_000);
    const parts = splitTelegramHtml(toTelegramHtml(md));
    expect(parts.length).toBeGreaterThan(2);
    const texts = parts.map(visible);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    const whole = texts.join('\n');
    for (let i = 0; i < 150; i++) expect(whole).toContain(`line ${i}: if (a < b && c > d) { return "<tag>"; }`);
    for (let i = 0; i < 40; i++) expect(whole).toContain(`Paragraph ${i} bold ${i} and code ${i} with a link.`);
    // The code block crossed a cut: each part with code is a closed block of its own.
    expect(parts.filter((p) => p.includes('<pre><code class="language-ts">')).length).toBeGreaterThan(1);
  });

  it('cuts a line or a word longer than a message and keeps every character', () => {
    const long = 'x'.repeat(9000);
    const parts = splitTelegramHtml(toTelegramHtml(`**${long}**`));
    expect(parts.map(visible).join('')).toBe(long);
    expect(parts.every((p) => p.startsWith('<b>') && p.endsWith('</b>'))).toBe(true);
  });

  it('keeps a short message as one part, and reads a refused part as plain text', () => {
    expect(splitTelegramHtml('<b>hi</b> &amp; bye')).toEqual(['<b>hi</b> &amp; bye']);
    expect(htmlToPlain('<b>a &lt;b&gt;</b> &amp; "c"')).toBe('a <b> & "c"');
  });
});
