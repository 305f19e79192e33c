/**
 * Reads a message as Telegram's HTML parse mode does, strictly: only its tags, each closed in order,
 * only its entities; the visible text must fit 4096 characters. What Telegram answers a bad one with
 * ("can't parse entities") is the error here too.
 */
const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a', 'blockquote', 'tg-spoiler', 'span']);

export function parseTelegramHtml(html: string): { ok: true; text: string } | { ok: false; error: string } {
  const stack: string[] = [];
  let text = '';
  const pattern = /<(\/?)([a-zA-Z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>|&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);|[<>&]|[^<>&]+/gi;
  for (const match of html.matchAll(pattern)) {
    const [raw, slash, name] = match;
    if (name) {
      const tag = name.toLowerCase();
      if (!TAGS.has(tag)) return { ok: false, error: `Bad Request: can't parse entities: unsupported start tag "${tag}"` };
      if (slash) {
        if (stack.pop() !== tag) return { ok: false, error: `Bad Request: can't parse entities: unexpected end tag "${tag}"` };
      } else stack.push(tag);
    } else if (raw === '<' || raw === '>' || raw === '&') {
      return { ok: false, error: `Bad Request: can't parse entities: unescaped "${raw}"` };
    } else if (raw.startsWith('&')) {
      text += ({ '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"' } as Record<string, string>)[raw] ?? '?';
    } else text += raw;
  }
  if (stack.length) return { ok: false, error: `Bad Request: can't parse entities: can't find end tag corresponding to start tag "${stack.at(-1)}"` };
  if (!text.trim()) return { ok: false, error: 'Bad Request: message text is empty' };
  if (text.length > 4096) return { ok: false, error: 'Bad Request: message is too long' };
  return { ok: true, text };
}
