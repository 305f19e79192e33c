import * as z from 'zod';
import { chatSurfaces } from './chat';
import { event, method } from './define';
import type { SessionWorktree } from './changes';
import { folderPath, withoutNul } from './fields';

export const permissionPolicies = ['ask', 'acceptEdits', 'plan', 'bypass'] as const;
export type PermissionPolicy = (typeof permissionPolicies)[number];

/** Where a message came from; every turn records it. */
/**
 * Every way into Switchboard, one closed set: the desktop window, a browser (or a script on the
 * HTTP API), scheduled jobs, the chat bots, MCP clients, Claude Code's hooks, and Claude Code
 * sessions from outside the app (a terminal or an IDE), imported from their transcripts.
 */
export const surfaces = ['desktop', 'browser', 'schedule', ...chatSurfaces, 'mcp', 'hook', 'external'] as const;
export type Surface = (typeof surfaces)[number];

export type SessionStatus = 'idle' | 'running' | 'queued' | 'stalled' | 'failed' | 'stopped';

export interface SessionSummary {
  id: string;
  title: string;
  surface: Surface;
  /** The surface's own name for the conversation: a chat id, `job:<id>` (or `job:<id>:<run>` for a fresh run). */
  surfaceKey: string;
  claudeSessionId: string;
  cwd: string;
  model: string | null;
  permissionPolicy: PermissionPolicy;
  systemPrompt: string | null;
  status: SessionStatus;
  /** Turns waiting behind the running one. */
  queueLength: number;
  costUsd: number;
  /** The live CLI process, if any. */
  pid: number | null;
  lastError: string | null;
  /** The session's own git worktree and branch, when it was started with one (its cwd is then the worktree). */
  worktree?: SessionWorktree | null;
  createdAt: number;
  updatedAt: number;
}

export type TurnStatus = 'queued' | 'running' | 'done' | 'failed' | 'stalled' | 'interrupted' | 'cancelled';

