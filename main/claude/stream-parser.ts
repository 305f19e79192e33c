import type { AssistantBlock, ClaudeEvent, FilePatch, PermissionQuestion, TurnResult, Usage } from './events';

/** Longest line we buffer (a huge tool result can be megabytes); past it the line is cut and reported. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/**
 * Splits a byte stream into lines, however the chunks fall (a chunk may end mid-line or
 * mid-character). Feed it chunks; it calls back with whole lines.
 */
export class LineSplitter {
  private pending = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Uint8Array | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim()) this.onLine(line);
    }
    if (this.pending.length > MAX_LINE_BYTES) {
      this.onLine(this.pending);
      this.pending = '';
    }
  }

  /** The unterminated rest, when the stream ends. */
  end(): void {
    this.pending += this.decoder.decode();
    if (this.pending.trim()) this.onLine(this.pending);
    this.pending = '';
  }
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function usage(v: unknown): Usage {
  const u = isObject(v) ? v : {};
  return {
    inputTokens: num(u.input_tokens),
    outputTokens: num(u.output_tokens),
    cacheReadTokens: num(u.cache_read_input_tokens),
    cacheCreationTokens: num(u.cache_creation_input_tokens),
  };
}

/** Tool results come as a string or as content blocks; we keep their text. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
  return content
    .map((b) => (isObject(b) ? (str(b.text) ?? (b.type === 'image' ? '[image]' : JSON.stringify(b))) : String(b)))
    .join('\n');
}

function block(v: unknown): AssistantBlock | null {
  if (!isObject(v)) return null;
  if (v.type === 'text') return { type: 'text', text: str(v.text) ?? '' };
  if (v.type === 'thinking') return { type: 'thinking', thinking: str(v.thinking) ?? '' };
  if (v.type === 'tool_use') return { type: 'tool_use', id: str(v.id) ?? '', name: str(v.name) ?? '', input: v.input ?? {} };
  return null;
}

/**
 * The CLI's `permission_suggestions` (`[{type: "addRules", rules: [{toolName, ruleContent}]}, {type: "setMode"…}]`,
 * the same shape in a stream-json question and a PermissionRequest hook's input) as rules in its pattern
 * form (`Bash(touch one.txt)`); suggestions that are not rules (a mode) are left out.
 */
export function ruleSuggestions(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((s) =>
    isObject(s) && Array.isArray(s.rules)
      ? s.rules.filter(isObject).map((r) => (str(r.ruleContent) ? `${str(r.toolName)}(${str(r.ruleContent)})` : (str(r.toolName) ?? '')))
      : [],
  ).filter(Boolean);
}

function result(o: Json): TurnResult {
  return {
    isError: o.is_error === true,
    subtype: str(o.subtype) ?? '',
    text: str(o.result),
    sessionId: str(o.session_id) ?? '',
    totalCostUsd: num(o.total_cost_usd),
    usage: usage(o.usage),
    durationMs: num(o.duration_ms),
    numTurns: num(o.num_turns),
    denials: Array.isArray(o.permission_denials)
      ? o.permission_denials.filter(isObject).map((d) => ({ toolName: str(d.tool_name) ?? '', toolUseId: str(d.tool_use_id) }))
      : [],
    errors: Array.isArray(o.errors) ? o.errors.map(String) : [],
    terminalReason: str(o.terminal_reason),
    apiErrorStatus: typeof o.api_error_status === 'number' ? o.api_error_status : null,
  };
}

