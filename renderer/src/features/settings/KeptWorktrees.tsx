import { useEffect, useState } from 'react';
import type { KeptWorktree } from '../../../../contract';
import { api } from '../../api';
import { confirmAction } from '../../app/Dialog';

/**
 * Worktrees of deleted sessions that were kept because they held changes not merged: otherwise they would
 * sit in the data folder unseen. Each can be removed here, with the work in it, on the user's word.
 */
export function KeptWorktrees() {
  const [kept, setKept] = useState<KeptWorktree[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    const load = () => void api.sessions.keptWorktrees({}).then((r) => r.ok && setKept(r.value));
    load();
    return api.on('sessions.keptWorktreesChanged', load);
  }, []);
  async function remove(w: KeptWorktree) {
    const ok = await confirmAction({
      title: `Remove ${w.branch}?`,
      body: `${w.unmerged ?? 'Its changes'} — they are not in ${w.baseBranch} and go with the worktree ${w.path}. This cannot be undone.`,
      confirm: 'Remove worktree',
      danger: true,
    });
    if (!ok) return;
    const r = await api.sessions.removeKeptWorktree({ sessionId: w.sessionId });
    setNote(r.ok ? r.value.message : r.error.message);
    const again = await api.sessions.keptWorktrees({});
    if (again.ok) setKept(again.value);
  }
  return (
    <section className="card" aria-labelledby="kept-worktrees-title">
      <h2 id="kept-worktrees-title">Kept worktrees</h2>
      <p className="muted">Worktrees of deleted sessions, kept because they held changes not merged into their base branch.</p>
      {kept && !kept.length ? <p className="muted">None: every deleted session’s work was merged or removed.</p> : null}
      <ul className="kept-worktrees">
        {(kept ?? []).map((w) => (
          <li key={w.sessionId}>
            <div>
              <strong>{w.branch}</strong> <span className="muted">from {w.baseBranch} in</span> <code>{w.repo}</code>
              <div className="muted">{w.problem ?? w.unmerged ?? 'Nothing left that is not merged.'}</div>
              <code className="kept-path">{w.path}</code>
            </div>
            <button className="danger" aria-label={`Remove the worktree ${w.branch}`} onClick={() => void remove(w)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      {note ? <p role="status">{note}</p> : null}
    </section>
  );
}
