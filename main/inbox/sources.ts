import { randomUUID } from 'node:crypto';
import { chatApps, fromTerminal, isChatSurface, JOB_APPROVAL_TOOL, toolCallDetail, type Approval, type ClaudeQuestion, type JobRun, type TerminalStop, type Turn, type UserNote } from '../../contract';
import type { NewItem } from './inbox-store';

/** What the inbox asks of the rest of the core, handed over by the composition root as functions. */
export interface Lookups {
  /** The broker's record of a question; null when there is none. */
  approval(id: string): Approval | null;
  /** The Switchboard session that follows a Claude session (a terminal's, through its transcript); null when none does yet. */
  sessionOf(claudeSessionId: string): string | null;
  sessionTitle(id: string): string | null;
  jobName(id: string): string | null;
  /** How many runs of a job ended ok (or failed) since the given run did, that one included; null when it is no longer kept. */
  runsEndedSince(jobId: string, fromRunId: string, failed: boolean): number | null;
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Where an answer came from, in words. */
function where(via: string | null): string {
  if (isChatSurface(via)) return ` on ${chatApps[via].label}`;
  switch (via) {
    case 'desktop':
      return ' in the desktop app';
    case 'browser':
      return ' in a browser';
    case 'mcp':
      return ' by an MCP client';
    default:
      return '';
  }
}

/** A question in the broker as an inbox item: the card's words, the session or job it is about, its expiry. */
export function approvalItem(approval: Approval): NewItem {
  const job = approval.toolName === JOB_APPROVAL_TOOL;
  const terminal = fromTerminal(approval);
  const who = terminal ? 'Claude Code in a terminal' : 'Claude';
  let title: string;
  let text: string;
  if (job) {
    const input = approval.input as { name?: string; command?: string; requestedBy?: string };
    title = `A job waits for your approval: ${input.name ?? ''}`;
    text = `${approval.description ?? ''}${input.command ? `: ${input.command}` : ''}`;
  } else if (approval.toolName === 'AskUserQuestion') {
    const questions = ((approval.input as { questions?: ClaudeQuestion[] }).questions ?? []).map((q) => q.question);
    title = `${who} asks: ${questions[0] ?? 'a question'}`;
    text = questions.slice(1).join('\n') || (approval.description ?? '');
  } else if (approval.toolName === 'ExitPlanMode') {
    title = `${who} has a plan for you to approve`;
    text = String((approval.input as { plan?: unknown }).plan ?? '');
  } else {
    title = `${who} asks to use ${approval.toolName}`;
    text = toolCallDetail(approval.input) ?? approval.description ?? '';
  }
  const jobId = job ? ((approval.input as { jobId?: string }).jobId ?? null) : null;
  return {
    key: `approval:${approval.id}`,
    kind: job ? 'job_approval' : 'question',
    source: 'approvals',
    sessionId: approval.sessionId,
    jobId,
    actor: approval.source,
    title: clip(title, 300),
    text: clip(approval.sessionTitle && !job ? `${approval.sessionTitle}: ${text}` : text, 2000),
    link: approval.sessionId ? `#/sessions/${approval.sessionId}` : jobId ? `#/schedules/${jobId}` : '#/inbox',
    ref: approval.id,
    until: approval.expiresAt,
  };
}

/** How a question ended, in words: who answered where, or why nobody needs to. */
export function approvalOutcome(approval: Approval): string {
  const at = where(approval.answeredVia);
  if (approval.status === 'allowed') {
    if (approval.decision === 'rule') return 'Allowed by a saved rule.';
    if (approval.toolName === JOB_APPROVAL_TOOL) return `Approved${at}.`;
    if (approval.toolName === 'AskUserQuestion' || approval.toolName === 'ExitPlanMode') return `Answered${at}.`;
    return `Allowed${at}.`;
  }
  if (approval.status === 'denied') return `Denied${at}.`;
  if (approval.decision === 'timeout') return approval.message ?? 'Nobody answered in time.';
  return approval.message ?? 'No longer needed.';
}

/** A terminal session stopped within its reply window: its last message and a reply box until the window ends. */
export function stopItem(stop: TerminalStop, lookups: Lookups): NewItem | null {
  if (!stop.replyUntil) return null;
  const sessionId = stop.claudeSessionId ? lookups.sessionOf(stop.claudeSessionId) : null;
  return {
    key: `stop:${stop.id}`,
    kind: 'stop',
    source: 'hooks',
    sessionId,
    actor: stop.claudeSessionId ? `hook:${stop.claudeSessionId}` : 'hook',
    title: `Claude Code stopped · ${stop.project}`,
    text: clip(stop.lastMessage || 'Claude stopped.', 4000),
    link: sessionId ? `#/sessions/${sessionId}` : '#/inbox',
    ref: stop.id,
    until: stop.replyUntil,
  };
}

/**
 * A note for the user (notify_user, a script, a terminal's Notification hook). A terminal's
 * `permission_prompt` notification repeats the question its PermissionRequest hook already put in the
 * broker (and so in the inbox): it is not a second item.
 */
export function noteItem(note: UserNote, lookups: Lookups): NewItem | null {
  if (note.notificationType === 'permission_prompt') return null;
  const [kind, id] = [note.from.slice(0, note.from.indexOf(':')), note.from.slice(note.from.indexOf(':') + 1)];
  const sessionId = kind === 'session' ? id : kind === 'hook' ? lookups.sessionOf(id) : null;
  return {
    key: `note:${note.at}:${randomUUID()}`,
    kind: 'note',
    source: kind === 'hook' ? 'hooks' : 'user',
    sessionId: sessionId && lookups.sessionTitle(sessionId) !== null ? sessionId : null,
    actor: note.from,
    title: clip(note.title, 300),
    text: clip(note.text, 4000),
    link: sessionId ? `#/sessions/${sessionId}` : null,
  };
}

/** A turn that ended: a long one that finished, or one that failed (a job's turns are told by its run). */
export function turnItem(turn: Turn, longMs: number, lookups: Lookups): NewItem | null {
  if (turn.surface === 'schedule' || !turn.endedAt) return null;
  const failed = turn.status === 'failed' || turn.status === 'stalled';
  const long = turn.status === 'done' && !!turn.startedAt && turn.endedAt - turn.startedAt >= longMs;
  if (!failed && !long) return null;
  const title = lookups.sessionTitle(turn.sessionId) ?? 'A session';
  return {
    key: `turn:${turn.id}`,
    kind: failed ? 'failed' : 'done',
    source: 'sessions',
    sessionId: turn.sessionId,
    actor: turn.actor,
    title: failed ? `Claude's turn ${turn.status}: ${title}` : `Claude finished: ${title}`,
    text: clip((failed ? turn.error : turn.resultText) ?? '', 2000),
    link: `#/sessions/${turn.sessionId}`,
  };
}

/**
 * A job's run: a hold until the plan's window resets, or its result or failure. Results collapse into one item
 * per job, failures into another (so a failure is never hidden under the next success): the next run updates
 * it while unread, and re-opens it once read. `since` is how many runs of that kind it now stands for since
 * the user last looked (null: more than are kept).
 */
export function runItem(run: JobRun, lookups: Lookups, since: (failed: boolean) => number | null = () => 1): (NewItem & { repeat?: true }) | null {
  const name = lookups.jobName(run.jobId) ?? 'A job';
  const link = `#/schedules/${run.jobId}/runs/${run.id}`;
  const base = { source: 'scheduler', jobId: run.jobId, sessionId: run.sessionId, actor: `job:${run.jobId}`, link, ref: run.id };
  if (run.status === 'held') return { ...base, key: `hold:${run.id}`, kind: 'usage_hold', title: `${name} is held`, text: clip(run.reason ?? '', 2000) };
  if (!run.endedAt) return null;
  const failed = run.status === 'failed' || run.status === 'timeout';
  if (run.status !== 'ok' && !failed) return null;
  const n = since(failed);
  const noun = failed ? 'failures' : 'runs';
  const count = n === 1 ? '' : `${n === null ? 'Many' : n} ${noun} since you last looked. The latest: `;
  const text = failed ? (run.reason ?? run.stderrTail ?? run.resultText ?? '') : (run.resultText ?? run.stdoutTail ?? '');
  return {
    ...base,
    key: `job:${run.jobId}:${failed ? 'failed' : 'done'}`,
    kind: failed ? 'job_failed' : 'job_result',
    title: `${name}: ${run.status === 'timeout' ? 'timed out' : failed ? 'failed' : 'done'}`,
    text: clip(count + text.trim(), 2000),
    repeat: true,
  };
}
