/** What a Claude CLI process says, as typed events (parsed from its stream-json output). */

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

export type AssistantBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

export interface PermissionQuestion {
  toolName: string;
  input: Record<string, unknown>;
  toolUseId: string | null;
  /** The CLI's own suggested rules, in its pattern form (e.g. `Bash(git status)`). */
  suggestions: string[];
  description: string | null;
}

export interface TurnResult {
  /** Judged by is_error, never by subtype: a failed login is subtype "success" with is_error true. */
  isError: boolean;
  subtype: string;
  text: string | null;
  sessionId: string;
  /** Cumulative for the process; per-turn cost is the difference from the previous result. */
  totalCostUsd: number;
  usage: Usage;
  durationMs: number;
  numTurns: number;
  denials: { toolName: string; toolUseId: string | null }[];
  errors: string[];
  terminalReason: string | null;
  /** The API's HTTP status when the turn ended on an API error (429: a rate or plan limit). */
  apiErrorStatus: number | null;
}

export type ClaudeEvent =
  | { type: 'init'; sessionId: string; model: string; cwd: string; permissionMode: string; version: string; tools: string[] }
  | { type: 'text_delta'; text: string; parentToolUseId: string | null }
  | { type: 'thinking_delta'; text: string; parentToolUseId: string | null }
  | { type: 'assistant'; block: AssistantBlock; messageId: string | null; parentToolUseId: string | null; error: string | null }
  | { type: 'tool_result'; toolUseId: string; content: string; isError: boolean; parentToolUseId: string | null; patch?: FilePatch | null }
  | { type: 'result'; result: TurnResult }
  | { type: 'status'; status: string }
  /** The CLI compacted the conversation (`compact_boundary`): automatically near the window's end, or on /compact. */
  | { type: 'compact'; trigger: string | null; preTokens: number | null }
  /** The plan's own figures (subscribers and gateways): utilisation 0..1 and reset time of each window. */
  | { type: 'rate_limit'; info: Record<string, unknown> }
  /** `status`: the HTTP status the API answered, null when it never answered (refused, timed out). */
  | { type: 'api_retry'; attempt: number; maxRetries: number; retryDelayMs: number; error: string | null; status: number | null }
  | { type: 'permission_request'; requestId: string; question: PermissionQuestion }
  | { type: 'control_request'; requestId: string; subtype: string; request: unknown }
  | { type: 'control_response'; requestId: string; ok: boolean; response: unknown; error: string | null }
  /** A line of a type we do not know: kept, so nothing the CLI says is silently lost. */
  | { type: 'unknown'; raw: unknown }
  /** A line that is not JSON at all (noise, a crash message): kept with what was wrong. */
  | { type: 'malformed'; line: string; error: string };

/** What an Edit, Write or MultiEdit did to a file, as the CLI reports it (`tool_use_result.structuredPatch`): shown as a diff. */
export interface FilePatch {
  filePath: string;
  hunks: { oldStart: number; oldLines: number; newStart: number; newLines: number; lines: string[] }[];
}