/** Turns one stream-json line into zero or more events. Never throws. */
export function parseLine(line: string): ClaudeEvent[] {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (error) {
    return [{ type: 'malformed', line: line.slice(0, 2000), error: (error as Error).message }];
  }
  if (!isObject(o)) return [{ type: 'unknown', raw: o }];
  const parent = str(o.parent_tool_use_id);
  switch (o.type) {
    case 'system':
      if (o.subtype === 'init') {
        return [
          {
            type: 'init',
            sessionId: str(o.session_id) ?? '',
            model: str(o.model) ?? '',
            cwd: str(o.cwd) ?? '',
            permissionMode: str(o.permissionMode) ?? '',
            version: str(o.claude_code_version) ?? '',
            tools: Array.isArray(o.tools) ? o.tools.map(String) : [],
          },
        ];
      }
      if (o.subtype === 'status') return [{ type: 'status', status: str(o.status) ?? '' }];
      if (o.subtype === 'compact_boundary') {
        const meta = isObject(o.compact_metadata) ? o.compact_metadata : {};
        return [{ type: 'compact', trigger: str(meta.trigger), preTokens: typeof meta.pre_tokens === 'number' ? meta.pre_tokens : null }];
      }
      if (o.subtype === 'api_retry') {
        return [{ type: 'api_retry', attempt: num(o.attempt), maxRetries: num(o.max_retries), retryDelayMs: num(o.retry_delay_ms), error: str(o.error), status: typeof o.error_status === 'number' ? o.error_status : null }];
      }
      return [{ type: 'unknown', raw: o }];
    case 'stream_event': {
      const event = isObject(o.event) ? o.event : {};
      const delta = isObject(event.delta) ? event.delta : {};
      if (event.type !== 'content_block_delta') return [];
      if (delta.type === 'text_delta') return [{ type: 'text_delta', text: str(delta.text) ?? '', parentToolUseId: parent }];
      if (delta.type === 'thinking_delta') return [{ type: 'thinking_delta', text: str(delta.thinking) ?? '', parentToolUseId: parent }];
      return [];
    }
    case 'assistant': {
      const message = isObject(o.message) ? o.message : {};
      const content = Array.isArray(message.content) ? message.content : [];
      const error = str(o.error);
      const blocks = content.map(block).filter((b): b is AssistantBlock => b !== null);
      if (!blocks.length && error) return [{ type: 'assistant', block: { type: 'text', text: '' }, messageId: str(message.id), parentToolUseId: parent, error }];
      return blocks.map((b) => ({ type: 'assistant' as const, block: b, messageId: str(message.id), parentToolUseId: parent, error }));
    }
    case 'user': {
      const message = isObject(o.message) ? o.message : {};
      const content = Array.isArray(message.content) ? message.content : [];
      const results = content.filter((b): b is Json => isObject(b) && b.type === 'tool_result');
      // The file change an edit made, when the line answers one call (the CLI's own patch, kept for the diff view).
      const patch = results.length === 1 ? filePatch(o.tool_use_result) : null;
      return results.map((b) => ({ type: 'tool_result' as const, toolUseId: str(b.tool_use_id) ?? '', content: contentText(b.content), isError: b.is_error === true, parentToolUseId: parent, ...(patch ? { patch } : {}) }));
    }
    case 'result':
      return [{ type: 'result', result: result(o) }];
    case 'rate_limit_event':
      return isObject(o.rate_limit_info) ? [{ type: 'rate_limit', info: o.rate_limit_info }] : [{ type: 'unknown', raw: o }];
    case 'control_request': {
      const request = isObject(o.request) ? o.request : {};
      const requestId = str(o.request_id) ?? '';
      if (request.subtype === 'can_use_tool') {
        const question: PermissionQuestion = {
          toolName: str(request.tool_name) ?? '',
          input: isObject(request.input) ? request.input : {},
          toolUseId: str(request.tool_use_id),
          suggestions: ruleSuggestions(request.permission_suggestions),
          description: str(request.description),
        };
        return [{ type: 'permission_request', requestId, question }];
      }
      return [{ type: 'control_request', requestId, subtype: str(request.subtype) ?? '', request }];
    }
    case 'control_response': {
      const response = isObject(o.response) ? o.response : {};
      return [
        {
          type: 'control_response',
          requestId: str(response.request_id) ?? '',
          ok: response.subtype === 'success',
          response: response.response ?? null,
          error: str(response.error),
        },
      ];
    }
    default:
      return [{ type: 'unknown', raw: o }];
  }
}

/** At most this many patch lines are kept with a message: a diff view of more reads the worktree's diff instead. */
const PATCH_LINES = 5000;

/** The CLI's `structuredPatch` of an Edit, Write or MultiEdit, checked and cut; null when the line has none. */
export function filePatch(value: unknown): FilePatch | null {
  if (!isObject(value) || !Array.isArray(value.structuredPatch)) return null;
  const filePath = str(value.filePath);
  if (!filePath) return null;
  let budget = PATCH_LINES;
  const hunks: FilePatch['hunks'] = [];
  for (const h of value.structuredPatch) {
    if (!isObject(h) || !Array.isArray(h.lines) || budget <= 0) continue;
    const lines = h.lines.filter((l): l is string => typeof l === 'string').slice(0, budget);
    budget -= lines.length;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    hunks.push({ oldStart: num(h.oldStart), oldLines: num(h.oldLines), newStart: num(h.newStart), newLines: num(h.newLines), lines });
  }
  return { filePath, hunks };
}
