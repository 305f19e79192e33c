import { withCounted, type CostReader } from './turn-costs';
import type { Denial, PermissionPolicy, SessionStatus, SessionSummary, SessionWorktree, Surface, Turn } from '../../contract';
import type { ApprovalBroker } from '../approvals/approval-broker';
import type { ClaudeProcess } from '../claude/claude-process';
import type { EventBus } from '../events';
import type { Notifier } from '../notifier';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';
import type { KeptWait } from './plan-limit';
import type { SessionRow, SessionStore } from './session-store';

// The shapes and constants the session manager's parts share (session-manager.ts, turn-runner.ts,
// turn-stream.ts, terminal-handoff.ts).

/** How long an interrupt may take before the process is killed. */
export const INTERRUPT_GRACE_MS = 5_000;
/** How often running turns are checked for a stall. */
export const WATCHDOG_TICK_MS = 250;
/** Streamed text reaches the database at most this often while a block is being written. */
export const PARTIAL_FLUSH_MS = 500;
/** A new session's title until its first message names it. */
export const NEW_TITLE = 'New session';
/** What the session is told when the plan's limit has reset: Claude goes on with the interrupted turn. */
export const CONTINUE_AFTER_LIMIT = 'Your usage limit has reset. Continue where you left off.';

/** The turn a session is running now: what its stream, stall watchdog and end need. */
export interface Current {
  turnId: string;
  prompt: string;
  startedAt: number;
  /** Streamed text not yet stored as a whole block: kept if the process dies mid-block. */
  partialText: string;
  interrupted: boolean;
  stalled: boolean;
  /** While Claude waits for a permission answer it is silent on purpose: no stall. */
  waitingApprovals: number;
  restartedFresh: boolean;
  /** The CLI compacted the conversation during this turn (said once). */
  compacted?: boolean;
  /** Pending write of `partialText` to the turn row, so a crash keeps what was streamed. */
  partialTimer: NodeJS.Timeout | null;
  /** Tool calls refused by an answer (or a timeout): their results are denials, not errors. */
  /** The turn's "retrying the API" note, updated with each attempt. */
  retryNote?: number;
  /** Calls that did not run, by tool use id, with why. */
  denied: Map<string, Denial>;
  /** The CLI said the API refused on a rate limit (its `rate_limit` error). */
  rateLimited?: boolean;
  /** Waiting for the plan's limit to reset (no process meanwhile): the turn carries on then. */
  limitUntil?: number | null;
}

/** A session's life in this run: its process, queue and current turn (the database holds the rest). */
export interface Runtime {
  sessionId: string;
  process: ClaudeProcess | null;
  /** The process's cumulative cost at its last result: a turn's cost is the difference. */
  processCost: number;
  queue: string[];
  current: Current | null;
  /** How the last turn ended when it went wrong, shown until the next message. */
  outcome: 'failed' | 'stalled' | null;
  lastError: string | null;
  lastActivity: number;
  idleTimer: NodeJS.Timeout | null;
  /** The session is open in a `claude` terminal: its CLI runs there, so nothing is sent from here. */
  inTerminal: boolean;
  /** The transcript's new lines are the TUI's (read in as they come), not the app's process's (stored already). */
  tuiWrites: boolean;
  /** That terminal's process, once it runs. */
  terminalPid: number | null;
  /** A stopped process still exiting: the next one waits for it (two processes on one session fork it). */
  exiting: Promise<unknown> | null;
  /** Its start changed (a new model the CLI would not take live): the next turn starts a new process, resuming. */
  restartBeforeNext?: boolean;
}

