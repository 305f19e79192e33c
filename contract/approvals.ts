import * as z from 'zod';
import { REVIEW_APPROVAL_TOOL } from './changes';
import { event, method } from './define';

export type ApprovalStatus = 'pending' | 'allowed' | 'denied' | 'expired';
export type ApprovalDecision = 'once' | 'session' | 'always' | 'deny' | 'rule' | 'timeout' | 'cancelled';

export interface Approval {
  id: string;
  sessionId: string | null;
  sessionTitle: string | null;
  turnId: string | null;
  /** Who asked: one of our sessions now; hooks from terminal sessions later. */
  source: string;
  toolName: string;
  input: Record<string, unknown>;
  /** Rules the CLI suggests for "always", in its pattern form. */
  suggestions: string[];
  description: string | null;
  status: ApprovalStatus;
  decision: ApprovalDecision | null;
  rule: string | null;
  message: string | null;
  answeredBy: string | null;
  answeredVia: string | null;
  createdAt: number;
  expiresAt: number;
  answeredAt: number | null;
}

/** What a tool call is about, in one line: its command, file, address or pattern; null when it has none of them. */
export function toolCallDetail(input: Record<string, unknown>): string | null {
  const value = [input.command, input.file_path, input.url, input.pattern].find((v) => typeof v === 'string');
  return typeof value === 'string' ? value : null;
}

