import fs from 'node:fs';
import type { NoteDelivery, UserAnswer } from '../../contract';
import type { ApprovalBroker } from '../approvals/approval-broker';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import { expandFolder } from '../folders';
import type { CallContext } from '../ipc/router';
import type { Service } from '../lifecycle';
import type { Notifier } from '../notifier';

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
      /** The surfaces that would take a note now (a desktop notifier, an open window, a bot with its owner's chat). */
      noteSurfaces?: () => string[];
    },
  ) {}

  start(): void {}
  stop(): void {}

  notify(input: { text: string; title: string; filePath?: string }, from: CallContext): NoteDelivery {
    const filePath = input.filePath ? expandFolder(input.filePath, process.env) : null;
    if (filePath && !fs.statSync(filePath, { throwIfNoEntry: false })?.isFile()) throw new AppError('invalid_input', `filePath: no file at ${filePath}`);
    // Asked before the note goes out: what takes it is what is there now.
    const delivered = this.deps.noteSurfaces?.() ?? [];
    this.deps.notifier.notify({ title: input.title, body: input.text.slice(0, 300) });
    this.deps.events.emit('user.note', { title: input.title, text: input.text, filePath, from: from.actor, at: Date.now() });
    return { delivered };
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
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), input.timeoutSeconds * 1000);
      timer.unref();
    });
    const reply = await Promise.race([answer, timeout]);
    clearTimeout(timer);
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