/** What the session manager is built with, by the composition root (core-services.ts). */
export interface SessionManagerDeps {
  storage: StorageService;
  events: EventBus;
  settings: SettingsService;
  approvals: ApprovalBroker;
  notifier: Notifier;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Free memory in MB; replaceable so tests can simulate a full machine. */
  freeMemoryMb?: () => number;
  /** Whether the CLI runs as root, where it refuses to bypass permissions. */
  isRoot?: boolean;
  /** Whether Claude Code outside the app is writing this session now (a terminal or IDE). */
  activeElsewhere?: (claudeSessionId: string) => boolean;
  /** Stores what the session's own TUI wrote, before the app takes the session back from it. */
  catchUpTranscript?: (claudeSessionId: string) => Promise<void>;
  /** Switchboard's MCP server, when it listens: every session gets it, so Claude can remember, schedule and notify. */
  mcpServer?: (sessionId: string) => { url: string; token: string } | null;
  /** Refuses a new turn past a budget (throws the reason in the user's words); a surface's turns count for its own cap. */
  gate?: (surface: Surface) => void;
  /** The plan's own figures, as a CLI reports them (rate_limit_event). */
  onRateLimit?: (info: Record<string, unknown>) => void;
  /** Whether a warm spare CLI is kept for the next new session (the app: yes; tests ask for it). */
  warmSpare?: boolean;
  /** Turns that fail on the plan's limit wait for its reset (plan-limit.ts): until when, or null to fail as before. */
  limitWait?: { wait(sessionId: string, errorText: string, turnId: string): number | null; forget(sessionId: string): void; restore(keep: (wait: KeptWait) => boolean): KeptWait[] };
  /** The session's own git worktree, for its summary (main/worktrees/, wired by the root). */
  worktreeOf?: (id: string) => SessionWorktree | null;
  /** The one store of the sessions' and turns' tables, built by the root (the importer and hooks use it too). */
  store: SessionStore;
  /** What the next queued turn waits for (the finished turn's worktree checkpoint being written), or null. */
  turnGate?: (id: string) => Promise<void> | null;
  /** History lets go of a session being deleted (its messages' vectors; its transcripts are not imported again), in the delete's transaction. */
  forgetSession?: (sessionId: string) => void;
  /** Turns' and sessions' costs as Usage counted them (turn-costs.ts); without it, the CLI's own figures. */
  costs?: CostReader;
}

/** A new session, as every surface asks for one. */
export interface CreateSession {
  title?: string;
  cwd?: string | null;
  model?: string | null;
  permissionPolicy: PermissionPolicy;
  systemPrompt?: string | null;
  /** Tool rules this session may use without asking (a project's, say), on top of the saved ones. */
  allowedTools?: string[];
  surface: Surface;
  /** A surface's own key for the conversation (a chat id); defaults to the session id. */
  surfaceKey?: string;
  /** The id to use, when its folder was made for it first (a worktree under `<data>/worktrees/<id>`). */
  id?: string;
}

/** The last lines of a CLI's stderr, for a turn's error. */
export function lastLines(text: string, count = 5): string {
  return text.split('\n').filter(Boolean).slice(-count).join('\n');
}

/** A turn with its place in the queue (0 while it runs), as every caller is shown it. */
export function withPosition(turn: Turn, rt: Runtime | undefined, figures?: ReturnType<CostReader['turns']>): Turn {
  if (figures) turn = withCounted(turn, figures);
  if (turn.status === 'running') return { ...turn, position: 0 };
  const index = rt?.queue.indexOf(turn.id) ?? -1;
  return { ...turn, position: index >= 0 ? index + 1 : null };
}

/** How a session stands in this run, from its runtime (none: stopped). */
export function statusOf(rt: Runtime | undefined): SessionStatus {
  if (!rt) return 'stopped';
  if (rt.current) return 'running';
  if (rt.queue.length) return 'queued';
  if (rt.outcome) return rt.outcome;
  return rt.process?.alive ? 'idle' : 'stopped';
}

/** A session as every caller sees it: its row, with how it runs now. */
export function summaryOf(row: SessionRow, rt: Runtime | undefined, worktree: SessionWorktree | null, costUsd: number = row.cost_usd): SessionSummary {
  return {
    id: row.id,
    title: row.title,
    surface: row.surface,
    surfaceKey: row.surface_key,
    claudeSessionId: row.claude_session_id,
    cwd: row.cwd,
    model: row.model,
    permissionPolicy: row.permission_policy,
    systemPrompt: row.system_prompt,
    status: statusOf(rt),
    queueLength: rt?.queue.length ?? 0,
    costUsd,
    pid: rt?.process?.alive ? (rt.process.pid ?? null) : null,
    lastError: rt?.lastError ?? null,
    worktree,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
