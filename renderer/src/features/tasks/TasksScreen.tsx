import { useEffect, useMemo, useState } from 'react';
import { money, type Task } from '../../../../contract';
import { api } from '../../api';
import { ErrorBanner } from '../../app/ErrorBanner';
import { FieldError } from '../../app/FieldError';
import { FileList } from '../../app/FileList';
import { MarkdownText } from '../../app/messages';
import { selectGo, selectRoute, useNavigation } from '../../app/navigation-store';
import { NotFound } from '../../app/NotFound';
import { BackToList } from '../../app/panes';
import { surfaceLabel } from '../../app/surfaces';
import { useTasks } from './tasks-store';

const working = (t: Task) => t.status === 'queued' || t.status === 'running';
const name = (t: Task) => t.title.replace(/^Task: /, '');

/** How long it has run (ticking while it runs), or how long it took. */
function useElapsed(since: number | null, until: number | null, running: boolean): string {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  if (!since) return '';
  const s = Math.max(0, Math.round(((running ? now : (until ?? since)) - since) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A prompt, started in a fresh session of its own; the window follows it here. */
function NewTask() {
  const launch = useTasks((s) => s.launch);
  const [prompt, setPrompt] = useState('');
  const [cwd, setCwd] = useState('');
  const [policy, setPolicy] = useState<'ask' | 'acceptEdits' | 'plan'>('ask');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="card new-task"
      aria-label="New task"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(await launch({ prompt, cwd: cwd.trim() || null, permissionPolicy: policy }));
        setBusy(false);
      }}
    >
      <div className="field">
        <label htmlFor="task-prompt">What should Claude do?</label>
        <textarea id="task-prompt" rows={5} value={prompt} placeholder="Sum up the open pull requests as a table in a file" onChange={(e) => setPrompt(e.target.value)} />
      </div>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="task-cwd">Project folder</label>
          <input id="task-cwd" type="text" spellCheck={false} value={cwd} placeholder="Empty: a folder of its own" onChange={(e) => setCwd(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="task-policy">Permissions</label>
          <select id="task-policy" value={policy} onChange={(e) => setPolicy(e.target.value as typeof policy)}>
            <option value="ask">Ask before tools run</option>
            <option value="acceptEdits">Accept file edits, ask for the rest</option>
            <option value="plan">Plan only (no changes)</option>
          </select>
        </div>
      </div>
      <FieldError error={error} />
      <p className="hint">It runs in the background in a fresh session, with a folder of its own for the files it makes; you are told when it is done. Questions it asks wait in Sessions.</p>
      <div className="row-actions">
        <button type="submit" disabled={busy || !prompt.trim()}>
          Start in the background
        </button>
      </div>
    </form>
  );
}

/** A task: where it stands (live while it runs), its answer, its files. */
function TaskView({ task }: { task: Task }) {
  const go = useNavigation(selectGo);
  const progress = useTasks((s) => s.progress[task.id]);
  const running = working(task);
  const [stopError, setStopError] = useState<string | null>(null);
  const elapsed = useElapsed(task.startedAt, task.endedAt, running);
  return (
    <>
      <div className="session-header">
        <div>
          <BackToList screen="tasks" label="Tasks" />
          <h1>{name(task)}</h1>
        </div>
        <div className="session-actions">
          <button onClick={() => go('sessions', [task.id])}>{running ? 'Watch it in Sessions' : 'Open the conversation'}</button>
          {running ? (
            <button className="danger" onClick={() => void api.sessions.interrupt({ id: task.id }).then((r) => setStopError(r.ok ? null : r.error.message))}>
              Stop
            </button>
          ) : null}
        </div>
      </div>
      <p className="task-facts" data-testid="task-status">
        <span className={`badge task-${task.status}`}>{task.status === 'queued' && task.position ? `queued (${task.position})` : task.status}</span>{' '}
        <span className="muted">
          asked from {surfaceLabel(task.surface)} · {new Date(task.createdAt).toLocaleString()}
          {elapsed ? ` · ${running ? 'running for' : 'took'} ${elapsed}` : ''}
          {task.costUsd ? ` · ${money(task.costUsd)}` : ''}
        </span>
      </p>
      {running ? (
        <section className="card task-progress" aria-label="Progress" data-testid="task-progress">
          <p className="muted">{task.status === 'queued' ? 'Waiting for a free Claude process…' : progress?.tool ? `Using ${progress.tool}…` : progress?.text ? 'Writing…' : 'Working…'}</p>
          {progress?.text ? <pre className="run-output">{progress.text}</pre> : null}
        </section>
      ) : null}
      {task.resultText ? (
        <section className="card task-answer" aria-label="Answer" data-testid="task-result">
          <MarkdownText text={task.resultText} />
        </section>
      ) : null}
      <FieldError error={stopError} />
      {task.error ? (
        <p className="field-error" role="alert">
          {task.error}
        </p>
      ) : null}
      {task.attachments.length ? (
        <section className="card attachments" aria-label="Files" data-testid="task-files">
          <h2>Files</h2>
          <FileList ownerId={task.id} files={task.attachments} />
        </section>
      ) : null}
      <details className="task-prompt">
        <summary>Prompt</summary>
        <pre className="run-output">{task.prompt}</pre>
        {task.outputDir ? <p className="hint">Files go to {task.outputDir}</p> : null}
      </details>
    </>
  );
}

/** Background work: start a prompt in a fresh session, follow it, get its answer and files. */
export function TasksScreen() {
  const start = useTasks((s) => s.start);
  const tasks = useTasks((s) => s.tasks);
  const loaded = useTasks((s) => s.loaded);
  const error = useTasks((s) => s.error);
  const dismissError = useTasks((s) => s.dismissError);
  const route = useNavigation(selectRoute);
  const go = useNavigation(selectGo);
  useEffect(() => start(), [start]);
  const sorted = useMemo(() => Object.values(tasks).sort((a, b) => b.createdAt - a.createdAt), [tasks]);
  // `#/tasks/new` (or no task named) shows the form; `#/tasks/<id>`, that task.
  const [selected] = route.path;
  const task = selected && selected !== 'new' ? tasks[selected] : undefined;
  const missing = loaded && selected && selected !== 'new' && !task ? selected : null;
  return (
    <div className={`tasks-screen two-pane full-bleed${selected ? ' show-detail' : ''}`}>
      <aside className="pane-side job-list" aria-label="Tasks">
        <button className="new-session" onClick={() => go('tasks', ['new'])}>
          New task
        </button>
        <ul>
          {sorted.map((t) => (
            <li key={t.id}>
              <button className={t.id === selected ? 'session-item active' : 'session-item'} onClick={() => go('tasks', [t.id])}>
                <span className="session-title">{name(t)}</span>
                <span className="session-facts">
                  <span className={`badge task-${t.status}`}>{t.status}</span>
                  <span className="muted">
                    {surfaceLabel(t.surface)} · {new Date(t.createdAt).toLocaleString()}
                    {t.attachments.length ? ` · ${t.attachments.length === 1 ? '1 file' : `${t.attachments.length} files`}` : ''}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        {sorted.length ? null : <p className="muted empty-list">No tasks yet. A task runs one prompt in the background; /task in a chat and MCP’s start_task make them too.</p>}
      </aside>
      <section className="schedule-detail">
        {error ? <ErrorBanner error={error} onClose={dismissError} /> : null}
        {missing ? (
          <NotFound what={`The task “${missing.slice(0, 60)}”`} screen="tasks" label="Tasks" />
        ) : task ? (
          <TaskView key={task.id} task={task} />
        ) : (
          <>
            <div className="session-header">
              <div>
                <BackToList screen="tasks" label="Tasks" />
                <h1>New task</h1>
              </div>
            </div>
            <NewTask />
          </>
        )}
      </section>
    </div>
  );
}
