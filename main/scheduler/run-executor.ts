import type { JobRun, PromptPreview } from '../../contract';
import { AppError, errorMessage } from '../errors';
import type { EventBus } from '../events';
import { expandFolder } from '../folders';
import { isOwner } from '../ipc/owner';
import type { CallContext } from '../ipc/router';
import { log } from '../log';
import { killOwnGroup, processStartTime } from '../process-identity';
import type { JobSessions } from './job-sessions';
import type { JobStore } from './job-store';
import { refuseFolder, type RunEnd, type StoredJob } from './job-rules';
import { renderJobPrompt, type TemplateServices } from './prompt-template';
import { attachmentNote, runFolder, writeRule } from './run-output';
import { runShell } from './shell-runner';

import type { TemplateRenderer } from './template-renderer';

/** What a run needs from the scheduler's dependencies (the root's), as SchedulerService takes them. */
export interface RunDeps {
  store: JobStore;
  events: EventBus;
  sessions: JobSessions;
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** Where runs keep their files (the scheduler's outputRoot). */
  outputRoot: () => string;
  /** A job as last stored. */
  job: (id: string) => StoredJob | undefined;
  /** A persistent job's session, kept with the job once made. */
  keepSession: (jobId: string, sessionId: string) => void;
  execute?: (job: StoredJob, run: JobRun) => Promise<RunEnd>;
  workFolder?: (folder: string, owner: boolean) => string | null;
  templates?: Omit<TemplateServices, 'shell' | 'render'>;
  templateRenderer?: TemplateRenderer;
}

/** Shell runs that outlived a crashed Switchboard are killed before they are recorded as failed. */
export function killLeftoverGroups(store: JobStore): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const { runId, pgid, started } of store.leftoverGroups()) {
    const outcome = killOwnGroup(pgid, started);
    if (outcome === 'killed') {
      log.warn('killed the processes of a job run left from the last start', { runId, pgid });
      reasons.set(runId, `Switchboard stopped during this run; the command was still running (process group ${pgid}) and was killed at the next start`);
    }
  }
  return reasons;
}

/**
 * Runs a job once: a shell command in its run's folder, or a Claude prompt (its template rendered) in a
 * fresh or carried-on session; and what a run's Claude leaves for the next one (set_next_prompt).
 */
export class RunExecutor {
  /** The run each job's Claude session is doing now, so set_next_prompt finds its own job and no other. */
  private readonly runOfSession = new Map<string, { jobId: string; runId: string }>();
  /** The session of each running Claude run, known from its start (the stored run gets it when it ends). */
  private readonly runSessions = new Map<string, string>();
  /** Next prompts left by runs in progress. */
  private readonly leftPrompts = new Map<string, string>();

  constructor(private readonly deps: RunDeps) {}

  /** The session a running Claude run is in, known from its start. */
  sessionOfRun(runId: string): string | undefined {
    return this.runSessions.get(runId);
  }

  /** What a run left for the next one, handed over once as it ends. */
  takeLeftPrompt(runId: string): string | null {
    const text = this.leftPrompts.get(runId) ?? null;
    this.leftPrompts.delete(runId);
    return text;
  }

  /** Runs the job; never throws (a failure is the run's ending). */
  async execute(job: StoredJob, run: JobRun, signal: AbortSignal): Promise<RunEnd> {
    try {
      if (this.deps.execute) return await this.deps.execute(job, run);
      if (job.kind === 'shell') {
        // A script's files for the user go in its run's folder too ($SWITCHBOARD_RUN_DIR): they are the run's attachments.
        const outputDir = runFolder(this.deps.outputRoot(), job, run);
        const ended = await runShell({
          command: job.command,
          cwd: job.cwd,
          env: { ...this.deps.env, ...job.env, SWITCHBOARD_RUN_DIR: outputDir, SWITCHBOARD_RUN_ID: run.id },
          timeoutMs: job.timeoutSeconds * 1000,
          signal,
          onStart: (pgid) => this.deps.store.setRunGroup(run.id, pgid, processStartTime(pgid)),
        });
        return { ...ended, outputDir };
      }
      return await this.runClaude(job, run, signal);
    } catch (error) {
      return { status: 'failed', reason: errorMessage(error) };
    }
  }

