import { randomUUID } from 'node:crypto';
import { defaultRuleFor, JOB_APPROVAL_TOOL, QUESTION_TOOLS, toolCallDetail, type Approval, type ApprovalDecision, type ApprovalRule, type ApprovalStatus } from '../../contract';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import type { Service } from '../lifecycle';
import { log } from '../log';
import { RequestStore } from '../request-store';
import type { Notifier } from '../notifier';
import type { SettingsService } from '../settings/settings-service';
import type { StorageService } from '../storage/storage-service';
import { ruleMatches } from './rules';

function isQuestionTool(toolName: string): boolean {
  return (QUESTION_TOOLS as readonly string[]).includes(toolName);
}

/**
 * Questions no process waits on (a job made outside the window waits for its owner): they outlive a restart,
 * and whoever asked picks them up again with `resume`.
 */
const KEPT_OVER_RESTART: readonly string[] = [JOB_APPROVAL_TOOL];

/** What no answer means, said on the card. */
function timeoutMessage(toolName: string, minutes: number): string {
  return toolName === JOB_APPROVAL_TOOL ? `No answer within ${minutes} min, so Switchboard denied it and deleted the job.` : `No answer within ${minutes} min, so Switchboard denied it.`;
}

/** What the CLI asks: the approval before it has an id, a title or an answer. */
export type Question = Pick<Approval, 'sessionId' | 'turnId' | 'source' | 'toolName' | 'input' | 'suggestions' | 'description'> & {
  /** For a session Switchboard does not own (Claude Code in a terminal): its key, so "this session" holds for it too. */
  outsideSession?: string;
};

export type BrokerAnswer = { allow: true; input: Record<string, unknown> } | { allow: false; message: string };

export interface Answerer {
  /** e.g. "user", "rule" */
  by: string;
  /** The surface the answer came from: desktop, web, telegram… */
  via: string;
}

/**
 * What the broker needs of the sessions' table, which the session store owns: the root hands it in, so the
 * broker writes only its own tables (and approvals/ does not import sessions/, which imports it).
 */
export interface SessionRules {
  /** The session's title, for the card; null when the session is gone. */
  title(sessionId: string): string | null;
  /** The session's "This session" rules. */
  rules(sessionId: string): string[];
  /** Replaces them. */
  setRules(sessionId: string, rules: string[]): void;
}

interface Row {
  id: string;
  session_id: string | null;
  turn_id: string | null;
  source: string;
  tool_name: string;
  input: string;
  suggestions: string;
  description: string | null;
  status: ApprovalStatus;
  decision: ApprovalDecision | null;
  rule: string | null;
  message: string | null;
  answered_by: string | null;
  answered_via: string | null;
  created_at: number;
  expires_at: number;
  answered_at: number | null;
}

const SELECT = 'SELECT a.* FROM approvals a';

function toApproval(row: Row, sessionTitle: string | null): Approval {
  return {
    id: row.id,
    sessionId: row.session_id,
    sessionTitle,
    turnId: row.turn_id,
    source: row.source,
    toolName: row.tool_name,
    input: JSON.parse(row.input) as Record<string, unknown>,
    suggestions: JSON.parse(row.suggestions) as string[],
    description: row.description,
    status: row.status,
    decision: row.decision,
    rule: row.rule,
    message: row.message,
    answeredBy: row.answered_by,
    answeredVia: row.answered_via,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    answeredAt: row.answered_at,
  };
}

/**
 * One broker for every permission question: a question waits until someone answers it (from
 * any surface), a saved rule answers it, or it times out and is denied. Every question and
 * answer is logged.
 */
export class ApprovalBroker implements Service {
  readonly name = 'approvals';
  /** Questions a process waits on, by id: each ends at its answer, a rule, its time, or a stop. */
  private readonly waiting = new RequestStore<Question, BrokerAnswer>();

  constructor(
    private readonly deps: { storage: StorageService; events: EventBus; settings: SettingsService; notifier: Notifier; sessions: SessionRules },
  ) {}

  /** Questions left pending by a previous run cannot be answered: their processes are gone. Those kept over a restart wait on. */
  start(): void {
    const kept = KEPT_OVER_RESTART.map(() => '?').join(', ');
    const stale = this.db
      .prepare(`UPDATE approvals SET status = 'expired', decision = 'cancelled', message = ?, answered_at = ? WHERE status = 'pending' AND tool_name NOT IN (${kept}) RETURNING id`)
      .all('Switchboard stopped before this was answered', Date.now(), ...KEPT_OVER_RESTART);
    if (stale.length) log.warn(`${stale.length} unanswered permission question(s) from the last run expired`);
  }

  stop(): void {
    for (const [id, question] of this.waiting.entries()) {
      if (!KEPT_OVER_RESTART.includes(question.toolName)) {
        this.settle(id, 'expired', 'cancelled', 'Switchboard is stopping', { by: 'system', via: 'system' });
        continue;
      }
      // Still open after the restart: its cards stay as they are.
      this.waiting.drop(id);
    }
  }

