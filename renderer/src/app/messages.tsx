import { memo, useRef, useState, type ComponentProps, type ReactNode } from 'react';
import Markdown from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkBreaks from 'remark-breaks';
import remarkGfm from 'remark-gfm';
import { MARK_END, MARK_START, type Denial, type Message, type Turn } from '../../../contract';
import { SmallDiff } from '../features/changes/lazy-diff';
import { toolCallDiff } from '../features/changes/diff-model';
import { SURFACE_LABELS, surfaceLabel } from './surfaces';

/** Puts text on the clipboard; on a plain-http LAN address (no Clipboard API) through a selection. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const done = document.execCommand('copy');
    area.remove();
    return done;
  }
}

/** A code block with a Copy button. */
function CodeBlock(props: ComponentProps<'pre'>) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const { node: _node, ...rest } = props as ComponentProps<'pre'> & { node?: unknown };
  return (
    <div className="code-block">
      <button
        type="button"
        className="copy-code"
        aria-label="Copy code"
        onClick={() =>
          void copyText(pre.current?.innerText ?? '').then((ok) => {
            setCopied(ok ? 'yes' : 'no');
            setTimeout(() => setCopied(null), 1500);
          })
        }
      >
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Copy failed' : 'Copy'}
      </button>
      <pre ref={pre} {...rest} />
    </div>
  );
}

/** A link in Claude's text opens beside the app (a new tab; the system browser in the desktop app), never in its place. In-app addresses stay in the app. */
function ExternalLink(props: ComponentProps<'a'>) {
  const { node: _node, href, ...rest } = props as ComponentProps<'a'> & { node?: unknown };
  if (href?.startsWith('#/')) return <a href={href} {...rest} />;
  return <a href={href} target="_blank" rel="noopener noreferrer" {...rest} />;
}

const MARKDOWN_COMPONENTS = { pre: CodeBlock, a: ExternalLink };
/** GitHub flavour, and a single line break kept as Claude wrote it (as the CLI's own terminal shows it). */
const REMARK_PLUGINS = [remarkGfm, remarkBreaks];

/** Markdown as Claude writes it: GitHub flavour, code highlighted (our palette, readable in both themes), no raw HTML. */
export const MarkdownText = memo(function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={[[rehypeHighlight, { detect: false, ignoreMissing: true }]]} components={MARKDOWN_COMPONENTS}>
        {text}
      </Markdown>
    </div>
  );
});

/** A search snippet with its matches marked; the marks are plain characters, never HTML. */
export function Marked({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  let rest = text;
  let key = 0;
  while (rest) {
    const start = rest.indexOf(MARK_START);
    if (start < 0) {
      parts.push(rest);
      break;
    }
    const end = rest.indexOf(MARK_END, start);
    parts.push(rest.slice(0, start));
    parts.push(<mark key={key++}>{rest.slice(start + 1, end < 0 ? undefined : end)}</mark>);
    rest = end < 0 ? '' : rest.slice(end + 1);
  }
  return <>{parts}</>;
}

function toolSummary(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const i = input as Record<string, unknown>;
  const value = [i.command, i.file_path, i.pattern, i.url, i.description].find((v) => typeof v === 'string');
  return typeof value === 'string' ? value : '';
}

/** What happened to a call that did not run, and who did it. */
export function denialText(denial: Denial | null): string {
  if (!denial) return 'denied';
  const where = denial.via && denial.via !== 'desktop' && denial.via !== 'browser' ? ` on ${surfaceLabel(denial.via)}` : '';
  switch (denial.reason) {
    case 'timeout':
      return 'not run: no answer in time';
    case 'cancelled':
      return 'not run: the turn ended first';
    case 'plan':
      return `sent back to planning by you${where}`;
    case 'user':
      return `denied by you${where}`;
  }
}

export const ToolCall = memo(function ToolCall({ use, result }: { use: Message; result: Message | undefined }) {
  const data = use.data as { name: string; input: unknown };
  const outcome = result?.data as { isError?: boolean; denied?: boolean; denial?: Denial | null } | undefined;
  const state = !result ? 'waiting' : outcome?.denied ? 'denied' : outcome?.isError ? 'error' : 'done';
  // An edit shows as the diff it made (the CLI's own patch) or would make, not as JSON.
  const edit = toolCallDiff(data.name, data.input, (result?.data as { patch?: Parameters<typeof toolCallDiff>[2] } | undefined)?.patch);
  return (
    <details className={`tool-call tool-${state}`} data-testid="tool-call" open={edit !== null && state === 'done' ? true : undefined}>
      <summary>
        <span className="tool-name">{data.name}</span> <code>{toolSummary(data.input)}</code>
        <span className="muted"> — {state === 'denied' ? denialText(outcome?.denial ?? null) : state}</span>
      </summary>
      {edit ? <SmallDiff path={edit.path} text={edit.text} /> : <pre className="tool-input">{JSON.stringify(data.input, null, 2)}</pre>}
      {result && !(edit && state === 'done') ? <pre className="tool-result">{result.text || '(no output)'}</pre> : null}
    </details>
  );
});

/** Tool results by the id of the call they answer, so a call folds its result in. */
export function resultsByToolUse(messages: readonly Message[]): Map<string, Message> {
  const results = new Map<string, Message>();
  for (const m of messages) if (m.kind === 'tool_result') results.set((m.data as { toolUseId: string }).toolUseId, m);
  return results;
}

/** One stored message, whatever its kind. Tool results render inside their call. */
export const MessageView = memo(function MessageView({ message, results }: { message: Message; results: Map<string, Message>; turn?: Turn | undefined }) {
  switch (message.kind) {
    case 'text':
      if (message.role === 'user') {
        return (
          <div className="msg msg-user" data-testid="user-message">
            <div className="msg-meta muted">{message.surface ? SURFACE_LABELS[message.surface] : 'you'}</div>
            <div className="msg-body">{message.text}</div>
          </div>
        );
      }
      return (
        <div className="msg msg-assistant" data-testid="assistant-message">
          <MarkdownText text={message.text} />
        </div>
      );
    case 'thinking':
      return (
        <details className="thinking">
          <summary className="muted">Thinking</summary>
          <p>{message.text}</p>
        </details>
      );
    case 'tool_use':
      return <ToolCall use={message} result={results.get((message.data as { id: string }).id)} />;
    case 'tool_result':
      return null;
    case 'notice':
      return <div className="msg-notice">{message.text}</div>;
    case 'error':
      return (
        <div className="msg-error" role="alert">
          {message.text}
        </div>
      );
    default:
      return (
        <details className="msg-unknown">
          <summary className="muted">Output Switchboard does not recognise</summary>
          <pre>{message.text || JSON.stringify(message.data, null, 2)}</pre>
        </details>
      );
  }
});
