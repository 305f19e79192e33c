import cronstrue from 'cronstrue';
import { useEffect, useMemo, useRef } from 'react';
import { selectGo, selectRoute, useNavigation } from '../../app/navigation-store';
import { confirmAction } from '../../app/Dialog';
import { BackToList, isWide } from '../../app/panes';
import { ErrorBanner } from '../../app/ErrorBanner';
import { NotFound } from '../../app/NotFound';
import { money, type JobRun } from '../../../../contract';
import { MarkdownText } from '../../app/messages';
import { formatInZone } from '../../app/time';
import { useSessions } from '../sessions/sessions-store';
import { JobApprovalCard } from './JobApprovalCard';
import { JobEditor } from './JobEditor';
import { RunDetails } from './RunDetails';
import { useSchedules } from './schedules-store';

function words(cron: string): string {
  try {
    return cronstrue.toString(cron, { use24HourTimeFormat: true });
  } catch {
    return cron;
  }
}

function RunRow({ run, opened, newest }: { run: JobRun; opened: boolean; newest: boolean }) {
  const go = useNavigation(selectGo);
  // A Claude run whose session has a question waiting is waiting for the user, not working.
  const asking = useSessions((s) => run.status === 'running' && !!run.sessionId && Object.values(s.approvals).some((a) => a.sessionId === run.sessionId));
  const row = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (opened) row.current?.scrollIntoView({ block: 'center' });
  }, [opened]);
  const duration = run.startedAt && run.endedAt ? `${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s` : '';
  const when = run.startedAt ?? run.plannedAt ?? run.endedAt;
  const output = [run.stdoutTail, run.stderrTail].filter(Boolean).join('\n');
  return (
    <li className={opened ? 'run run-opened' : 'run'} data-testid="run" ref={row}>
      <details
        open={opened || undefined}
        onToggle={(e) => {
          // An opened run has its own address (a link, a reload, Back come back to it).
          if ((e.currentTarget as HTMLDetailsElement).open && !opened) go('schedules', [run.jobId, 'runs', run.id]);
        }}
      >
        <summary>
          <span className={`badge run-${run.status}`}>{run.status}</span>
          {asking ? (
            <button className="badge badge-warn link" onClick={() => go('sessions', [run.sessionId!])}>
              waiting for your answer
            </button>
          ) : null} {when ? `${new Date(when).toLocaleString()} (your time)` : ''} <span className="muted">{run.trigger}</span> {duration}
          {run.exitCode !== null && run.reason !== `exit code ${run.exitCode}` ? <span className="muted"> · exit code {run.exitCode}</span> : null}
          {run.costUsd ? <span className="muted"> · {money(run.costUsd)}</span> : null}
          {run.reason ? <span className="muted"> · {run.reason}</span> : null}
          {run.attachments.length ? <span className="muted"> · {run.attachments.length === 1 ? '1 file' : `${run.attachments.length} files`}</span> : null}
          {run.chainedFrom ? <span className="muted"> · started by a chain</span> : null}
        </summary>
        {run.resultText ? <MarkdownText text={run.resultText} /> : null}
        {output ? <pre className="run-output">{output}</pre> : null}
        {!run.resultText && !output ? <p className="muted">No output.</p> : null}
        {run.sessionId ? (
          <button className="link" onClick={() => go('sessions', [run.sessionId!])}>
            Open the run's conversation
          </button>
        ) : null}
        <RunDetails run={run} newest={newest} />
      </details>
    </li>
  );
}