  /**
   * A question kept over a restart (a job's), waiting again with what is left of its time: its answer; null
   * when it is no longer open.
   */
  resume(id: string): Promise<BrokerAnswer> | null {
    if (this.waiting.has(id)) return null;
    const row = this.db.prepare(`${SELECT} WHERE a.id = ? AND a.status = 'pending'`).get(id) as Row | undefined;
    if (!row) return null;
    const approval = this.toApproval(row);
    const question: Question = { sessionId: approval.sessionId, turnId: approval.turnId, source: approval.source, toolName: approval.toolName, input: approval.input, suggestions: approval.suggestions, description: approval.description };
    return this.wait(id, question, row.expires_at - Date.now());
  }

  /** Keeps a question open until answered, or until its time is up (then it is denied). */
  private wait(id: string, question: Question, timeoutMs: number): Promise<BrokerAnswer> {
    return this.waiting.create(id, question, timeoutMs, () => {
      const minutes = this.deps.settings.get('approvals.timeoutMinutes');
      this.settle(id, 'expired', 'timeout', timeoutMessage(question.toolName, minutes), { by: 'system', via: 'timeout' });
    });
  }

  /** Asks; resolves at once when a saved rule or this session's rules allow the call. */
  ask(question: Question): { id: string; answer: Promise<BrokerAnswer> } {
    const id = randomUUID();
    const now = Date.now();
    const rule = this.matchingRule(question);
    const timeoutMs = this.deps.settings.get('approvals.timeoutMinutes') * 60_000;
    this.db
      .prepare(
        `INSERT INTO approvals (id, session_id, turn_id, source, tool_name, input, suggestions, description, status, decision, rule, answered_by, answered_via, created_at, expires_at, answered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        question.sessionId,
        question.turnId,
        question.source,
        question.toolName,
        JSON.stringify(question.input),
        JSON.stringify(question.suggestions),
        question.description,
        rule ? 'allowed' : 'pending',
        rule ? 'rule' : null,
        rule,
        rule ? 'rule' : null,
        rule ? 'rule' : null,
        now,
        now + timeoutMs,
        rule ? now : null,
      );
    this.emit(id);
    if (rule) return { id, answer: Promise.resolve({ allow: true, input: question.input }) };
    const answer = this.wait(id, question, timeoutMs);
    const approval = this.get(id);
    if (question.toolName === JOB_APPROVAL_TOOL) {
      const job = question.input as { jobId?: string; name?: string };
      this.deps.notifier.notify({ title: `A job waits for your approval: ${job.name ?? ''}`, body: `${question.description ?? ''}: ${summarize(question)}`, link: `#/schedules/${job.jobId ?? ''}` });
    } else {
      this.deps.notifier.notify({
        title: `Claude asks to use ${question.toolName}`,
        body: `${approval.sessionTitle ?? 'A session'}: ${summarize(question)}`,
        ...(question.sessionId ? { link: `#/sessions/${question.sessionId}` } : {}),
      });
    }
    return { id, answer };
  }

  answer(id: string, reply: { decision: 'once' | 'session' | 'always' | 'deny'; message?: string; rule?: string; answers?: Record<string, string> }, who: Answerer): Approval {
    const question = this.waiting.get(id);
    if (!question) {
      const row = this.db.prepare('SELECT status FROM approvals WHERE id = ?').pluck().get(id) as string | undefined;
      if (!row) throw new AppError('not_found', `no permission question ${id}`);
      throw new AppError('conflict', `this question is already ${row === 'pending' ? 'being answered' : row}`);
    }
    if (reply.decision === 'deny') {
      this.settle(id, 'denied', 'deny', reply.message?.trim() || 'The user denied this.', who);
      return this.get(id);
    }
    const asks = isQuestionTool(question.toolName);
    if (asks) {
      // Claude asked the user: the answer goes back in the tool's input, and no rule may stand in for a person.
      if (question.toolName === 'AskUserQuestion' && !reply.answers) throw new AppError('invalid_input', 'answers: choose an answer to each question');
      this.settle(id, 'allowed', 'once', reply.message ?? null, who, null, reply.answers ? { ...question.input, answers: reply.answers } : undefined);
      return this.get(id);
    }
    let rule: string | null = null;
    if (reply.decision === 'session' || reply.decision === 'always') {
      rule = reply.rule ?? defaultRuleFor(question.toolName, question.suggestions, question.input);
      if (!rule) throw new AppError('invalid_input', `rule: name what to allow for ${question.toolName}, e.g. ${question.toolName}(git status); a bare ${question.toolName} would allow everything it does`);
      if (reply.decision === 'always') this.addRule(rule);
      else if (question.sessionId) this.addSessionRule(question.sessionId, rule);
      else if (question.outsideSession) this.outsideRules.set(question.outsideSession, [...new Set([...this.rulesFor(question), rule])]);
    }
    this.settle(id, 'allowed', reply.decision, reply.message ?? null, who, rule);
    if (rule) this.answerMatching();
    return this.get(id);
  }

