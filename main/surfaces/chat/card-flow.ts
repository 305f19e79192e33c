import { fromTerminal, type Approval, type ClaudeQuestion } from '../../../contract';
import { disposableTimeout, DisposableStore, type IDisposable } from '../../disposable';
import type { CallContext } from '../../ipc/router';
import type { IncomingMessage, IncomingPress } from './adapter';
import { approvalCard, settledCard } from './cards';
import type { ChatKit } from './kit';
import type { OutboxAbout } from './outbox';

const questionsOf = (approval: Approval) => ((approval.input as { questions?: ClaudeQuestion[] }).questions ?? []) as ClaudeQuestion[];

/**
 * Questions from the one broker as cards in the chats, and their answers back to it: a card goes to the
 * chats showing the session (or, once it has waited, to the owner's), is edited in every chat once it is
 * answered anywhere, and a press or a typed reply answers it as the person who gave it.
 */
export class ApprovalCards {
  /** Cards waiting to be sent to the owner's chats (a question from a desk session or a terminal), by approval id. */
  private timers = new DisposableStore();
  private readonly waiting = new Map<string, IDisposable>();
  /** Answers chosen so far for a question card with several questions, by approval id. */
  private readonly choices = new Map<string, Record<string, string>>();

  constructor(private readonly kit: ChatKit) {}

  start(): void {
    this.timers = new DisposableStore();
  }

  stop(): void {
    this.timers.dispose();
    this.waiting.clear();
  }

  onApproval(approval: Approval): void {
    if (!this.kit.adapter()) return;
    if (approval.status !== 'pending') return this.settle(approval);
    const chats = approval.sessionId ? this.kit.store.chatsOf(approval.sessionId).map((b) => b.chatKey) : [];
    if (chats.length) return this.send(approval, chats);
    // Asked of the person directly (ask_user from Claude Code or a script): now, to their private chat.
    if (approval.source !== 'session' && !fromTerminal(approval)) return this.send(approval, this.kit.ownerChats());
    // From a desk session or a terminal: only once it has waited, so answering at the keyboard sends nothing.
    const delay = (fromTerminal(approval) ? this.kit.settings.get('hooks.phoneDelaySeconds') : this.kit.settings.get(`${this.kit.surface}.questionDelaySeconds`)) * 1000;
    const timer = disposableTimeout(
      () => {
        this.waiting.delete(approval.id);
        void this.pending(approval.id, this.kit.caller('bot')).then((still) => {
          if (still) this.send(still, this.kit.ownerChats());
        });
      },
      delay,
      this.timers,
    );
    this.waiting.set(approval.id, timer);
  }

  private send(approval: Approval, chats: string[]): void {
    const adapter = this.kit.adapter();
    if (!adapter) return;
    const card = approvalCard(approval, this.kit.windowUrl());
    this.kit.store.addCards(approval.id, chats);
    const text = adapter.format(card.markdown)[0];
    this.kit.outbox.enqueue(chats.map((chatKey) => ({ chatKey, about: { kind: 'card', approvalId: approval.id }, op: 'send', payload: { text, buttons: card.buttons }, dedupe: `card:${approval.id}:${chatKey}` })));
  }

  private settle(approval: Approval): void {
    const timer = this.waiting.get(approval.id);
    if (timer) this.timers.delete(timer);
    this.waiting.delete(approval.id);
    this.choices.delete(approval.id);
    const cards = this.kit.store.settleCards(approval.id);
    if (!cards.length) return;
    const text = this.kit.adapter()!.format(settledCard(approval, (actor) => this.actorName(actor)))[0]!;
    // A card still on its way is edited once it is sent (see `sent`).
    const about: OutboxAbout = { kind: 'settled', approvalId: approval.id };
    this.kit.outbox.enqueue(cards.filter((c) => c.messageId).map((c) => ({ chatKey: c.chatKey, about, op: 'edit', payload: { text, messageId: c.messageId! }, dedupe: `settled:${approval.id}:${c.chatKey}` })));
  }

  /** A card went out: its message is kept, and edited at once when the question was answered meanwhile. */
  sent(approvalId: string, chatKey: string, messageId: string): void {
    if (!this.kit.store.cardSent(approvalId, chatKey, messageId).settled) return;
    void this.kit.tryCall('approvals.get', { id: approvalId }, this.kit.caller('bot')).then((r) => {
      const adapter = this.kit.adapter();
      if (!r.ok || !adapter) return;
      const text = adapter.format(settledCard(r.value, (actor) => this.actorName(actor)))[0]!;
      this.kit.outbox.enqueue([{ chatKey, about: { kind: 'settled', approvalId }, op: 'edit', payload: { text, messageId }, dedupe: `settled:${approvalId}:${chatKey}` }]);
    });
  }

