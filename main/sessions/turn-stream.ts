import type { Approval, Denial, Message, SessionSummary, StreamItem } from '../../contract';
import type { ClaudeProcess } from '../claude/claude-process';
import type { ClaudeEvent, TurnResult } from '../claude/events';
import { PARTIAL_FLUSH_MS, type Current, type Runtime, type SessionManagerDeps } from './session-runtime';
import type { NewMessage, SessionStore } from './session-store';
import { compactionNotice } from './turn-errors';

/** What the stream needs of the turn runner and the manager. */
export interface TurnStreamHost {
  /** The CLI's result for the turn: it ends (turn-runner.ts). */
  finishTurn(rt: Runtime, proc: ClaudeProcess, result: TurnResult): void;
  /** The session's summary changed: told to every window. */
  changed(id: string): SessionSummary;
}

/**
 * What a session's CLI says during a turn, stored as messages and streamed as it comes: text (and the
 * partial text of a block still being written), tool calls and results, permission questions, retry notes.
 */
export class TurnStream {
  private readonly store: SessionStore;

  constructor(
    private readonly deps: SessionManagerDeps,
    private readonly host: TurnStreamHost,
  ) {
    this.store = deps.store;
  }

  /** Stores and streams one event of the session's CLI. */
  onEvent(rt: Runtime, proc: ClaudeProcess, event: ClaudeEvent): void {
    const cur = rt.current;
    const turnId = cur?.turnId ?? null;
    const id = rt.sessionId;
    switch (event.type) {
      case 'init':
        if (this.store.session(id)?.cli_started === 0) this.store.updateSession(id, { cli_started: 1 });
        return;
      case 'text_delta':
        if (cur && !event.parentToolUseId) {
          cur.partialText += event.text;
          this.persistPartial(cur);
        }
        this.emitStream(id, turnId, { kind: 'text_delta', text: event.text });
        return;
      case 'thinking_delta':
        this.emitStream(id, turnId, { kind: 'thinking_delta', text: event.text });
        return;
      case 'assistant': {
        const { block } = event;
        // An API error ends the block being streamed without it: what the user saw of it stays.
        if (cur && event.error) this.keepPartial(rt, cur);
        if (cur && event.error === 'rate_limit') cur.rateLimited = true;
        if (cur && block.type === 'text' && !event.parentToolUseId) {
          cur.partialText = '';
          this.persistPartial(cur);
        }
        // An API failure comes as a made-up reply ("API Error: Connection refused…") and again as the
        // turn's result: it is said once, as the turn's error, not as words of Claude's.
        if (block.type === 'text' && block.text && !event.error) this.message({ sessionId: id, turnId, role: 'assistant', kind: 'text', text: block.text, data: event.parentToolUseId ? { parentToolUseId: event.parentToolUseId } : undefined });
        if (block.type === 'thinking') this.message({ sessionId: id, turnId, role: 'assistant', kind: 'thinking', text: block.thinking });
        if (block.type === 'tool_use') {
          this.message({ sessionId: id, turnId, role: 'assistant', kind: 'tool_use', text: block.name, data: { id: block.id, name: block.name, input: block.input, parentToolUseId: event.parentToolUseId } });
        }
        return;
      }
      case 'tool_result':
        this.message({
          sessionId: id,
          turnId,
          role: 'tool',
          kind: 'tool_result',
          text: event.content.slice(0, 200_000),
          data: { toolUseId: event.toolUseId, isError: event.isError, denied: cur?.denied.has(event.toolUseId) ?? false, denial: cur?.denied.get(event.toolUseId) ?? null, parentToolUseId: event.parentToolUseId, ...(event.patch ? { patch: event.patch } : {}) },
        });
        return;
      case 'permission_request':
        this.askPermission(rt, proc, event.requestId, event.question);
        return;
      case 'result':
        this.host.finishTurn(rt, proc, event.result);
        return;
      case 'api_retry':
        // The reply broke off and is asked again from the start: keep the part that had streamed.
        if (cur) this.keepPartial(rt, cur);
        this.retryNote(rt, id, turnId, event);
        return;
      case 'control_request':
        proc.answerControlError(event.requestId, `Switchboard does not handle ${event.subtype}`);
        return;
      case 'unknown':
        this.message({ sessionId: id, turnId, role: 'system', kind: 'unknown', text: '', data: event.raw });
        return;
      case 'malformed':
        this.message({ sessionId: id, turnId, role: 'system', kind: 'unknown', text: event.line, data: { error: event.error } });
        return;
      case 'rate_limit':
        this.deps.onRateLimit?.(event.info);
        return;
      case 'compact':
        // Once a turn: a failing turn may compact again and again, and the user needs to hear it once.
        if (cur?.compacted) return;
        if (cur) cur.compacted = true;
        this.notice(id, turnId, compactionNotice(event.preTokens));
        return;
      case 'status':
      case 'control_response':
        return;
    }
  }