export interface Turn {
  id: string;
  sessionId: string;
  seq: number;
  surface: Surface;
  /** Who sent it on that surface (`desktop`, `browser:<address>`, `job:<id>`…); null before this was recorded. */
  actor: string | null;
  prompt: string;
  status: TurnStatus;
  /** 0 while running, 1.. while queued, null once ended. */
  position: number | null;
  resultText: string | null;
  error: string | null;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  durationMs: number | null;
  denials: string[];
  queuedAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export type MessageRole = 'user' | 'assistant' | 'tool' | 'system';
export type MessageKind = 'text' | 'thinking' | 'tool_use' | 'tool_result' | 'notice' | 'error' | 'unknown';

export interface Message {
  id: number;
  sessionId: string;
  turnId: string | null;
  role: MessageRole;
  kind: MessageKind;
  text: string;
  /** tool_use: {id, name, input}; tool_result: {toolUseId, isError}; unknown: the raw line. */
  data: unknown;
  surface: Surface | null;
  createdAt: number;
}

/** Live output of a session, in order. */
export type StreamItem =
  | { kind: 'text_delta'; text: string }
  | { kind: 'thinking_delta'; text: string }
  | { kind: 'message'; message: Message }
  | { kind: 'turn'; turn: Turn }
  /** A queued message taken back before it started. */
  | { kind: 'removed'; turnId: string };

/** A finished turn as a surface wants it (or the turn still running, when the wait timed out). */
export interface AskResult {
  sessionId: string;
  turn: Turn;
  /** Claude's final text, when the turn is done. */
  text: string | null;
  status: TurnStatus;
  costUsd: number | null;
  denials: string[];
  /** The wait ended before the turn did; the turn goes on (read it later with sessions.turn). */
  timedOut: boolean;
}

export interface Transcript {
  session: SessionSummary;
  turns: Turn[];
  messages: Message[];
  /** Text of the running turn streamed so far and not yet a message: a window opened mid-turn shows it all. */
  streaming: { turnId: string; text: string } | null;
}

const id = z.string().min(1).max(100);
/** A branch name as git takes it (checked again by `git check-ref-format`). */
const branchName = withoutNul(z.string().trim().min(1).max(250).regex(/^[^\s~^:?*[\\]+$/, 'must be a branch name, such as main'));
const text = z.string().trim().min(1, 'must not be empty').max(200_000);

export const sessionsMethods = {
  'sessions.list': method<SessionSummary[]>()(z.object({}).strict(), 'Every session, newest first.'),
  'sessions.get': method<SessionSummary>()(z.object({ id }).strict(), 'One session by id, without its transcript (a title, a folder, a status).'),
  'sessions.create': method<SessionSummary>()(
    z
      .object({
        title: z.string().trim().min(1).max(200).optional(),
        cwd: folderPath.nullable().optional(),
        model: withoutNul(z.string().trim().min(1).max(200)).nullable().optional(),
        permissionPolicy: z.enum(permissionPolicies).default('ask'),
        systemPrompt: withoutNul(z.string().max(50_000)).nullable().optional(),
        allowedTools: z.array(withoutNul(z.string().trim().min(1).max(500))).max(100).optional(),
        /** Run in a git worktree of its own (cwd must be in a repository), on branch switchboard/<short title>. */
        worktree: z.boolean().optional(),
        /** The branch the worktree starts from and merges into; the repository's current branch when not given. */
        baseBranch: branchName.optional(),
        /** The caller's own name for the conversation (a job's `job:<id>`), kept with the session for `sessions.ask` by key; its id when not given. */
        surfaceKey: z.string().min(1).max(200).optional(),
      })
      .strict()
      .refine((s) => !s.baseBranch || s.worktree, { message: 'a base branch is for a session in its own worktree: add worktree: true', path: ['baseBranch'] }),
    'A new session: its own folder unless one is chosen (with worktree, a git worktree of that repository on its own branch); bypass only by explicit choice; allowedTools are rules it may use without asking.',
  ),
  'sessions.update': method<SessionSummary>()(
    z
      .object({
        id,
        title: z.string().trim().min(1).max(200).optional(),
        model: withoutNul(z.string().trim().min(1).max(200)).nullable().optional(),
        permissionPolicy: z.enum(permissionPolicies).optional(),
        systemPrompt: withoutNul(z.string().max(50_000)).nullable().optional(),
      })
      .strict(),
    'Change title, model, policy or prompt; the policy applies to the running process at once.',
  ),
  'sessions.transcript': method<Transcript>()(
    z.object({ id, limit: z.number().int().min(1).max(10_000).default(2000) }).strict(),
    'The session, its turns and its latest messages.',
  ),
  'sessions.send': method<Turn>()(
    z.object({ id, text, interrupt: z.boolean().default(false) }).strict(),
    'Queue a message (stored at once) and return its turn; with interrupt, stop the running turn and send this next.',
  ),
  'sessions.ask': method<AskResult>()(
    z
      .object({
        id: id.optional(),
        /** Or the conversation by its surface's key (a chat id): found, or created when `create` is given. */
        key: z.string().min(1).max(200).optional(),
        create: z
          .object({
            title: z.string().trim().min(1).max(200).optional(),
            cwd: folderPath.nullable().optional(),
            model: withoutNul(z.string().trim().min(1).max(200)).nullable().optional(),
            permissionPolicy: z.enum(permissionPolicies).default('ask'),
            /** As in sessions.create: a git worktree of its own in the repository holding cwd. */
            worktree: z.boolean().optional(),
            baseBranch: branchName.optional(),
          })
          .strict()
          .refine((s) => !s.baseBranch || s.worktree, { message: 'a base branch is for a session in its own worktree: add worktree: true', path: ['baseBranch'] })
          .optional(),
        text,
        /** Up to a week: a scheduled job's own timeout may be that long. */
        timeoutMs: z.number().int().min(100).max(7 * 24 * 3600_000).default(600_000),
      })
      .strict()
      .refine((a) => (a.id === undefined) !== (a.key === undefined), { message: 'give the session: its id, or the key of its conversation', path: ['id'] }),
    "Send a message and wait for Claude's answer: the finished turn (text, status, cost, denials), or, past the timeout, the turn still running and timedOut.",
  ),
  'sessions.turn': method<Turn>()(z.object({ turnId: id }).strict(), 'One turn: status, position and result (a background task).'),
  'sessions.folders': method<string[]>()(z.object({}).strict(), 'Recent project folders, newest first: from sessions here and from Claude Code sessions imported from outside.'),
  'sessions.editQueued': method<Turn>()(z.object({ turnId: id, text }).strict(), 'Change a message still waiting in the queue.'),
  'sessions.removeQueued': method<{ removed: true }>()(z.object({ turnId: id }).strict(), 'Take back a message still waiting in the queue.'),
  'sessions.interrupt': method<{ interrupted: boolean }>()(z.object({ id }).strict(), 'Stop the running turn.'),
  'sessions.release': method<{ released: true }>()(
    z.object({ id }).strict(),
    "Stop the session's CLI process now if it is idle (a job's fresh run, never spoken to again); the next message starts it again.",
  ),
  'sessions.ofClaude': method<{ sessionId: string | null; runsHere: boolean }>()(
    z.object({ claudeSessionId: z.string().min(1).max(200) }).strict(),
    'The session here that follows a Claude Code session id (one Switchboard runs or ran, else one imported from outside), and whether Switchboard runs it itself.',
  ),
  'sessions.reset': method<SessionSummary>()(z.object({ id }).strict(), 'A new Claude session id; the old transcript stays in history.'),
  'sessions.delete': method<{ deleted: true }>()(
    z.object({ id, discardChanges: z.boolean().optional() }).strict(),
    'Stop the process and delete the session and its history (and its worktree: one with changes not merged only with discardChanges).',
  ),
};

export const sessionsEvents = {
  'sessions.changed': event<SessionSummary>('A session was created or its status, queue or cost changed.'),
  'sessions.removed': event<{ id: string }>('A session was deleted.'),
  'sessions.stream': event<{ sessionId: string; turnId: string | null; item: StreamItem }>('Live output of a session.'),
  'sessions.costs': event<SessionCosts>('Answers of a session were counted (they arrive from its transcript a moment after a turn ends): its cost and its turns\' figures now.'),
};

/** A turn's figures, from the answers counted to it in Usage: the cost and the tokens always come from the same answers. */
export interface TurnCost {
  turnId: string;
  costUsd: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
}

/** What a session's answers counted so far add up to, and the turns that changed. */
export interface SessionCosts {
  sessionId: string;
  costUsd: number;
  turns: TurnCost[];
}

/**
 * Why a tool call did not run, kept on its result so the transcript says what happened and who did
 * it: a person said no (`via` names where), nobody answered in time, a plan was sent back, or the
 * question ended with its turn.
 */
export interface Denial {
  reason: 'user' | 'timeout' | 'plan' | 'cancelled';
  via: string | null;
}
