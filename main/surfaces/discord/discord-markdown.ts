import type { Nodes } from 'mdast';
import { parseMarkdown, plainText, tableText } from '../chat/markdown';

/** Discord's limit for one message's content. */
export const DISCORD_LIMIT = 2000;

/**
 * Claude's Markdown in Discord's dialect. Discord draws most of CommonMark itself (bold, code, fences,
 * quotes, lists, headings up to ###, masked links), so the text is kept as written and only what Discord
 * cannot show is rewritten: tables become aligned text in a code block, deeper headings become ###,
 * images become links and rules a line. Found by mdast positions, so code is never touched.
 */
export function toDiscordMarkdown(markdown: string): string {
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: Nodes) => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return;
    if (node.type === 'table') return void edits.push({ start, end, text: `\`\`\`\n${tableText(node)}\n\`\`\`` });
    if (node.type === 'heading' && node.depth > 3) return void edits.push({ start, end, text: `### ${plainText(node)}` });
    if (node.type === 'thematicBreak') return void edits.push({ start, end, text: '───' });
    if (node.type === 'image') return void edits.push({ start, end, text: `[${node.alt || 'image'}](${node.url})` });
    if (node.type === 'code' || node.type === 'inlineCode') return;
    if ('children' in node) for (const child of node.children as Nodes[]) visit(child);
  };
  visit(parseMarkdown(markdown));
  let out = markdown;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out.trim();
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * Splits Discord Markdown into messages of at most `limit` characters, at line ends. A code block that
 * does not fit is closed at the end of one message and opened again (same language) in the next, so
 * every message renders on its own; a line longer than a message is cut at a space where there is one.
 */
export function splitDiscordMarkdown(text: string, limit = DISCORD_LIMIT): string[] {
  const parts: string[] = [];
  let current = '';
  let fence: { open: string; marker: string } | null = null;
  const closing = () => (fence ? `\n${fence.marker}` : '');
  const flush = () => {
    if (current.trim() && current !== fence?.open) parts.push(current + closing());
    current = fence ? fence.open : '';
  };
  for (let line of text.split('\n')) {
    const fits = (body: string) => (current ? current.length + 1 : 0) + body.length + closing().length <= limit;
    if (!fits(line)) flush();
    // Still too long for a message of its own: cut it, preferring a space.
    while (!fits(line)) {
      const room = limit - (current ? current.length + 1 : 0) - closing().length;
      const space = line.lastIndexOf(' ', room);
      const cut = space > room / 2 ? space : room;
      current = current ? `${current}\n${line.slice(0, cut)}` : line.slice(0, cut);
      line = line.slice(cut).trimStart();
      flush();
    }
    current = current ? `${current}\n${line}` : line;
    const match = FENCE.exec(line);
    if (match && !fence) fence = { open: line.trim(), marker: match[1]! };
    else if (match && fence && match[1]!.startsWith(fence.marker[0]!) && match[1]!.length >= fence.marker.length && !match[2]!.trim()) fence = null;
  }
  if (current.trim() && current !== fence?.open) parts.push(current + closing());
  return parts;
}
