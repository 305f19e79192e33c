import type { Job, JobApprovalInput, JobInput, JobRun, RunTrigger } from '../../contract';
import { AppError } from '../errors';
import { expandFolder } from '../folders';
import { firesEverySecond, validateSchedule } from './cron';
import type { JobStore } from './job-store';

// What the scheduler's parts share: a job as stored, how a run ends, and the rules on what runs code.

/** A job as the scheduler keeps it (without what is worked out when listed). */
export type StoredJob = Omit<Job, 'nextRun' | 'recent'>;

/** How a run ended, as its executor reports it. */
export type RunEnd = Partial<Omit<JobRun, 'id' | 'jobId'>> & { status: JobRun['status'] };

/** A run of a busy job waiting its turn (overlap policy `queue`, or a catch-up). */
export interface Pending {
  plannedAt: number | null;
  trigger: RunTrigger;
  attempt: number;
}

/** How the owner's question about a job ended; `cancelled` (asked again, or withdrawn) decides nothing. */
export type JobVerdict = 'allowed' | 'denied' | 'timeout' | 'cancelled';

/** The one approval broker, as the scheduler needs it: handed over by the composition root. */
export interface JobApprovals {
  /** `askedBy`: the actor who made or changed the job, who may not answer it; null when not known. */
  ask(question: JobApprovalInput, askedBy: string | null): { id: string; verdict: Promise<JobVerdict> };
  /** Who asked an earlier question (its actor), so that asking again keeps them from answering. */
  askedBy(id: string): string | null;
  /** A question asked before a restart and still open: its verdict; null when it is not open any more. */
  resume(id: string): Promise<JobVerdict> | null;
  cancel(id: string, reason: string): void;
}

/**
 * Whether a job runs code on the user's machine without each step being asked: a shell command, or Claude
 * in a mode looser than *ask* (plan asks before it acts, so it is not).
 */
export function runsCode(job: Pick<JobInput, 'kind' | 'permissionPolicy'> & Partial<Pick<JobInput, 'sources' | 'steps' | 'delivery'>>): boolean {
  // Mailing a run's result and files, or sending them to a chat other than the owner's, is sending
  // files out: the owner's to decide, like code.
  return job.kind === 'shell' || job.permissionPolicy === 'acceptEdits' || job.permissionPolicy === 'bypass' || shellCommands(job).length > 0 || sendsOut(job.delivery);
}

/** A delivery that reaches someone other than the owner's own chats and desktop. */
function sendsOut(delivery: Partial<JobInput['delivery']> | undefined): boolean {
  return (delivery?.email?.length ?? 0) > 0 || (delivery?.chats ?? []).some((c) => c.target !== 'owner');
}

/** The shell commands a job runs besides its own: its template's command sources and its after-run shell steps. */
export function shellCommands(job: Partial<Pick<JobInput, 'sources' | 'steps'>>): string[] {
  return [
    ...(job.sources ?? []).flatMap((s) => (s.kind === 'command' ? [`template source ${s.name}: ${s.command}`] : [])),
    ...(job.steps ?? []).flatMap((s) => (s.kind === 'shell' ? [`after the run: ${s.command}`] : [])),
  ];
}

/** What a job runs: a change to one of these from outside the owner's window asks the owner again. */
export const WHAT_IT_RUNS = ['command', 'cwd', 'env', 'kind', 'permissionPolicy', 'sources', 'steps', 'delivery'] as const;
/** What the owner's question shows besides: a waiting job changed in these is asked again, so the card says what is true. */
export const SHOWN = [...WHAT_IT_RUNS, 'name', 'cron', 'timeZone', 'systemPrompt', 'values'] as const;