  /** Who answered, in words: a person's name from the allowlist, the window, a rule. */
  private actorName(actor: string | null): string {
    if (!actor) return 'someone';
    const [surface, id] = actor.split(':');
    if (surface === this.kit.surface && id) return this.kit.access.user(id)?.name ?? `a ${this.kit.facts.label} user`;
    if (actor === 'desktop') return 'you in the desktop app';
    if (surface === 'browser' || surface === 'api') return 'you in a browser';
    if (actor === 'rule') return 'a saved rule';
    if (actor === 'system') return 'Switchboard';
    return actor;
  }

  /** A question still waiting for its answer, or null (answered, expired, or unknown). */
  private async pending(id: string, ctx: CallContext): Promise<Approval | null> {
    const found = await this.kit.tryCall('approvals.get', { id }, ctx);
    return found.ok && found.value.status === 'pending' ? found.value : null;
  }

  // ── answers ───────────────────────────────────────────────────────────────────────────────────

  /** A permission button (`ap:<id>:<o|s|a|d>`). */
  async pressed(p: IncomingPress, ctx: CallContext, [id, code]: string[]): Promise<void> {
    const decision = ({ o: 'once', s: 'session', a: 'always', d: 'deny' } as const)[code as 'o' | 's' | 'a' | 'd'];
    if (!id || !decision) return p.acknowledge('That button is from an older Switchboard.');
    const result = await this.kit.tryCall('approvals.answer', { id, decision, ...(decision === 'deny' ? { message: `Denied by ${p.userName} on ${this.kit.facts.label}` } : {}) }, ctx);
    return p.acknowledge(result.ok ? 'Answered' : result.error.message.slice(0, 180));
  }

  /** One option of Claude's question pressed (`aq:<id>:<question>:<option>`): with every question answered, the answers go back to Claude. */
  async optionPressed(p: IncomingPress, ctx: CallContext, [id, qi, oi]: string[]): Promise<void> {
    const approval = await this.pending(id!, ctx);
    if (!approval) return p.acknowledge('This question was already answered.');
    if (approval.toolName === 'ExitPlanMode') {
      const approve = oi === '0';
      const result = await this.kit.tryCall('approvals.answer', approve ? { id: id!, decision: 'once' } : { id: id!, decision: 'deny', message: `Keep planning (${p.userName} on ${this.kit.facts.label})` }, ctx);
      return p.acknowledge(result.ok ? (approve ? 'Plan approved' : 'Sent back') : result.error.message.slice(0, 180));
    }
    const questions = questionsOf(approval);
    const question = questions[Number(qi)];
    const option = question?.options[Number(oi)];
    if (!question || !option) return p.acknowledge('That option is not there any more.');
    const chosen = { ...this.choices.get(id!), [question.question]: option.label };
    this.choices.set(id!, chosen);
    if (questions.some((q) => !chosen[q.question])) return p.acknowledge(`${option.label}: now the next question`);
    this.choices.delete(id!);
    const result = await this.kit.tryCall('approvals.answer', { id: id!, decision: 'once', answers: chosen }, ctx);
    return p.acknowledge(result.ok ? 'Answered' : result.error.message.slice(0, 180));
  }

  /** A reply to a question card with text: the answer, typed (for a question without choices, or another answer). Whether it was one. */
  async typed(m: IncomingMessage, ctx: CallContext): Promise<boolean> {
    const approvalId = m.replyTo ? this.kit.store.cardAt(m.chatKey, m.replyTo) : undefined;
    if (!approvalId) return false;
    const approval = await this.pending(approvalId, ctx);
    if (approval?.toolName !== 'AskUserQuestion') return false;
    const questions = questionsOf(approval);
    const chosen = { ...this.choices.get(approvalId) };
    const next = questions.find((q) => !chosen[q.question]);
    if (next) chosen[next.question] = m.text;
    if (questions.some((q) => !chosen[q.question])) {
      this.choices.set(approvalId, chosen);
      return true;
    }
    this.choices.delete(approvalId);
    await this.kit.call('approvals.answer', { id: approvalId, decision: 'once', answers: chosen }, ctx);
    return true;
  }
}