/** Tools whose bare name would allow every command they run or every file they write: a rule for them names what. */
export const NARROW_ONLY_TOOLS = ['Bash', 'PowerShell', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit'] as const;

const FILE_RULE_TOOLS = ['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Read', 'Glob', 'Grep'];

function narrowOnly(toolName: string): boolean {
  return (NARROW_ONLY_TOOLS as readonly string[]).includes(toolName);
}

/** The rule naming exactly this call (`Bash(touch a.txt)`, `Write(/repo/a.txt)`, `WebFetch(domain:x.org)`); null when it names nothing. */
export function narrowRule(toolName: string, input: Record<string, unknown>): string | null {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  if (toolName === 'Bash' || toolName === 'PowerShell') {
    const command = text(input.command);
    return command ? `${toolName}(${command})` : null;
  }
  if (FILE_RULE_TOOLS.includes(toolName)) {
    const file = text(input.file_path) ?? text(input.notebook_path) ?? text(input.path);
    if (file) return `${toolName}(${file})`;
  }
  if (toolName === 'WebFetch' && typeof input.url === 'string') {
    try {
      return `WebFetch(domain:${new URL(input.url).hostname})`;
    } catch {
      // Not a URL: no domain to name.
    }
  }
  return narrowOnly(toolName) ? null : toolName;
}

/**
 * The rule "Always allow" saves unless the person writes another: the CLI's own first suggestion, else the
 * rule naming exactly this call. Never a bare `Bash` or `Write`: one click would allow every command in every
 * session from then on. Null when nothing narrow can be named (the person must write the rule).
 */
export function defaultRuleFor(toolName: string, suggestions: readonly string[], input: Record<string, unknown>): string | null {
  const suggested = suggestions.find((rule) => !(narrowOnly(rule) && /^[A-Za-z0-9_-]+$/.test(rule)));
  return suggested ?? narrowRule(toolName, input);
}

/**
 * The broker question for a job that runs code, made or changed in what it runs outside the owner's window
 * (MCP, a chat, a Claude session): its `toolName`. Allow makes it an ordinary job; Deny, or no answer, deletes it.
 */
export const JOB_APPROVAL_TOOL = 'SwitchboardJob';

/** What a job approval shows the owner (its `input`): what the job runs, where, when, and who asked. */
export interface JobApprovalInput {
  jobId: string;
  name: string;
  kind: 'shell' | 'claude';
  /** The shell command, or Claude's prompt. */
  command: string;
  cwd: string | null;
  cron: string;
  timeZone: string;
  permissionPolicy: string;
  /** The names of the environment variables it sets (their values may be secrets). */
  envNames: string[];
  /** Who made or changed it, in words. */
  requestedBy: string;
  change: 'created' | 'changed';
  /** What else it does or tells its Claude, one line each: where its result goes, the jobs it starts, its system prompt and values. */
  also?: string[];
}

/** Tools that ask the user something rather than for permission: never settled by a rule, always by a person. */
export const QUESTION_TOOLS = ['AskUserQuestion', 'ExitPlanMode', JOB_APPROVAL_TOOL, REVIEW_APPROVAL_TOOL] as const;

/** What Claude's AskUserQuestion tool asks: questions, each with options (the user may also type their own). */
export interface ClaudeQuestion {
  question: string;
  header?: string;
  multiSelect?: boolean;
  options: { label: string; description?: string }[];
}

export interface ApprovalRule {
  id: number;
  rule: string;
  createdAt: number;
}

/** A rule in the CLI's own form: `Bash`, `Bash(git *)`, `Edit(src/**)`, `mcp__server__tool`. */
export const ruleSchema = z
  .string()
  .trim()
  .max(1000)
  .regex(/^[A-Za-z0-9_-]+(\(.+\))?$/s, 'must look like Tool or Tool(pattern), e.g. Bash(git *)');

/**
 * How a question asked through `approvals.ask` stands when `approvals.wait` returns: still open (the wait
 * ended first), allowed (with the tool's input as answered: Claude's own questions carry the answers),
 * denied (with the person's words), or ended with no answer (its time passed, or the asker withdrew it).
 */
export type AskedAnswer =
  | { status: 'pending' }
  | { status: 'allowed'; input: Record<string, unknown> }
  | { status: 'denied'; message: string }
  | { status: 'expired'; message: string };

/** Whether a question came from Claude Code outside the app, through its hooks (source `hook:<Claude session id>`). */
export function fromTerminal(approval: Pick<Approval, 'source'>): boolean {
  return approval.source === 'hook' || approval.source.startsWith('hook:');
}

const approvalId = z.string().min(1).max(100);

export const approvalsMethods = {
  'approvals.list': method<Approval[]>()(
    z.object({ status: z.enum(['pending', 'all']).default('pending'), limit: z.number().int().min(1).max(1000).default(200) }).strict(),
    'Pending questions (or the recent log), newest first.',
  ),
  'approvals.get': method<Approval>()(z.object({ id: z.string().min(1).max(100) }).strict(), 'One question by id, answered or not, however old.'),
  'approvals.answer': method<Approval>()(
    z
      .object({
        id: z.string().min(1).max(100),
        decision: z.enum(['once', 'session', 'always', 'deny']),
        message: z.string().max(2000).optional(),
        rule: ruleSchema.optional(),
        /** Claude's own questions (AskUserQuestion): the chosen option (or typed text) per question. */
        answers: z.record(z.string().max(2000), z.string().trim().min(1, 'choose or type an answer').max(2000)).optional(),
      })
      .strict(),
    'Allow once, for this session, always (saving a rule), or deny with a message; a question Claude asks is answered with `answers`.',
  ),
  'approvals.ask': method<Approval>()(
    z
      .object({
        toolName: z.string().trim().min(1).max(300),
        input: z.record(z.string(), z.unknown()),
        /** Rules the CLI suggests for "always", in its pattern form. */
        suggestions: z.array(z.string().max(1000)).max(50).default([]),
        description: z.string().max(2000).nullable().default(null),
      })
      .strict(),
    "Put a tool call's permission question to the owner (every window and chat, first answer wins), as the caller; answered at once when a saved rule allows it. For Claude Code's hooks (and the owner's scripts): follow it with approvals.wait, and approvals.withdraw once nobody needs the answer.",
  ),
  'approvals.wait': method<AskedAnswer>()(
    z.object({ id: approvalId, timeoutMs: z.number().int().min(0).max(24 * 3600_000).default(30_000) }).strict(),
    'Wait for the answer to a question this caller asked: allowed (with the input as answered), denied, expired, or still pending when the wait ends.',
  ),
  'approvals.withdraw': method<{ withdrawn: boolean }>()(
    z.object({ id: approvalId, reason: z.string().trim().min(1).max(500) }).strict(),
    'Take back a question this caller asked that nobody needs answered any more (answered in the terminal); every card says why.',
  ),
  'approvals.rules': method<ApprovalRule[]>()(z.object({}).strict(), 'The saved "always" rules.'),
  'approvals.removeRule': method<{ removed: boolean }>()(z.object({ id: z.number().int() }).strict(), 'Remove an "always" rule.'),
};

export const approvalsEvents = {
  'approvals.changed': event<Approval>('A question was asked, answered or expired.'),
  'approvals.rulesChanged': event<ApprovalRule[]>('The "always" rules changed.'),
};