/** Whether two versions of a job differ in any of `fields`. */
export function differs(before: JobInput, after: JobInput, fields: readonly (keyof JobInput)[]): boolean {
  return fields.some((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

/** Bypassing permissions is the owner's choice alone, whoever else asks (not only as root). */
export function refuseBypass(job: JobInput): void {
  if (job.kind === 'claude' && job.permissionPolicy === 'bypass') {
    throw new AppError('invalid_input', 'permissionPolicy: a job that bypasses permissions can be made or changed only in the Switchboard window, not from here.');
  }
}

/** Claude reads in a job's folder without asking, and its file sources read from it: not the data folder, nor (from outside the window) home. */
export function refuseFolder(job: Pick<JobInput, 'cwd'>, owner: boolean, workFolder: ((folder: string, owner: boolean) => string | null) | undefined): void {
  const refused = job.cwd ? workFolder?.(job.cwd, owner) : null;
  if (refused) throw new AppError('invalid_input', `cwd: ${refused}`);
}

/** Refuses steps that would start jobs in a circle (A starts B, B starts A), naming the circle. */
export function refuseCycle(id: string, steps: JobInput['steps'], jobs: ReadonlyMap<string, StoredJob>): void {
  const next = (jobId: string): string[] => (jobId === id ? steps : (jobs.get(jobId)?.steps ?? [])).flatMap((s) => (s.kind === 'job' ? [s.jobId] : []));
  const walk = (jobId: string, path: string[]): string[] | null => {
    for (const to of next(jobId)) {
      if (to === id) return [...path, to];
      if (path.includes(to)) continue;
      const found = walk(to, [...path, to]);
      if (found) return found;
    }
    return null;
  };
  const cycle = walk(id, [id]);
  if (cycle) throw new AppError('invalid_input', `steps: this would start jobs in a circle (${cycle.map((j) => jobs.get(j)?.name ?? 'this job').join(' → ')}), which would never end`);
}

/** The jobs a chain of runs went through, newest first, following each run back to the one that started it. */
export function chainOf(run: JobRun, runById: (id: string) => JobRun | undefined): string[] {
  const jobs = [run.jobId];
  let from = run.chainedFrom;
  while (from && jobs.length < 100) {
    const earlier = runById(from);
    if (!earlier) break;
    jobs.push(earlier.jobId);
    from = earlier.chainedFrom;
  }
  return jobs;
}

/**
 * What else a job does or tells its Claude, beyond its command, in the owner's words for its approval card: where
 * its result and files go outside the owner's own chats, the jobs it starts, its system prompt, its values, and
 * what fills its template besides commands (memories and history anyone with MCP can add to, a file).
 */
export function jobExtras(job: Pick<JobInput, 'delivery' | 'steps' | 'systemPrompt' | 'values' | 'sources'>, nameOf: (jobId: string) => string | undefined): string[] {
  const cut = (text: string) => (text.length > 1500 ? `${text.slice(0, 1500)}…` : text);
  return [
    ...(job.delivery.email.length ? [`Mails its result and files to ${job.delivery.email.join(', ')}`] : []),
    ...job.delivery.chats.filter((c) => c.target !== 'owner').map((c) => `Sends its result and files to ${c.surface} chat ${c.target}`),
    ...job.steps.flatMap((s) => (s.kind === 'job' ? [`Then starts the job “${nameOf(s.jobId) ?? s.jobId}”${s.when === 'always' ? ' (after every run)' : ''}`] : [])),
    ...(job.systemPrompt ? [`System prompt: ${cut(job.systemPrompt)}`] : []),
    ...Object.entries(job.values).map(([name, value]) => `Value ${name}: ${cut(value)}`),
    ...job.sources.flatMap((s) =>
      s.kind === 'memories' ? [`Fills ${s.name} from memories matching “${s.query}”`] : s.kind === 'history' ? [`Fills ${s.name} from the history matching “${s.query}”`] : s.kind === 'file' ? [`Fills ${s.name} from the file ${s.path}`] : [],
    ),
  ];
}

/** Runs code by itself, or starts a job that does (a chain is as much code as its links). */
export function needsOwner(job: JobInput, store: Pick<JobStore, 'job'>, seen = new Set<string>()): boolean {
  // A schedule finer than a minute is the owner's to allow too (a Claude job every second, 86,400 runs a day).
  if (runsCode(job) || firesEverySecond(job.cron)) return true;
  return (job.steps ?? []).some((step) => {
    if (step.kind !== 'job' || seen.has(step.jobId)) return false;
    seen.add(step.jobId);
    const next = store.job(step.jobId);
    return !!next && needsOwner(next, store, seen);
  });
}

/** Refuses now what could only fail at every run; the folder is stored as the absolute path it names. */
export function checkJob<J extends JobInput>(job: J, jobs: ReadonlyMap<string, StoredJob>, deps: { isRoot?: boolean; env: NodeJS.ProcessEnv }): J {
  validateSchedule(job.cron, job.timeZone);
  const names = job.sources.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new AppError('invalid_input', `sources: two sources are named ${twice}; each needs its own name`);
  for (const step of job.steps) {
    if (step.kind === 'job' && !jobs.has(step.jobId)) throw new AppError('invalid_input', `steps: there is no job ${step.jobId} to start after the run`);
  }
  if (job.kind === 'claude' && job.permissionPolicy === 'bypass' && (deps.isRoot ?? process.getuid?.() === 0)) {
    throw new AppError('invalid_input', 'permissionPolicy: the Claude CLI refuses to bypass permissions when it runs as root, so every run would fail');
  }
  return { ...job, cwd: job.cwd === null ? null : expandFolder(job.cwd, deps.env) };
}
