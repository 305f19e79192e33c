import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Nodes, Root, Table } from 'mdast';

// Built once: each call of gfm() merges its five extensions again, and a reply is parsed on every edit.
const options = { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] };

/** Claude's Markdown as a tree (CommonMark + GFM), the one parser every chat dialect starts from. */
export function parseMarkdown(markdown: string): Root {
  return fromMarkdown(markdown, options);
}

/** A table as monospaced text: columns padded to their widest cell (no chat app draws Markdown tables). */
export function tableText(table: Table): string {
  const rows = table.children.map((row) => row.children.map((cell) => plainText(cell as Nodes)));
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ').trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)].join('\n');
}

export function plainText(node: Nodes): string {
  if ('value' in node) return String(node.value);
  return 'children' in node ? (node.children as Nodes[]).map(plainText).join('') : '';
}
