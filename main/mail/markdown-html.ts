import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Only links a mail reader may follow: web and mail addresses; anything else (javascript:) becomes plain text. */
const safeUrl = (url: string) => (/^(https?:|mailto:)/i.test(url) ? url : null);

function children(node: Nodes): string {
  return 'children' in node ? (node.children as Nodes[]).map(html).join('') : '';
}

function html(node: Nodes): string {
  switch (node.type) {
    case 'root':
      return children(node);
    case 'paragraph':
      return `<p>${children(node)}</p>\n`;
    case 'heading':
      return `<h${node.depth}>${children(node)}</h${node.depth}>\n`;
    case 'text':
      return escape(node.value);
    case 'emphasis':
      return `<em>${children(node)}</em>`;
    case 'strong':
      return `<strong>${children(node)}</strong>`;
    case 'delete':
      return `<del>${children(node)}</del>`;
    case 'inlineCode':
      return `<code>${escape(node.value)}</code>`;
    case 'code':
      return `<pre><code>${escape(node.value)}</code></pre>\n`;
    case 'break':
      return '<br>';
    case 'thematicBreak':
      return '<hr>\n';
    case 'blockquote':
      return `<blockquote>${children(node)}</blockquote>\n`;
    case 'list':
      return node.ordered ? `<ol>${children(node)}</ol>\n` : `<ul>${children(node)}</ul>\n`;
    case 'listItem': {
      // A tight list's items hold paragraphs that would add blank lines in a mail reader.
      const inner = node.children.map((c) => (c.type === 'paragraph' && !node.spread ? children(c) : html(c))).join('');
      return `<li>${node.checked === true ? '☑ ' : node.checked === false ? '☐ ' : ''}${inner}</li>\n`;
    }
    case 'link': {
      const url = safeUrl(node.url);
      return url ? `<a href="${escape(url)}">${children(node)}</a>` : children(node);
    }
    case 'image':
      return escape(node.alt ?? '');
    case 'table': {
      const [head, ...body] = node.children;
      const row = (r: typeof head, cell: 'th' | 'td') => `<tr>${(r?.children ?? []).map((c) => `<${cell}>${children(c)}</${cell}>`).join('')}</tr>`;
      return `<table border="1" cellpadding="4" cellspacing="0"><thead>${row(head, 'th')}</thead><tbody>${body.map((r) => row(r, 'td')).join('')}</tbody></table>\n`;
    }
    case 'html':
      // Raw HTML from Claude's text is shown, never interpreted.
      return escape(node.value);
    default:
      return children(node);
  }
}

/**
 * Claude's Markdown (CommonMark + GFM) as the HTML part of a mail: the same parser the chats use, every
 * text escaped, raw HTML shown as text, only http(s) and mailto links.
 */
export function markdownToHtml(markdown: string): string {
  const tree: Root = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  return html(tree);
}