  /** The services a template's sources use: memory and history from the core, a shell in the job's folder with the job's environment. */
  private templateServices(env: Record<string, string>): TemplateServices {
    const none = async () => {
      throw new Error('search is not available here');
    };
    return {
      memories: this.deps.templates?.memories ?? none,
      history: this.deps.templates?.history ?? none,
      unreadable: this.deps.templates?.unreadable,
      shell: (command, cwd, timeoutMs) => runShell({ command, cwd, env: { ...this.deps.env, ...env }, timeoutMs, signal: AbortSignal.timeout(timeoutMs + 10_000) }),
      ...(this.deps.templateRenderer && { render: (data) => this.deps.templateRenderer!.render(data) }),
    };
  }

  /** The prompt a job's next run would get, rendered now (the editor's preview). Command sources run only for the owner. */
  async previewPrompt(input: Parameters<typeof renderJobPrompt>[0]['job'] & { id?: string }, from: CallContext): Promise<PromptPreview> {
    const saved = input.id ? this.deps.job(input.id) : undefined;
    const job = { ...input, cwd: input.cwd === null ? null : expandFolder(input.cwd, this.deps.env), name: saved?.name, id: saved?.id };
    // A preview reads the folder's files as a run would: the same folder rule as the job's maker.
    refuseFolder(job, isOwner(from), this.deps.workFolder);
    return renderJobPrompt(
      {
        job,
        run: null,
        lastRun: saved ? this.deps.store.lastRan(saved.id) : null,
        nextPrompt: saved ? this.deps.store.latestNextPrompt(saved.id) : null,
        now: this.deps.now(),
        allowCommands: isOwner(from),
      },
      this.templateServices(saved?.env ?? {}),
    );
  }

  /**
   * A job's running Claude session leaves the instructions for the job's next run. Only a session that
   * is running a job's run now may, and only for that job: the caller names no job.
   */
  leaveNextPrompt(text: string, from: CallContext): { jobId: string; runId: string } {
    const sessionId = from.actor.startsWith('session:') ? from.actor.slice('session:'.length) : null;
    const mine = sessionId ? this.runOfSession.get(sessionId) : undefined;
    if (!mine) throw new AppError('conflict', "set_next_prompt is only for a scheduled job's own Claude session while its run is going; this caller is not running one.");
    this.leftPrompts.set(mine.runId, text);
    this.deps.store.setActiveNextPrompt(mine.runId, text);
    return mine;
  }

  /** The owner changes what a run left for the next one (the window only: it is what the job's Claude will be told). */
  editNextPrompt(runId: string, text: string | null, from: CallContext): JobRun {
    if (!isOwner(from)) throw new AppError('unauthorized', 'The next prompt of a job can be changed only in the Switchboard window.');
    const run = this.deps.store.run(runId);
    if (!run) throw new AppError('not_found', `no recorded run ${runId}`);
    this.deps.store.setNextPrompt(runId, text?.trim() ? text.trim() : null);
    const changed = this.deps.store.run(runId)!;
    this.deps.events.emit('schedules.run', changed);
    return changed;
  }

