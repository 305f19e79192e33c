import { useEffect, useState } from 'react';
import { changesLine, mergeStrategies, type ChangedFile, type MergeStrategy, type SessionSummary } from '../../../../contract';
import { confirmAction } from '../../app/Dialog';
import { selectComments, useChanges } from './changes-store';
import { DiffPane } from './lazy-diff';
import './changes.css';

const STATUS_MARK: Record<ChangedFile['status'], string> = { added: 'A', modified: 'M', deleted: 'D', renamed: 'R', copied: 'C', typechange: 'T' };
const STRATEGY_LABEL: Record<MergeStrategy, string> = { merge: 'Merge commit', squash: 'Squash into one commit', rebase: 'Rebase' };

function FileRow({ file, selected, onSelect }: { file: ChangedFile; selected: boolean; onSelect: () => void }) {
  return (
    <li>
      <button className={`changed-file${selected ? ' selected' : ''}`} aria-current={selected ? 'true' : undefined} onClick={onSelect} title={file.renamedFrom ? `${file.renamedFrom} → ${file.path}` : file.path}>
        <span className={`file-status status-${file.status}`} aria-label={file.status}>
          {STATUS_MARK[file.status]}
        </span>
        <span className="file-path">{file.path}</span>
        {file.binary ? (
          <span className="muted">binary</span>
        ) : (
          <span className="file-stat">
            <span className="adds">+{file.additions}</span> <span className="dels">−{file.deletions}</span>
          </span>
        )}
      </button>
    </li>
  );
}

