import { changesLine, type SessionChanges } from '../../../contract';
import { errorMessage } from '../../errors';
import type { EventBus } from '../../events';
import { log } from '../../log';
import type { ChatButton } from './adapter';
import type { ChatCommand, CommandContext } from './command-context';
import type { ChatKit } from './kit';

/** Lines of a diff shown inline with its document: enough to see what it is about. */
const EXCERPT_LINES = 25;
/** The most of a diff sent as a document (the whole session's, or a turn's). */
const DOCUMENT_LINES = 50_000;

/**
 * The buttons under a turn's changes: Diff, Merge, Discard. Data stays under Telegram's 64 bytes:
 * `rv:<session id>:<d|m|x>[:<turn>]`.
 */
export function reviewButtons(sessionId: string, turn: number | null): ChatButton[][] {
  const t = turn === null ? '' : `:${turn}`;
  return [
    [
      { label: 'Diff', data: `rv:${sessionId}:d${t}` },
      { label: 'Merge', data: `rv:${sessionId}:m` },
      { label: 'Discard', data: `rv:${sessionId}:x` },
    ],
  ];
}

/** "*3 files changed, +40 −12* in turn 2 on switchboard/x (from main)" */
function headline(c: Pick<SessionChanges, 'totalFiles' | 'additions' | 'deletions' | 'branch' | 'baseBranch'>, turn: number | null): string {
  return `🧾 **${changesLine(c)}**${turn !== null ? ` in turn ${turn}` : ''} on \`${c.branch}\` (from \`${c.baseBranch}\`)`;
}

/**
 * A turn that changed files, in each chat the session is bound to: one line after the reply, with
 * Diff, Merge and Discard. Returns the unsubscribe function.
 */
export function reviewNotes(kit: ChatKit, events: EventBus, replyFinished: (chatKey: string, turnId: string) => Promise<void>): () => void {
  return events.on('sessions.changesChanged', (e) => {
    if (e.turn === null || !e.totalFiles || !kit.adapter()) return;
    const chats = kit.store.chatsOf(e.sessionId).map((b) => b.chatKey);
    if (!chats.length) return;
    const turn = e.turn;
    void (async () => {
      const changes = await kit.call('sessions.changes', { id: e.sessionId, turn, limit: 1 }, kit.caller('bot'));
      for (const chatKey of chats) {
        if (e.turnId) await replyFinished(chatKey, e.turnId);
        kit.sayOnce(chatKey, headline(changes, turn), { kind: 'changes', sessionId: e.sessionId, turn }, `changes:${e.sessionId}:${turn}:${chatKey}`, reviewButtons(e.sessionId, turn));
      }
    })().catch((error: unknown) => log.error(`${kit.surface}: a turn's changes line could not be sent`, error, { sessionId: e.sessionId }));
  });
}

/** The diff as a `.diff` document, with its first lines inline. */
async function sendDiff(c: CommandContext, sessionId: string, turn: number | null): Promise<void> {
  const diff = await c.call('sessions.diff', { id: sessionId, limit: DOCUMENT_LINES, ...(turn !== null ? { turn } : {}) });
  if (!diff.text) return c.reply(turn !== null ? `Turn ${turn} changed no lines.` : 'No changes against the base branch.');
  const lines = diff.text.split('\n');
  const excerpt = lines.slice(0, EXCERPT_LINES).join('\n').replace(/```/g, "'''");
  const more = lines.length - 1 > EXCERPT_LINES ? `\n_${lines.length - 1 - EXCERPT_LINES} more lines in the file${diff.nextOffset !== null ? ` (cut at ${DOCUMENT_LINES.toLocaleString('en')})` : ''}._` : '';
  c.reply(`\`\`\`diff\n${excerpt}\n\`\`\`${more}`);
  const name = `${turn !== null ? `turn-${turn}` : 'session'}-${sessionId.slice(0, 8)}.diff`;
  c.sendDocument(name, Buffer.from(diff.text, 'utf8'), { kind: 'diff', sessionId, turn }, `diff:${sessionId}:${turn ?? 'all'}:${c.chatKey}:${Date.now()}`);
}

