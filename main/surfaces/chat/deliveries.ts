import path from 'node:path';
import type { RunDelivery, Task, TerminalStop, Turn, UserNote, UserNotification } from '../../../contract';
import { errorMessage } from '../../errors';
import { log } from '../../log';
import { readSendable } from '../../sendable-file';
import type { ChatKit } from './kit';
import type { OutboxAbout, OutboxEntry } from './outbox';
import { runDeliveryEntries, taskDeliveryEntries } from './run-delivery';

/**
 * What reaches the chats without being asked in them: job results, background tasks' answers, notes
 * when a long turn of a session no chat shows ends, notes Claude or a script sends the user, a
 * terminal's stop (a reply to it continues that session) and the core's own notifications. All of it
 * goes through the outbox, once per chat.
 */
export class Deliveries {
  /** Stop notes of terminal sessions, by `<chat>:<message>`: a reply to one continues that session. */
  private readonly stopMessages = new Map<string, string>();

  constructor(private readonly kit: ChatKit) {}

  private doneNotes(): boolean {
    return this.kit.settings.get(`${this.kit.surface}.doneNotes`);
  }

  /** The same Markdown to each chat, once per chat under `<key>:<chat>`. */
  private toEach(chats: string[], markdown: string, about: OutboxAbout, key: string): void {
    const adapter = this.kit.adapter();
    if (!adapter) return;
    const text = adapter.format(markdown)[0];
    this.kit.outbox.enqueue(chats.map((chatKey) => ({ chatKey, about, op: 'send', payload: { text }, dedupe: `${key}:${chatKey}` })));
  }

  /**
   * A job's result (its after-run deliver step), with its files as documents, to the chats the job names
   * for this app (or the owner's): whether it went out here.
   */
  async deliverRun(delivery: RunDelivery): Promise<boolean> {
    const { job, run } = delivery;
    const adapter = this.kit.adapter();
    const targets = job.delivery.chats.filter((c) => c.surface === this.kit.surface).map((c) => c.target);
    if (!adapter || !targets.length || !this.doneNotes()) return false;
    // Only to chats Switchboard knows as the owner's: an allowed person's, or a channel bound in the window.
    const known = (t: string) => t === 'owner' || this.kit.ownerChats().includes(t) || !!this.kit.store.channel(t);
    for (const t of targets.filter((x) => !known(x))) log.warn(`${this.kit.surface}: a job's result was not sent to a chat nobody allowed`, { jobId: job.id, chat: t });
    const chats = [...new Set(targets.filter(known).flatMap((t) => (t === 'owner' ? this.kit.ownerChats() : [t])))];
    if (!chats.length) return false;
    const link = this.kit.link(`#/schedules/${job.id}/runs/${run.id}`);
    this.kit.outbox.enqueue(await runDeliveryEntries(delivery, { chats, facts: this.kit.facts, format: (m) => adapter.format(m), link, files: this.kit.files }));
    return true;
  }

  /** A background task's answer and files to the chat that asked for it (/task). */
  async deliverTask(chatKey: string, task: Task): Promise<void> {
    const adapter = this.kit.adapter();
    if (!adapter) return;
    this.kit.outbox.enqueue(await taskDeliveryEntries(task, { chats: [chatKey], facts: this.kit.facts, format: (m) => adapter.format(m), link: this.kit.link(`#/tasks/${task.id}`), files: this.kit.files }));
  }

  /** A long turn of a session no chat shows ended: a short note, as the desktop app notifies. */
  doneNote(turn: Turn): void {
    if (turn.status === 'running' || turn.status === 'queued' || !turn.startedAt || !turn.endedAt) return;
    // Asked from this app in a session no chat shows: a /task, whose answer goes to the chat that asked.
    if (turn.surface === this.kit.surface) return;
    if (!this.doneNotes() || turn.surface === 'schedule') return;
    if (turn.endedAt - turn.startedAt < this.kit.settings.get('sessions.notifyAfterSeconds') * 1000) return;
    const link = this.kit.link(`#/sessions/${turn.sessionId}`);
    const markdown = `${turn.status === 'done' ? '✅ Claude finished' : `⚠️ Claude's turn ${turn.status}`}: _${turn.prompt.split('\n')[0]!.slice(0, 80)}_\n\n${(turn.resultText ?? turn.error ?? '').slice(0, 1500)}${link ? `\n\n[Open in Switchboard](${link})` : ''}`;
    this.toEach(this.kit.ownerChats(), markdown, { kind: 'done', turnId: turn.id }, `done:${turn.id}`);
  }

  /** Whether a note for the user would go out here now: connected, with the owner's chat to send it to. */
  takesNotes(): boolean {
    return !!this.kit.adapter() && this.kit.ownerChats().length > 0;
  }

  /** A note Claude or a script sent the user (notify_user): text, and the file when there is one. */
  async onNote(note: UserNote): Promise<void> {
    if (!this.kit.adapter()) return;
    // Read once, off the event loop, by the same rules user.notify checked (a file swapped since is not sent).
    let content: string | null = null;
    let refused: string | null = null;
    if (note.filePath) {
      try {
        content = (await readSendable(note.filePath, this.kit.files)).toString('base64');
      } catch (error) {
        refused = errorMessage(error);
        log.warn('a note’s file was not sent', { file: note.filePath, reason: refused });
      }
    }
    const adapter = this.kit.adapter();
    if (!adapter) return;
    const markdown = `📝 *${note.title}*\n\n${note.text}${refused ? `\n\n_The file was not sent: ${refused}_` : ''}`;
    const about: OutboxAbout = { kind: 'note', at: note.at };
    const entries: OutboxEntry[] = [];
    for (const chatKey of this.kit.ownerChats()) {
      entries.push({ chatKey, about, op: 'send', payload: { text: adapter.format(markdown)[0] }, dedupe: `usernote:${note.at}:${chatKey}` });
      if (note.filePath && content !== null) {
        entries.push({ chatKey, about, op: 'document', payload: { fileName: path.basename(note.filePath), content }, dedupe: `usernote:${note.at}:${chatKey}:file` });
      }
    }
    this.kit.outbox.enqueue(entries);
  }

  /** A Claude Code session in a terminal stopped: its last message, and (when replies are on) how to continue it. */
  onTerminalStop(stop: TerminalStop): void {
    if (!this.kit.adapter() || !this.doneNotes()) return;
    const seconds = stop.replyUntil ? Math.round((stop.replyUntil - Date.now()) / 1000) : 0;
    const markdown = `🏁 *Claude Code finished* in \`${stop.project}\`\n\n${stop.lastMessage.slice(0, 3000) || '_(no text)_'}${seconds > 0 ? `\n\n_Reply to this message within ${seconds} s to continue the session._` : ''}`;
    this.toEach(this.kit.ownerChats(), markdown, { kind: 'stop', stopId: stop.id }, `stop:${stop.id}`);
  }

  /** A stop note went out: a reply to that message continues the terminal's session. */
  stopSent(stopId: string, chatKey: string, messageId: string): void {
    this.stopMessages.set(`${chatKey}:${messageId}`, stopId);
  }

  /** The terminal stop a message is the note of, if any. */
  stopAt(chatKey: string, messageId: string): string | undefined {
    return this.stopMessages.get(`${chatKey}:${messageId}`);
  }

  /** Notes the core raises for the user that no other path brings here (a database problem, say). */
  onNotification(note: UserNotification): void {
    if (!note.title.startsWith('Switchboard')) return;
    this.toEach(this.kit.ownerChats(), `🔔 *${note.title}*\n\n${note.body}`, { kind: 'notification', at: note.at }, `note:${note.at}`);
  }
}