/** The session's changes: the whole session or one turn, files with +/−, the open file's diff, review comments, and what to do with it all. */
export function ChangesTab({ session }: { session: SessionSummary }) {
  const open = useChanges((s) => s.open);
  const changes = useChanges((s) => s.changes);
  const turn = useChanges((s) => s.turn);
  const diff = useChanges((s) => s.diff);
  const error = useChanges((s) => s.error);
  const notice = useChanges((s) => s.notice);
  const conflicts = useChanges((s) => s.conflicts);
  const busy = useChanges((s) => s.busy);
  const loading = useChanges((s) => s.loading);
  const comments = useChanges(selectComments);
  const { selectTurn, selectFile, moreDiff, commit, merge, discard, undoTurn, addComment, removeComment, sendComments, askToResolve, dismiss } = useChanges.getState();
  const [strategy, setStrategy] = useState<MergeStrategy>('squash');
  useEffect(() => open(session.id), [open, session.id]);
  const worktree = session.worktree;
  if (!worktree) {
    return (
      <div className="changes-tab">
        <p className="muted empty">This session works in {session.cwd} directly, not in a worktree of its own, so Switchboard keeps no checkpoints of its changes. Start a session with “Own worktree” to review what Claude changes.</p>
      </div>
    );
  }
  const running = session.status === 'running' || session.status === 'queued';
  // Nothing against the base (merged already, or nothing changed yet): nothing to commit, merge or discard.
  const nothing = turn === null && changes?.totalFiles === 0;
  const nothingTitle = nothing ? `No changes against ${worktree.baseBranch}` : undefined;
  return (
    <div className="changes-tab" data-testid="changes-tab">
      <div className="changes-bar">
        <select aria-label="Show changes of" value={turn ?? ''} onChange={(e) => selectTurn(e.target.value ? Number(e.target.value) : null)}>
          <option value="">Whole session</option>
          {(changes?.turns ?? []).map((t) => (
            <option key={t} value={t}>
              Turn {t}
            </option>
          ))}
        </select>
        <span className="muted changes-summary">
          {changes ? changesLine(changes) : loading ? 'Loading…' : ''} · <code>{worktree.branch}</code> from <code>{worktree.baseBranch}</code>
        </span>
        <span className="changes-actions">
          {turn !== null ? (
            <button disabled={busy || running} onClick={async () => (await confirmAction({ title: `Undo turn ${turn}?`, body: 'The files this turn changed go back to how they were before it. Later changes to other files stay.', confirm: 'Undo turn', danger: true })) && void undoTurn(turn)}>
              Undo turn
            </button>
          ) : null}
          <button disabled={busy || running || nothing} title={nothingTitle} onClick={() => void commit()}>
            Commit
          </button>
          <select aria-label="Merge strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as MergeStrategy)}>
            {mergeStrategies.map((s) => (
              <option key={s} value={s}>
                {STRATEGY_LABEL[s]}
              </option>
            ))}
          </select>
          <button disabled={busy || running || nothing} title={nothingTitle} onClick={async () => (await confirmAction({ title: `Merge into ${worktree.baseBranch}?`, body: `${changes ? changesLine(changes) : 'The changes'} go into ${worktree.baseBranch} in ${worktree.repo} (${STRATEGY_LABEL[strategy].toLowerCase()}).`, confirm: 'Merge' })) && void merge(strategy)}>
            Merge
          </button>
          <button className="danger" disabled={busy || running || nothing} title={nothingTitle} onClick={async () => (await confirmAction({ title: 'Discard every change?', body: `${worktree.branch} goes back to ${worktree.baseBranch}; its commits and checkpoints are gone.`, confirm: 'Discard', danger: true })) && void discard()}>
            Discard
          </button>
        </span>
      </div>
      {changes?.problem ? (
        <div className="banner banner-warn" role="status">
          {changes.problem}
        </div>
      ) : null}
      {error ? (
        <div className="banner banner-error" role="alert">
          {error} <button onClick={dismiss}>Dismiss</button>
        </div>
      ) : null}
      {notice ? (
        <div className="banner" role="status">
          {notice} <button onClick={dismiss}>OK</button>
        </div>
      ) : null}
      {conflicts.length ? (
        <div className="banner banner-warn conflicts" role="alert">
          <ul>
            {conflicts.map((c) => (
              <li key={c.path}>
                <code>{c.path}</code>: {c.reason}
              </li>
            ))}
          </ul>
          <button onClick={() => void askToResolve()}>Ask Claude to resolve them</button>
        </div>
      ) : null}
      {comments.length ? (
        <div className="review-pending" role="region" aria-label="Review comments">
          <strong>
            {comments.length} comment{comments.length === 1 ? '' : 's'} for Claude
          </strong>
          <ul>
            {comments.map((c) => (
              <li key={c.id}>
                <code>
                  {c.path}:{c.from === c.to ? c.from : `${c.from}–${c.to}`}
                </code>{' '}
                {c.text} <button className="link" aria-label={`Remove comment on ${c.path}`} onClick={() => removeComment(c.id)}>
                  ✕
                </button>
              </li>
            ))}
          </ul>
          <button onClick={() => void sendComments()}>Send to Claude</button>
        </div>
      ) : null}
      <div className={`changes-body${diff ? ' has-diff' : ''}`}>
        <ul className="changed-files" aria-label="Changed files">
          {changes?.files.map((f) => (
            <FileRow key={f.path} file={f} selected={diff?.path === f.path} onSelect={() => selectFile(f.path)} />
          ))}
          {changes && !changes.files.length ? <li className="muted">No changes{turn !== null ? ' in this turn' : ` against ${worktree.baseBranch}`}.</li> : null}
          {changes?.nextOffset !== null && changes ? <li className="muted">{changes.totalFiles - changes.files.length} more files not listed.</li> : null}
        </ul>
        {diff ? (
          <div className="diff-pane" aria-label={`Diff of ${diff.path}`}>
            <div className="diff-file-head">
              <code>{diff.path}</code>
            </div>
            <DiffPane key={`${turn ?? 'all'}:${diff.path}`} path={diff.path} text={diff.text} more={diff.nextOffset !== null} loading={diff.loading} onMore={moreDiff} comments={comments} onComment={addComment} />
          </div>
        ) : null}
      </div>
    </div>
  );
}