  /** A Claude job: a fresh session each run, or one that carries on from run to run. */
  private async runClaude(job: StoredJob, run: JobRun, signal: AbortSignal): Promise<RunEnd> {
    const { sessions, store } = this.deps;
    // A job made outside the window: its folder by that rule again, before anything reads in it (it may be a link now).
    if (store.madeOutside(job.id)) refuseFolder(job, false, this.deps.workFolder);
    const jobFolder = runFolder(this.deps.outputRoot(), job);
    const outputDir = runFolder(this.deps.outputRoot(), job, run);
    const rendered = await renderJobPrompt(
      { job, run: { id: run.id, outputDir, attempt: run.attempt }, lastRun: store.lastRan(job.id), nextPrompt: store.latestNextPrompt(job.id), now: this.deps.now(), allowCommands: true },
      this.templateServices(job.env),
    );
    const made = { outputDir, problems: rendered.problems, prompt: rendered.prompt };
    if (rendered.failed) return { ...made, status: 'failed', prompt: null, reason: `not started: ${rendered.failed}` };
    if (rendered.wouldSkip) return { ...made, status: 'skipped', prompt: null, reason: `not started: the prompt could not be filled (${rendered.problems.join('; ')}); the job skips a run with a gap` };
    const told = `${attachmentNote(outputDir)} To leave instructions for this job's next run, call the set_next_prompt tool.`;
    const systemPrompt = [rendered.systemPrompt, told].filter(Boolean).join('\n\n');
    let sessionId = job.sessionMode === 'persistent' ? job.sessionId : null;
    if (!sessionId || !(await sessions.exists(sessionId, job.id))) {
      const fields = {
        title: job.sessionMode === 'persistent' ? `Job: ${job.name}` : `Job: ${job.name} (${new Date(run.startedAt ?? this.deps.now()).toISOString().slice(0, 16)})`,
        cwd: job.cwd,
        model: job.model,
        permissionPolicy: job.permissionPolicy,
        systemPrompt,
        // Its own output folder and its own next prompt need no question: nothing else is loosened.
        allowedTools: [...writeRule(jobFolder), 'mcp__switchboard__set_next_prompt'],
        surfaceKey: job.sessionMode === 'persistent' ? `job:${job.id}` : `job:${job.id}:${run.id}`,
        worktree: !!(job.worktree && job.cwd),
      };
      const created = await sessions.create(job.id, fields).catch((error: unknown) => {
        throw fields.worktree ? new Error(`the job's worktree could not be made: ${errorMessage(error)}`) : error;
      });
      sessionId = created.id;
      if (job.sessionMode === 'persistent') this.deps.keepSession(job.id, sessionId);
    }
    else {
      // A session carried on from run to run works in the mode the job has now, not the one it was made in (a loose
      // job made careful from outside the window needs no approval, and then nor does what it is told); a template
      // job's system prompt applies from its next start.
      await sessions.update(job.id, { id: sessionId, permissionPolicy: job.permissionPolicy, ...(job.template ? { systemPrompt } : {}) });
    }
    // A carried-on session's process may predate this run's folder: a template job is told in the prompt too.
    const text = job.sessionMode === 'persistent' && job.template ? `${rendered.prompt}\n\n(${told})` : rendered.prompt;
    this.runOfSession.set(sessionId, { jobId: job.id, runId: run.id });
    this.runSessions.set(run.id, sessionId);
    this.deps.events.emit('schedules.run', { ...run, sessionId });
    try {
      const asked = await sessions.ask(job.id, { id: sessionId, text, timeoutMs: job.timeoutSeconds * 1000 }, signal);
      if (asked.timedOut) {
        // The job's timeout holds: the turn is stopped, not left running.
        void sessions.interrupt(job.id, sessionId);
        return { ...made, status: 'timeout', sessionId, reason: `interrupted after the ${job.timeoutSeconds} s timeout` };
      }
      const ended = asked.turn;
      // A fresh run's session is never spoken to again: its process goes now, not after the idle time.
      if (job.sessionMode === 'fresh') void sessions.release(job.id, sessionId).catch((error: unknown) => log.error('scheduler: stopping a fresh run’s process failed', error));
      const status = signal.aborted ? 'cancelled' : ended.status === 'done' ? 'ok' : 'failed';
      // A job in a worktree delivers what it changed with its result (the diff itself is in the session's Changes tab).
      const changed = job.worktree ? await sessions.changes(job.id, sessionId).catch(() => null) : null;
      const resultText = changed ? `${ended.resultText ?? ''}\n\n${changed}`.trim() : ended.resultText;
      return { ...made, status, sessionId, resultText, costUsd: ended.costUsd, reason: status === 'ok' ? null : (ended.error ?? ended.status) };
    } finally {
      this.runOfSession.delete(sessionId);
      this.runSessions.delete(run.id);
    }
  }
}
