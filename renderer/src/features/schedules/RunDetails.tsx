import { useState } from 'react';
import type { JobRun } from '../../../../contract';
import { api } from '../../api';
import { FileList } from '../../app/FileList';

/** What the run left for the next one: shown, and changed or cleared by you; on the newest run, written by you when it left none. */
function NextPrompt({ run, newest }: { run: JobRun; newest: boolean }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(run.nextPrompt ?? '');
  const [error, setError] = useState<string | null>(null);
  if (!run.nextPrompt && !editing) {
    return newest && run.status !== 'running' ? (
      <button type="button" className="link next-prompt-write" onClick={() => (setText(''), setEditing(true))}>
        Write the next run’s prompt
      </button>
    ) : null;
  }
  return (
    <div className="next-prompt" data-testid="next-prompt">
      <h4>{run.nextPrompt ? 'Next prompt (left by this run, for the run after it only)' : 'Next prompt (for the next run only)'}</h4>
      {editing ? (
        <>
          <textarea aria-label="Next prompt" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
          <div className="row">
            <button
              type="button"
              onClick={async () => {
                const r = await api.schedules.editNextPrompt({ runId: run.id, text: text.trim() ? text : null });
                setError(r.ok ? null : r.error.message);
                if (r.ok) setEditing(false);
              }}
            >
              Save
            </button>
            <button type="button" className="link" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
          {error ? <p className="error-text">{error}</p> : null}
        </>
      ) : (
        <>
          <pre className="run-output">{run.nextPrompt}</pre>
          <button type="button" className="link" onClick={() => (setText(run.nextPrompt ?? ''), setEditing(true))}>
            Edit
          </button>
        </>
      )}
    </div>
  );
}

/** A run's prompt (newest: the job's latest run, whose next prompt the next run gets), what its template could not fill, its files, what it left for the next run, and its steps. */
export function RunDetails({ run, newest = false }: { run: JobRun; newest?: boolean }) {
  return (
    <div className="run-details">
      {run.problems.length ? (
        <ul className="problems" data-testid="run-problems">
          {run.problems.map((p) => (
            <li key={p} className="warn-text">
              {p}
            </li>
          ))}
        </ul>
      ) : null}
      {run.attachments.length ? (
        <div className="attachments" data-testid="attachments">
          <h4>Files</h4>
          <FileList ownerId={run.id} files={run.attachments} />
        </div>
      ) : null}
      <NextPrompt run={run} newest={newest} />
      {run.steps.length ? (
        <div className="run-steps" data-testid="run-steps">
          <h4>After the run</h4>
          <ol>
            {run.steps.map((s, i) => (
              <li key={i}>
                <span className={`badge run-${s.status === 'ok' ? 'ok' : s.status === 'failed' ? 'failed' : 'skipped'}`}>{s.status}</span> {s.label} <span className="muted">· {s.detail}</span>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {run.prompt ? (
        <details className="run-prompt">
          <summary>Prompt as rendered</summary>
          <pre className="run-output">{run.prompt}</pre>
        </details>
      ) : null}
    </div>
  );
}
