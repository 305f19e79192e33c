import type { NoteDelivery, UserAnswer } from '../../contract';
import type { ApprovalBroker } from '../approvals/approval-broker';
import { reviewQuestions } from '../approvals/review-questions';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import { expandFolder } from '../folders';
import { callerInWords, isOwner } from '../ipc/owner';
import type { CallContext } from '../ipc/router';
import type { Service } from '../lifecycle';
import type { Notifier } from '../notifier';
import { withTimeout } from '../request-store';
import { checkSendable, type SendRules } from '../sendable-file';

/**
 * Claude (or a script) reaching the person: a note on the desktop and in Telegram, or a question that
 * waits for the answer. A question is one of Claude's own questions in the one broker, so the window and
 * Telegram show it as they show every other, and the first answer wins.
 */
export class UserService implements Service {
  readonly name = 'user';

  constructor(
    private readonly deps: {
      events: EventBus;
      notifier: Notifier;
      approvals: ApprovalBroker;
      /** What a file handed to the chats is checked against (the data folder, Claude Code's folder). */
      files: SendRules;
      /** The surfaces that would take a note now (a desktop notifier, an open window, a bot with its owner's chat). */
      noteSurfaces?: () => string[];
    },
  ) {}

  start(): void {}
  stop(): void {}

  /**
   * A file goes with the note only once it passes the rules for what may leave the machine (a regular
   * file, not Switchboard's data, not Claude Code's credentials, not through a symlink to them, at most
   * 50 MB); otherwise nothing is sent or queued, and the caller is told which rule refused it. A file
   * sent out by anyone but the owner waits for the owner's word first.
   */
  async notify(input: { text: string; title: string; filePath?: string }, from: CallContext): Promise<NoteDelivery> {
    let filePath: string | null = null;
    if (input.filePath) {
      const checked = await checkSendable(expandFolder(input.filePath, this.deps.files.env), this.deps.files);
      if (!checked.ok) throw new AppError('invalid_input', `filePath: ${checked.reason}`);
      filePath = checked.file.real;
      if (!isOwner(from)) await this.ownerSends(filePath, checked.file.size, input.title, from);
    }
    // Asked before the note goes out: what takes it is what is there now.
    const delivered = this.deps.noteSurfaces?.() ?? [];
    this.deps.notifier.notify({ title: input.title, body: input.text.slice(0, 300) });
    this.deps.events.emit('user.note', { title: input.title, text: input.text, filePath, from: from.actor, at: Date.now() });
    return { delivered };
  }

  private async ownerSends(file: string, size: number, title: string, from: CallContext): Promise<void> {
    const sessionId = from.actor.startsWith('session:') ? from.actor.slice('session:'.length) : null;
    const kb = Math.max(1, Math.round(size / 1024));
    const answer = await reviewQuestions(this.deps.approvals).ask(
      { action: 'sendFile', sessionId, title, command: `send ${file} (${kb} KB) to your chats with the note “${title.slice(0, 80)}”`, summary: `${kb} KB`, requestedBy: callerInWords(from) },
      from.actor,
    );
    if (!answer.allowed) throw new AppError('unauthorized', `The owner did not allow sending ${file}${answer.by ? ` (answered in ${answer.by})` : ''}: ${answer.message ?? 'denied'}. Nothing was sent.`);
  }

  async ask(input: { question: string; choices: string[]; timeoutSeconds: number }, from: CallContext): Promise<UserAnswer> {
    const questions = [{ question: input.question, header: 'Question', multiSelect: false, options: input.choices.map((label) => ({ label, description: '' })) }];
    const { id, answer } = this.deps.approvals.ask({
      sessionId: null,
      turnId: null,
      source: from.actor,
      toolName: 'AskUserQuestion',
      input: { questions },
      suggestions: [],
      description: input.question,
    });
    const reply = await withTimeout(answer, input.timeoutSeconds * 1000, null);
    if (!reply) {
      this.deps.approvals.cancel(id, `No answer within ${input.timeoutSeconds} s; whoever asked stopped waiting.`);
      return { answer: null, timedOut: true, answeredBy: null, via: null };
    }
    const approval = this.deps.approvals.get(id);
    if (!reply.allow) return { answer: null, timedOut: false, answeredBy: approval.answeredBy, via: approval.answeredVia };
    const answers = (reply.input as { answers?: Record<string, string> }).answers ?? {};
    return { answer: answers[input.question] ?? null, timedOut: false, answeredBy: approval.answeredBy, via: approval.answeredVia };
  }
}
