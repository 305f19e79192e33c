import type { Nodes, Parents } from 'mdast';
import { parseMarkdown, tableText } from '../chat/markdown';

/** Telegram parses only `<`, `>` and `&` as markup in HTML mode; everything else stays as typed. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const escapeAttribute = (text: string) => escapeHtml(text).replace(/"/g, '&quot;');

/**
 * Claude's Markdown as Telegram HTML (parse_mode HTML): the tags Telegram knows (b, i, s, code, pre, a,
 * blockquote), lists as bullets, headings bold, tables as preformatted text aligned in columns. Parsed
 * by mdast (CommonMark + GFM), so an unclosed fence or a stray `<` never breaks the message.
 */
export function toTelegramHtml(markdown: string): string {
  const tree = parseMarkdown(markdown);
  return blocks(tree.children as Nodes[], '').trim();
}

function blocks(nodes: Nodes[], indent: string): string {
  return nodes.map((node) => block(node, indent)).filter(Boolean).join('\n\n');
}

function block(node: Nodes, indent: string): string {
  switch (node.type) {
    case 'paragraph':
      return indent + inline(node);
    case 'heading':
      return `${indent}<b>${inline(node)}</b>`;
    case 'code': {
      const language = node.lang ? ` class="language-${escapeAttribute(node.lang.split(/\s/)[0]!)}"` : '';
      return `<pre><code${language}>${escapeHtml(node.value)}</code></pre>`;
    }
    case 'blockquote':
      return `<blockquote>${blocks(node.children as Nodes[], '').replace(/<\/?(pre|code)[^>]*>/g, '')}</blockquote>`;
    case 'list':
      return node.children
        .map((item, i) => {
          const mark = item.checked === true ? '☑' : item.checked === false ? '☐' : node.ordered ? `${(node.start ?? 1) + i}.` : '•';
          const body = blocks(item.children as Nodes[], `${indent}  `).trimStart();
          return `${indent}${mark} ${body}`;
        })
        .join('\n');
    case 'table':
      return `<pre>${escapeHtml(tableText(node))}</pre>`;
    case 'thematicBreak':
      return '———';
    case 'html':
      return indent + escapeHtml(node.value);
    case 'definition':
    case 'footnoteDefinition':
      return '';
    default:
      return 'children' in node ? indent + inline(node as Parents) : 'value' in node ? indent + escapeHtml(String(node.value)) : '';
  }
}

function inline(parent: Parents): string {
  return (parent.children as Nodes[]).map(phrase).join('');
}

function phrase(node: Nodes): string {
  switch (node.type) {
    case 'text':
      return escapeHtml(node.value);
    case 'strong':
      return `<b>${inline(node)}</b>`;
    case 'emphasis':
      return `<i>${inline(node)}</i>`;
    case 'delete':
      return `<s>${inline(node)}</s>`;
    case 'inlineCode':
      return `<code>${escapeHtml(node.value)}</code>`;
    case 'break':
      return '\n';
    case 'link':
      return /^(https?|tg|mailto):/i.test(node.url) ? `<a href="${escapeAttribute(node.url)}">${inline(node)}</a>` : inline(node);
    case 'image':
      return escapeHtml(node.alt || node.url);
    case 'html':
      return escapeHtml(node.value);
    case 'footnoteReference':
      return `[${escapeHtml(node.identifier)}]`;
    default:
      return 'children' in node ? inline(node as Parents) : 'value' in node ? escapeHtml(String(node.value)) : '';
  }
}

/** Tags and entities as Telegram reads them, for the splitter: a tag's name, or text. */
type Token = { kind: 'open'; name: string; raw: string } | { kind: 'close'; name: string; raw: string } | { kind: 'text'; raw: string };

function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /<(\/?)([a-z-]+)[^>]*>|&[a-z#0-9]+;|[^<&]+/gi;
  for (const match of html.matchAll(pattern)) {
    const raw = match[0];
    if (match[2]) tokens.push({ kind: match[1] ? 'close' : 'open', name: match[2].toLowerCase(), raw });
    else tokens.push({ kind: 'text', raw });
  }
  return tokens;
}

/** Where a part may end: after `offset` characters of token `token`, `at` characters into the part, with these tags open. */
interface Cut {
  token: number;
  offset: number;
  at: number;
  open: Tag[];
}
type Tag = { name: string; raw: string };

const closingOf = (open: Tag[]) => open.map((t) => `</${t.name}>`).reverse().join('');

/**
 * Splits Telegram HTML into messages of at most `limit` characters, never inside a tag or an entity:
 * at the last paragraph end in the second half of a message, else a line end, else a space, else where
 * the message is full. Tags open at a cut are closed there and opened again in the next part, so a
 * code block longer than a message becomes several closed ones.
 */
export function splitTelegramHtml(html: string, limit = 4096): string[] {
  const tokens = tokenize(html);
  const parts: string[] = [];
  let carry: Tag[] = [];
  let i = 0;
  while (i < tokens.length) {
    const open = [...carry];
    let part = carry.map((t) => t.raw).join('');
    const start = part.length;
    // The latest cut of each kind: a blank line, a line end, a space.
    const cuts: (Cut | null)[] = [null, null, null];
    let full: Cut | null = null;
    for (; i < tokens.length; i++) {
      const token = tokens[i]!;
      const room = limit - part.length - closingOf(open).length;
      if (token.kind === 'close') {
        part += token.raw;
        const at = open.map((t) => t.name).lastIndexOf(token.name);
        if (at >= 0) open.splice(at, 1);
        continue;
      }
      const needs = token.kind === 'open' ? token.raw.length + token.name.length + 3 : token.raw.length;
      const fits = token.kind === 'text' && !token.raw.startsWith('&') ? Math.min(room, token.raw.length) : needs <= room ? needs : 0;
      for (const [kind, mark] of ['\n\n', '\n', ' '].entries()) {
        const found = token.kind === 'text' ? token.raw.lastIndexOf(mark, fits - mark.length) : -1;
        if (found >= 0) cuts[kind] = { token: i, offset: found + mark.length, at: part.length + found + mark.length, open: [...open] };
      }
      if (fits < needs) {
        full = { token: i, offset: fits, at: part.length + fits, open: [...open] };
        part += token.raw.slice(0, fits);
        break;
      }
      part += token.raw;
      if (token.kind === 'open') open.push({ name: token.name, raw: token.raw });
    }
    if (!full) {
      parts.push(part + closingOf(open));
      break;
    }
    const cut = cuts.find((c) => c && c.at - start >= (limit - start) / 2) ?? full;
    if (cut.at <= start) throw new Error('a Telegram message cannot hold the tags open here');
    parts.push(part.slice(0, cut.at) + closingOf(cut.open));
    const rest = tokens[cut.token]!;
    tokens[cut.token] = { ...rest, raw: rest.raw.slice(cut.offset) } as Token;
    i = cut.offset >= rest.raw.length ? cut.token + 1 : cut.token;
    carry = cut.open;
  }
  return parts.filter((p) => htmlToPlain(p).trim());
}

/** The text a reader sees, for a part Telegram refused to parse: tags dropped, entities read. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