/**
 * Merge and Discard from a chat: the owner's actions, so they wait in the broker (its card comes to this
 * chat too). Not awaited here: the chat goes on taking presses (the Allow on that card among them).
 */
function act(c: CommandContext, sessionId: string, action: 'merge' | 'discard'): void {
  void (async () => {
    try {
      if (action === 'merge') {
        c.reply('🔀 Merging once the owner allows it…');
        const r = await c.call('sessions.merge', { id: sessionId, strategy: 'squash' });
        const conflicts = r.conflicts.length ? `\n${r.conflicts.map((x) => `• \`${x.path}\`: ${x.reason}`).join('\n')}` : '';
        // Conflicts come with the offer to have Claude resolve them in the session.
        c.reply(`${r.merged ? '✅' : '⚠️'} ${r.message}${conflicts}`, r.conflicts.length ? [[{ label: 'Ask Claude to resolve', data: `rv:${sessionId}:r` }]] : undefined);
      } else {
        c.reply('🗑 Discarding once the owner allows it…');
        c.reply(`✅ ${(await c.call('sessions.discard', { id: sessionId })).message}`);
      }
    } catch (error) {
      c.reply(`⚠️ ${errorMessage(error)}`);
    }
  })();
}

/** The conflicts of a merge, handed to Claude in the session as its next message. */
async function askToResolve(c: CommandContext, sessionId: string): Promise<void> {
  const { worktree } = (await c.call('sessions.transcript', { id: sessionId, limit: 1 })).session;
  const base = worktree?.baseBranch ?? 'the base branch';
  await c.call('sessions.send', { id: sessionId, text: `Merging into ${base} stopped on conflicts. Please merge ${base} into your branch (git merge ${base}), resolve the conflicts keeping both intents, and commit.` });
  c.reply(`↪️ Asked Claude to resolve them; press Merge again once it is done.`);
}

/** `/changes`: what the chat's session changed, with Diff, Merge and Discard; and where those buttons come back. */
export const changesCommand: ChatCommand = {
  name: 'changes',
  description: 'What this chat’s session changed in its worktree, with Diff, Merge and Discard',
  button: 'rv',
  async run(c) {
    const session = await c.session();
    if (!session.worktree) return c.reply('This chat’s session works in its folder directly, not in a worktree of its own, so there are no changes to review. /folder starts one in a repository (with its own worktree).');
    const changes = await c.call('sessions.changes', { id: session.id, limit: 20 });
    if (!changes.totalFiles) return c.reply(`No changes on \`${changes.branch}\` against \`${changes.baseBranch}\`.${changes.problem ? `\n\n⚠️ ${changes.problem}` : ''}`);
    const files = changes.files.map((f) => `• \`${f.renamedFrom ? `${f.renamedFrom} → ` : ''}${f.path}\` ${f.binary ? 'binary' : `+${f.additions} −${f.deletions}`}${f.status === 'added' || f.status === 'deleted' ? ` (${f.status})` : ''}`);
    const rest = changes.totalFiles > changes.files.length ? `\n_and ${changes.totalFiles - changes.files.length} more_` : '';
    c.reply(`${headline(changes, null)}\n\n${files.join('\n')}${rest}${changes.problem ? `\n\n⚠️ ${changes.problem}` : ''}`, reviewButtons(session.id, null));
  },
  async press(c, [sessionId, what, turn]) {
    if (!sessionId || !what) return c.reply('That button is from an older Switchboard.');
    if (what === 'd') return sendDiff(c, sessionId, turn ? Number(turn) : null);
    if (what === 'm') return act(c, sessionId, 'merge');
    if (what === 'x') return act(c, sessionId, 'discard');
    if (what === 'r') return askToResolve(c, sessionId);
    c.reply('That button is from an older Switchboard.');
  },
};