  private askPermission(rt: Runtime, proc: ClaudeProcess, requestId: string, question: Extract<ClaudeEvent, { type: 'permission_request' }>['question']): void {
    const cur = rt.current;
    if (cur) cur.waitingApprovals++;
    // The CLI asks to exit plan mode without the plan in the request: show the plan the model wrote in its call.
    const plan = question.toolName === 'ExitPlanMode' && !question.input.plan && question.toolUseId ? this.store.toolUseInput(rt.sessionId, question.toolUseId)?.plan : undefined;
    const description = typeof plan === 'string' ? plan : question.description;
    const { id: approvalId, answer } = this.deps.approvals.ask({ sessionId: rt.sessionId, turnId: cur?.turnId ?? null, source: 'session', ...question, description });
    void answer.then((reply) => {
      if (cur) cur.waitingApprovals--;
      if (cur && !reply.allow && question.toolUseId) cur.denied.set(question.toolUseId, denialOf(this.deps.approvals.get(approvalId)));
      // An approved plan ends plan mode in the CLI; the session's stored mode follows, for the next start.
      if (reply.allow && question.toolName === 'ExitPlanMode' && this.store.session(rt.sessionId)?.permission_policy === 'plan') {
        this.store.updateSession(rt.sessionId, { permission_policy: 'ask' });
        this.host.changed(rt.sessionId);
      }
      proc.lastOutputAt = Date.now();
      proc.answerPermission(requestId, reply.allow ? { behavior: 'allow', updatedInput: reply.input } : { behavior: 'deny', message: reply.message });
    });
  }

  /** Stores the text streamed of an unfinished block as a partial message, and starts over. */
  keepPartial(rt: Runtime, cur: Current): void {
    if (!cur.partialText) return;
    this.message({ sessionId: rt.sessionId, turnId: cur.turnId, role: 'assistant', kind: 'text', text: cur.partialText, data: { partial: true } });
    cur.partialText = '';
    this.persistPartial(cur);
  }

  /** Writes the streamed text of the block in progress to the turn, at most every PARTIAL_FLUSH_MS. */
  persistPartial(cur: Current): void {
    if (cur.partialTimer) return;
    cur.partialTimer = setTimeout(() => {
      cur.partialTimer = null;
      this.store.setPartialText(cur.turnId, cur.partialText || null);
    }, PARTIAL_FLUSH_MS);
  }

  /** Stores a message of the session and streams it. */
  message(message: NewMessage): Message {
    const stored = this.store.insertMessage(message);
    this.emitStream(message.sessionId, message.turnId, { kind: 'message', message: stored });
    return stored;
  }

  /** One note per turn while the CLI retries the API, its attempt count updated in place (not one note per attempt). */
  private retryNote(rt: Runtime, sessionId: string, turnId: string | null, retry: Extract<ClaudeEvent, { type: 'api_retry' }>): void {
    const text = `${apiFailureCause(retry)}; retrying (attempt ${retry.attempt} of ${retry.maxRetries}).`;
    const cur = rt.current;
    if (cur?.retryNote) {
      const message = this.store.updateMessageText(cur.retryNote, text);
      this.emitStream(sessionId, turnId, { kind: 'message', message });
      return;
    }
    const message = this.message({ sessionId, turnId, role: 'system', kind: 'notice', text });
    if (cur) cur.retryNote = message.id;
  }

  /** A note of Switchboard's in the conversation. */
  notice(sessionId: string, turnId: string | null, text: string): void {
    this.message({ sessionId, turnId, role: 'system', kind: 'notice', text });
  }

  /** Tells the windows and surfaces what happened in the session. */
  emitStream(sessionId: string, turnId: string | null, item: StreamItem): void {
    this.deps.events.emit('sessions.stream', { sessionId, turnId, item });
  }
}

/** Why a question ended in no, from how the broker settled it. */
function denialOf(approval: Approval): Denial {
  if (approval.decision === 'timeout') return { reason: 'timeout', via: null };
  if (approval.decision === 'cancelled') return { reason: 'cancelled', via: null };
  return { reason: approval.toolName === 'ExitPlanMode' ? 'plan' : 'user', via: approval.answeredVia };
}

/**
 * What the CLI's retry line says went wrong, in words. Without a status the API never answered (a
 * refused connection, a timeout, no network): the CLI says "unknown", which tells the user nothing.
 */
function apiFailureCause(retry: Extract<ClaudeEvent, { type: 'api_retry' }>): string {
  if (retry.status === 429) return 'The Claude API is rate limiting';
  if (retry.status === 529 || retry.error === 'overloaded') return 'The Claude API is overloaded';
  if (retry.status !== null) return `The Claude API answered ${retry.status}${retry.error && retry.error !== 'unknown' ? ` (${retry.error.replace(/_/g, ' ')})` : ''}`;
  return 'The Claude API could not be reached';
}
