import type https from 'node:https';
import type { ChatSurface } from '../contract';
import type { ApprovalBroker } from './approvals/approval-broker';
import type { Clock } from './clock';
import type { EventBus } from './events';
import type { HistoryService } from './history/history-service';
import type { TranscriptImporter } from './history/transcript-importer';
import type { EmbeddingService } from './retrieval/embedding-service';
import type { MemoryService } from './memory/memory-service';
import type { Router } from './ipc/router';
import type { Lifecycle } from './lifecycle';
import type { Notifier } from './notifier';
import type { SecretStore } from './secrets/secret-store';
import type { SchedulerService } from './scheduler/scheduler-service';
import type { TaskService } from './tasks/task-service';
import type { LimitWaiter } from './sessions/plan-limit';
import type { SessionManager } from './sessions/session-manager';
import type { TerminalManager } from './sessions/terminal-manager';
import type { LoopbackServer } from './server/loopback-server';
import type { SettingsService } from './settings/settings-service';
import type { StorageService } from './storage/storage-service';
import type { ChatAdapter } from './surfaces/chat/adapter';
import type { ChatBridge } from './surfaces/chat/chat-bridge';
import type { UsageService } from './usage/usage-service';
import type { ClaudeCodeConnector } from './hooks/claude-code-connector';
import type { HooksService } from './hooks/hooks-service';
import type { PushService } from './push/push-service';
import type { InboxService } from './inbox/inbox-service';
import type { McpService } from './mcp/mcp-service';
import type { AppInfo, SystemService } from './system/system-service';
import type { WorktreeService } from './worktrees/worktree-service';

// The composition root's shapes: what a shell hands createCore (core.ts), and what it gets back.

/** The loopback server both shells start: where it listens, the names it answers to, the UI files (headless). */
export interface ServerConfig {
  host: string;
  port: number;
  /** `--allow-host` names; the *Allowed host names* setting adds to them. */
  allowHosts: string[];
  /** The built renderer to serve (headless); null in the desktop app, whose window is its own. */
  staticDir: string | null;
  /** Whether the core stops when the server cannot start (headless) or goes on without it (desktop). */
  required: boolean;
}

/** What a shell (desktop or headless) and the tests hand the composition root. */
export interface CoreConfig {
  dataDir: string;
  app: AppInfo;
  /** What the shell provides: safeStorage in Electron, a 0600 file headless. */
  secrets: SecretStore;
  env?: NodeJS.ProcessEnv;
  /** Desktop notifications from the shell; none headless. */
  notifier?: Notifier;
  /** The bundled embedding worker (dist/main/embed-worker.cjs); without it embedding runs in-thread. */
  embedWorker?: string | null;
  /** The bundled integrity-check worker (dist/main/integrity-worker.cjs); without it the background check runs in-thread. */
  integrityWorker?: string | null;
  /** The bundled checkpoint worker (dist/main/checkpoint-worker.cjs); without it SQLite checkpoints in-thread. */
  checkpointWorker?: string | null;
  /** The bundled search worker (dist/main/search-worker.cjs); without it history searches run in-thread. */
  searchWorker?: string | null;
  /** The bundled template worker (dist/main/template-worker.cjs); without it job templates render in-thread. */
  templateWorker?: string | null;
  /** The bundled git worker (dist/main/git-worker.cjs); without it worktrees spawn git from the main thread. */
  gitWorker?: string | null;
  /** The loopback server; none in tests that only need the services. */
  server?: ServerConfig;
  /** Test hook: the scheduler's clock, to simulate downtime. */
  now?: () => number;
  /** Test hook: the clock a wait for the plan's limit to reset runs on (the real one otherwise). */
  clock?: Clock;
  /** Test hook: how Web Push reaches the push service (a stand-in's certificate trusted). */
  pushAgent?: https.Agent;
  /** Test hook: free memory in MB as the capacity check sees it. */
  freeMemoryMb?: () => number;
  /** A warm spare CLI for the next new session (default on; the tests' core turns it off unless a test asks). */
  warmSpare?: boolean;
  /** The app's resources folder (the Claude Code plugin's files); null when this build has none. */
  resourcesDir?: string | null;
  /** Test hook: a chat app's adapter (the real one, with a stand-in's address, unless replaced). */
  chatAdapters?: Partial<Record<ChatSurface, (token: string, apiRoot: string) => ChatAdapter>>;
  /** Test hook: edits per chat at most this often (Telegram's 1 s otherwise). */
  chatEditIntervalMs?: number;
}

/** The running core: every service, for the shells and the tests, and its start and stop. */
export interface Core {
  readonly config: CoreConfig;
  readonly events: EventBus;
  readonly router: Router;
  readonly lifecycle: Lifecycle;
  readonly storage: StorageService;
  readonly settings: SettingsService;
  readonly system: SystemService;
  readonly approvals: ApprovalBroker;
  readonly sessions: SessionManager;
  readonly terminals: TerminalManager;
  readonly worktrees: WorktreeService;
  readonly embeddings: EmbeddingService;
  readonly history: HistoryService;
  readonly memory: MemoryService;
  readonly transcripts: TranscriptImporter;
  readonly scheduler: SchedulerService;
  readonly tasks: TaskService;
  readonly usage: UsageService;
  /** The chat bridges, one per chat app. */
  readonly chats: Record<ChatSurface, ChatBridge>;
  readonly mcp: McpService;
  readonly hooks: HooksService;
  readonly inbox: InboxService;
  readonly push: PushService;
  /** Turns waiting for the plan's limit to reset. */
  readonly limitWaiter: LimitWaiter;
  readonly claudeCode: ClaudeCodeConnector;
  /** The loopback server, when the config asked for one. */
  readonly server: LoopbackServer | null;
  /** The UI token (everything the window can do), when there is a server. */
  readonly serverToken: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What the root builds after someone who needs it, read through a `Late` holder (main/late.ts) when called:
 * each entry is one side of a real cycle (docs/architecture.md, "Late wiring").
 */
export interface LateParts {
  sessions: SessionManager;
  worktrees: WorktreeService;
  limitWaiter: LimitWaiter;
  transcripts: TranscriptImporter;
  scheduler: SchedulerService;
  inbox: InboxService;
  chats: Record<ChatSurface, ChatBridge>;
  router: Router;
  server: LoopbackServer | null;
}