  /** Ends one question nobody needs answered any more (whoever asked stopped waiting). */
  cancel(id: string, reason: string): void {
    if (this.waiting.has(id)) this.settle(id, 'expired', 'cancelled', reason, { by: 'system', via: 'system' });
  }

  /** Ends the questions of a turn that is over (the process died or was interrupted). */
  cancelTurn(turnId: string, reason: string): void {
    for (const [id, question] of this.waiting.entries()) {
      if (question.turnId === turnId) this.settle(id, 'expired', 'cancelled', reason, { by: 'system', via: 'system' });
    }
  }

  get(id: string): Approval {
    const row = this.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as Row | undefined;
    if (!row) throw new AppError('not_found', `no permission question ${id}`);
    return this.toApproval(row);
  }

  list(status: 'pending' | 'all', limit: number): Approval[] {
    const where = status === 'pending' ? `WHERE a.status = 'pending'` : '';
    return (this.db.prepare(`${SELECT} ${where} ORDER BY a.created_at DESC LIMIT ?`).all(limit) as Row[]).map((row) => this.toApproval(row));
  }

  rules(): ApprovalRule[] {
    return (this.db.prepare('SELECT id, rule, created_at FROM approval_rules ORDER BY rule').all() as { id: number; rule: string; created_at: number }[]).map(
      (r) => ({ id: r.id, rule: r.rule, createdAt: r.created_at }),
    );
  }

  /** Rules a new process gets as --allowedTools: the saved ones and this session's. */
  allowedTools(sessionId: string): string[] {
    return [...new Set([...this.rules().map((r) => r.rule), ...this.sessionRules(sessionId)])];
  }

  addRule(rule: string): void {
    this.db.prepare('INSERT INTO approval_rules (rule, created_at) VALUES (?, ?) ON CONFLICT (rule) DO NOTHING').run(rule, Date.now());
    this.deps.events.emit('approvals.rulesChanged', this.rules());
  }

  removeRule(id: number): boolean {
    const removed = this.db.prepare('DELETE FROM approval_rules WHERE id = ?').run(id).changes > 0;
    if (removed) this.deps.events.emit('approvals.rulesChanged', this.rules());
    return removed;
  }

  private get db() {
    return this.deps.storage.db;
  }

  private toApproval(row: Row): Approval {
    return toApproval(row, row.session_id ? this.deps.sessions.title(row.session_id) : null);
  }

  /** "This session" rules of sessions Switchboard does not own, by their key: they last as long as Switchboard runs. */
  private readonly outsideRules = new Map<string, string[]>();

  private rulesFor(question: Question): string[] {
    return question.sessionId ? this.sessionRules(question.sessionId) : (this.outsideRules.get(question.outsideSession ?? '') ?? []);
  }

  private sessionRules(sessionId: string | null): string[] {
    return sessionId ? this.deps.sessions.rules(sessionId) : [];
  }

  private addSessionRule(sessionId: string, rule: string): void {
    const rules = [...new Set([...this.sessionRules(sessionId), rule])];
    this.deps.sessions.setRules(sessionId, rules);
  }

  /** The rule that answers a question, if any; never for a question Claude asks the user (no rule may stand in for a person). */
  private matchingRule(question: Question): string | null {
    if (isQuestionTool(question.toolName)) return null;
    const candidates = [...this.rules().map((r) => r.rule), ...this.rulesFor(question)];
    return candidates.find((rule) => ruleMatches(rule, question.toolName, question.input)) ?? null;
  }

  /** A rule just saved may answer other questions still waiting. */
  private answerMatching(): void {
    for (const [id, question] of this.waiting.entries()) {
      const rule = this.matchingRule(question);
      if (rule) this.settle(id, 'allowed', 'rule', null, { by: 'rule', via: 'rule' }, rule);
    }
  }

  private settle(id: string, status: ApprovalStatus, decision: ApprovalDecision, message: string | null, who: Answerer, rule: string | null = null, input?: Record<string, unknown>): void {
    const question = this.waiting.get(id);
    if (!question) return;
    this.db
      .prepare('UPDATE approvals SET status = ?, decision = ?, message = ?, rule = ?, answered_by = ?, answered_via = ?, answered_at = ? WHERE id = ?')
      .run(status, decision, message, rule, who.by, who.via, Date.now(), id);
    this.waiting.reply(id, status === 'allowed' ? { allow: true, input: input ?? question.input } : { allow: false, message: message ?? 'Denied.' });
    this.emit(id);
  }

  private emit(id: string): void {
    this.deps.events.emit('approvals.changed', this.get(id));
  }
}

/** One line about what the tool would do, for notifications and phone messages. */
export function summarize(question: Pick<Question, 'toolName' | 'input' | 'description'>): string {
  return (toolCallDetail(question.input) ?? question.description ?? JSON.stringify(question.input)).slice(0, 200);
}
