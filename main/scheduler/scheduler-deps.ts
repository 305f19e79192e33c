import type { JobRun, RunDelivery } from '../../contract';
import type { ContractCaller } from '../ipc/router';
import type { EventBus } from '../events';
import type { Notifier } from '../notifier';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';
import type { Hold } from './held-runs';
import type { JobApprovals, RunEnd, StoredJob } from './job-rules';
import type { TemplateServices } from './prompt-template';
import type { TemplateRenderer } from './template-renderer';

/** What the scheduler is built from: the root's services and functions, and the tests' hooks. */
export interface SchedulerDeps {
  storage: StorageService;
  events: EventBus;
  /** The contract, which a job calls as itself (`job:<id>`) for the sessions its Claude runs in (job-sessions.ts). */
  router: ContractCaller;
  settings: SettingsService;
  notifier: Notifier;
  env: NodeJS.ProcessEnv;
  /** Whether Claude runs as root, where the CLI refuses to bypass permissions. */
  isRoot?: boolean;
  /** The clock; tests move it to simulate downtime. */
  now?: () => number;
  /** Replaces running the command (the scheduler benchmark times firing, not process start). */
  execute?: (job: StoredJob, run: JobRun) => Promise<RunEnd>;
  /** Whether Claude jobs must wait now: the plan window over the hold threshold (until it resets), or a budget spent (no end known). */
  hold?: () => Hold | null;
  /** The owner's questions about jobs made outside their window; without it such jobs wait, unasked. */
  approvals?: JobApprovals;
  /** Why a folder may not be a job's for this maker (work-folder.ts, from the root), or null. */
  workFolder?: (folder: string, owner: boolean) => string | null;
  /** Memory and history search for templates' sources (none: those sources fail, saying so). */
  templates?: Omit<TemplateServices, 'shell' | 'render'>;
  /** Renders templates in a worker with a deadline (none: in-thread). */
  templateRenderer?: TemplateRenderer;
  /** Sends a run's result and files to the job's targets (chats, mail); says where it went. */
  deliver?: (delivery: RunDelivery) => Promise<string[]>;
}