/** Jobs on a schedule: the list, the editor with its next runs, run now, and every run's history. */
export function SchedulesScreen() {
  const start = useSchedules((s) => s.start);
  const jobs = useSchedules((s) => s.jobs);
  const selected = useSchedules((s) => s.selected);
  const select = useSchedules((s) => s.select);
  const route = useNavigation(selectRoute);
  const go = useNavigation(selectGo);
  const replace = useNavigation((s) => s.replace);
  const runs = useSchedules((s) => s.runs);
  const runNow = useSchedules((s) => s.runNow);
  const cancel = useSchedules((s) => s.cancel);
  const remove = useSchedules((s) => s.remove);
  const error = useSchedules((s) => s.error);
  const dismissError = useSchedules((s) => s.dismissError);
  const loaded = useSchedules((s) => s.loaded);
  useEffect(() => start(), [start]);
  const sorted = useMemo(() => Object.values(jobs).sort((a, b) => a.name.localeCompare(b.name)), [jobs]);
  // `#/schedules/<job>` and `#/schedules/<job>/runs/<run>`: the store follows the address.
  const [routeJob, , routeRun] = route.path;
  useEffect(() => {
    if ((routeJob ?? null) !== selected) select(routeJob ?? null);
  }, [routeJob, selected, select]);
  useEffect(() => {
    if (!routeJob && sorted[0] && isWide()) replace('schedules', [sorted[0].id]);
  }, [routeJob, sorted, replace]);
  const job = selected && selected !== 'new' ? (jobs[selected] ?? null) : null;
  // An address naming no job says so; it never opens a blank New job in its place.
  const missing = loaded && selected && selected !== 'new' && !job ? selected : null;
  const running = runs.some((r) => r.status === 'running');
  const question = useSessions((s) => (job?.approval?.approvalId ? s.approvals[job.approval.approvalId] : undefined));
  return (
    <div className={`schedules-screen two-pane full-bleed${selected ? ' show-detail' : ''}`}>
      <aside className="pane-side job-list" aria-label="Jobs">
        <button className="new-session" onClick={() => go('schedules', ['new'])}>
          New job
        </button>
        <ul>
          {sorted.map((j) => (
            <li key={j.id}>
              <button className={j.id === selected ? 'session-item active' : 'session-item'} onClick={() => go('schedules', [j.id])}>
                <span className="session-title">{j.name}</span>
                <span className="muted">{words(j.cron)}</span>
                <span className="session-facts">
                  <span className="badge">{j.kind}</span>
                  {j.approval ? <span className="badge badge-warn">Waiting for your approval</span> : null}
                  <span className="muted">{j.approval ? 'does not run until allowed' : j.enabled && j.nextRun ? `next ${formatInZone(j.nextRun, j.timeZone)} (${j.timeZone})` : j.enabled ? 'no next run' : 'disabled'}</span>
                  <span className="recent" aria-label="Recent runs">
                    {j.recent.map((status, i) => (
                      <span key={i} className={`dot run-${status}`} title={status} />
                    ))}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        {sorted.length ? null : <p className="muted empty-list">No jobs yet. A job runs a shell command or a Claude prompt on a schedule.</p>}
      </aside>
      <section className="schedule-detail">
        {error ? <ErrorBanner error={error} onClose={dismissError} /> : null}
        {missing ? (
          <NotFound what={`The job “${missing.slice(0, 60)}”`} screen="schedules" label="Schedules" />
        ) : selected && (selected === 'new' || job) ? (
          <>
            <div className="session-header">
              <div>
                <BackToList screen="schedules" label="Schedules" />
                <h1>{job ? job.name : 'New job'}</h1>
              </div>
              {job ? (
                <div className="session-actions">
                  <button disabled={!!job.approval} title={job.approval ? 'Waiting for your approval: allow it first' : undefined} onClick={() => void runNow()}>
                    Run now
                  </button>
                  <button disabled={!running} onClick={() => void cancel()}>
                    Cancel run
                  </button>
                  <button className="danger" onClick={async () => (await confirmAction({ title: `Delete “${job.name}”?`, body: 'Its run history goes too.', confirm: 'Delete', danger: true })) && void remove()}>
                    Delete
                  </button>
                </div>
              ) : null}
            </div>
            {job?.approval ? (
              <div className="banner banner-warn" role="status" data-testid="job-waiting">
                Waiting for your approval: made or changed by {job.approval.requestedBy}. It does not run until you allow it; Deny deletes it.
              </div>
            ) : null}
            {question ? <JobApprovalCard approval={question} /> : null}
            <JobEditor key={job ? `${job.id}:${job.updatedAt}` : 'new'} job={job} />
            {job ? (
              <section aria-label="Run history">
                <h2>Runs</h2>
                {runs.length ? (
                  <ul className="runs">
                    {runs.map((r) => (
                      <RunRow key={r.id} run={r} opened={r.id === routeRun} newest={job.kind === 'claude' && job.template && r.id === runs.find((x) => x.status !== 'running')?.id} />
                    ))}
                  </ul>
                ) : (
                  <p className="muted">No runs yet.</p>
                )}
              </section>
            ) : null}
          </>
        ) : (
          <p className="muted empty">No job selected. Create one with “New job”.</p>
        )}
      </section>
    </div>
  );
}
