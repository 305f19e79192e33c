import { useState } from 'react';
import type { ChatChannel } from '../../../../contract';
import { confirmAction } from '../../app/Dialog';
import type { ChatBotStore } from './chat-bot-store';

interface Draft {
  chatKey: string;
  cwd: string;
  model: string;
  replyTo: ChatChannel['replyTo'];
  allowedTools: string;
  systemPrompt: string;
}

const empty: Draft = { chatKey: '', cwd: '', model: '', replyTo: 'mention', allowedTools: '', systemPrompt: '' };
const toDraft = (c: ChatChannel): Draft => ({ chatKey: c.chatKey, cwd: c.cwd ?? '', model: c.model ?? '', replyTo: c.replyTo, allowedTools: c.allowedTools.join('\n'), systemPrompt: c.systemPrompt ?? '' });

/** Channels opt in: each bound to a project (folder, model, tools it may use without asking, a system prompt). */
export function DiscordChannels({ bot }: { bot: ChatBotStore }) {
  const { channels, busy, bind, unbind } = bot;
  const [draft, setDraft] = useState<Draft | null>(null);
  const choices = channels.seen.filter((c) => !c.bound || c.chatKey === draft?.chatKey);
  const named = (key: string) => channels.seen.find((c) => c.chatKey === key) ?? channels.bound.find((c) => c.chatKey === key);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...(d ?? empty), ...patch }));
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const channel = named(draft.chatKey);
    const ok = await bind({
      chatKey: draft.chatKey.trim(),
      name: channel?.name ?? draft.chatKey.trim(),
      place: channel?.place ?? '',
      cwd: draft.cwd.trim() || null,
      model: draft.model.trim() || null,
      replyTo: draft.replyTo,
      allowedTools: draft.allowedTools.split('\n').map((l) => l.trim()).filter(Boolean),
      systemPrompt: draft.systemPrompt.trim() || null,
    });
    if (ok) setDraft(null);
  };
  return (
    <>
      <h3>Channels</h3>
      {channels.bound.length ? (
        <ul className="tokens" data-testid="discord-channels">
          {channels.bound.map((c) => (
            <li key={c.chatKey}>
              <div>
                <strong>#{c.name}</strong> {c.place ? <span className="muted">in {c.place}</span> : null}
                <div className="muted">
                  {c.cwd ? <code>{c.cwd}</code> : 'its own folder per session'} · {c.model ?? 'default model'} · {c.replyTo === 'all' ? 'every message' : 'when mentioned'}
                  {c.allowedTools.length ? ` · ${c.allowedTools.length} tool rule${c.allowedTools.length === 1 ? '' : 's'}` : ''}
                </div>
              </div>
              <div className="row">
                <button onClick={() => setDraft(toDraft(c))}>Edit</button>
                <button
                  className="danger"
                  onClick={() =>
                    void confirmAction({ title: `Stop answering in #${c.name}?`, body: 'Its sessions stay in history; bind it again to go on.', confirm: 'Unbind', danger: true }).then((yes) =>
                      yes ? unbind(c.chatKey) : undefined,
                    )
                  }
                >
                  Unbind
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No channel yet: the bot answers in a server only in channels you bind here (and in direct messages from allowed people).</p>
      )}
      {draft ? (
        <form className="stack channel-form" aria-label="Bind a channel" onSubmit={(e) => void save(e)}>
          <div className="field">
            <label htmlFor="discord-channel">Channel</label>
            {choices.length ? (
              <select id="discord-channel" value={draft.chatKey} onChange={(e) => set({ chatKey: e.target.value })} required>
                <option value="">Choose a channel…</option>
                {choices.map((c) => (
                  <option key={c.chatKey} value={c.chatKey}>
                    #{c.name} ({c.place})
                  </option>
                ))}
              </select>
            ) : (
              <input id="discord-channel" inputMode="numeric" placeholder="Channel id (Developer Mode → Copy Channel ID)" value={draft.chatKey} onChange={(e) => set({ chatKey: e.target.value })} required />
            )}
          </div>
          <div className="field">
            <label htmlFor="discord-cwd">Project folder</label>
            <input id="discord-cwd" spellCheck={false} placeholder="~/code/project (empty: a new folder per session)" value={draft.cwd} onChange={(e) => set({ cwd: e.target.value })} />
            <p className="hint">A changed folder applies to new sessions (/new); model and prompt apply at once.</p>
          </div>
          <div className="field">
            <label htmlFor="discord-model">Model</label>
            <input id="discord-model" spellCheck={false} placeholder="sonnet, opus… (empty: the CLI’s default)" value={draft.model} onChange={(e) => set({ model: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="discord-reply">Answers</label>
            <select id="discord-reply" value={draft.replyTo} onChange={(e) => set({ replyTo: e.target.value as Draft['replyTo'] })}>
              <option value="mention">When mentioned</option>
              <option value="all">Every message</option>
            </select>
            <p className="hint">Only messages from people you allowed, either way; mentioned includes a reply to the bot.</p>
          </div>
          <div className="field">
            <label htmlFor="discord-tools">Tools it may use without asking</label>
            <textarea id="discord-tools" rows={3} spellCheck={false} placeholder={'Bash(git status:*)\nEdit'} value={draft.allowedTools} onChange={(e) => set({ allowedTools: e.target.value })} />
            <p className="hint">One Claude Code permission rule per line; anything else is asked with buttons in the channel.</p>
          </div>
          <div className="field">
            <label htmlFor="discord-prompt">System prompt</label>
            <textarea id="discord-prompt" rows={3} value={draft.systemPrompt} onChange={(e) => set({ systemPrompt: e.target.value })} />
          </div>
          <div className="row">
            <button type="submit" disabled={busy || !draft.chatKey.trim()}>
              Save
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button onClick={() => setDraft(empty)}>Bind a channel…</button>
      )}
    </>
  );
}
