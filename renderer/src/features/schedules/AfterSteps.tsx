import { useState } from 'react';
import type { AfterStep, JobInput } from '../../../../contract';
import { useSchedules } from './schedules-store';

/** The mail addresses a job's result goes to, as one comma-separated field. */
export function EmailTargets({ input, set }: { input: JobInput; set: <K extends keyof JobInput>(key: K, value: JobInput[K]) => void }) {
  const [text, setText] = useState(input.delivery.email.join(', '));
  return (
    <div className="field">
      <label htmlFor="job-email">Send the result by email to</label>
      <input
        id="job-email"
        type="text"
        inputMode="email"
        placeholder="you@example.com, team@example.com"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          set('delivery', { ...input.delivery, email: e.target.value.split(/[,\s]+/).filter(Boolean) });
        }}
      />
      <p className="hint">With the run’s files attached. The mail server is set in Settings → Mail.</p>
    </div>
  );
}

/** What happens after a run, in order: deliver, a command, another job. None: the result is delivered. */
export function AfterSteps({ jobId, input, set }: { jobId: string | null; input: JobInput; set: <K extends keyof JobInput>(key: K, value: JobInput[K]) => void }) {
  const jobs = useSchedules((s) => s.jobs);
  const others = Object.values(jobs).filter((j) => j.id !== jobId);
  const change = (i: number, step: AfterStep) => set('steps', input.steps.map((s, j) => (j === i ? step : s)));
  const add = (step: AfterStep) => set('steps', [...input.steps, step]);
  return (
    <fieldset className="after-steps" aria-label="After a run">
      <h3>After a run</h3>
      {input.steps.length ? null : <p className="hint">No steps: the result is delivered to the targets above.</p>}
      <ol className="sources">
        {input.steps.map((step, i) => (
          <li key={i} className="source-row" data-testid="step">
            {step.kind === 'deliver' ? (
              <span>Deliver the result and files</span>
            ) : step.kind === 'shell' ? (
              <input aria-label="Command after the run" spellCheck={false} placeholder="./publish.sh" value={step.command} onChange={(e) => change(i, { ...step, command: e.target.value })} />
            ) : (
              <>
                <select aria-label="Job to start" value={step.jobId} onChange={(e) => change(i, { ...step, jobId: e.target.value })}>
                  {others.map((j) => (
                    <option key={j.id} value={j.id}>
                      Start “{j.name}”
                    </option>
                  ))}
                </select>
                <select aria-label="When" value={step.when} onChange={(e) => change(i, { ...step, when: e.target.value as 'ok' | 'always' })}>
                  <option value="ok">if this run succeeded</option>
                  <option value="always">always</option>
                </select>
              </>
            )}
            <button type="button" className="link" onClick={() => set('steps', input.steps.filter((_, j) => j !== i))}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" onClick={() => add({ kind: 'deliver' })}>
          + Deliver
        </button>
        <button type="button" onClick={() => add({ kind: 'shell', command: '', timeoutSeconds: 300 })}>
          + Command
        </button>
        <button type="button" disabled={!others.length} onClick={() => others[0] && add({ kind: 'job', jobId: others[0].id, when: 'ok' })}>
          + Start a job
        </button>
      </div>
      {input.steps.some((s) => s.kind === 'shell') ? <p className="hint">The command runs in the job’s folder with SWITCHBOARD_RUN_DIR, SWITCHBOARD_RUN_STATUS and SWITCHBOARD_RUN_RESULT set.</p> : null}
    </fieldset>
  );
}
