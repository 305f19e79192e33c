import cronstrue from 'cronstrue';
import { useEffect, useState } from 'react';
import type { Job, JobInput } from '../../../../contract';
import { errorsByField, inLabels } from '../../app/field-errors';
import { FieldError } from '../../app/FieldError';
import { formatInZone, LOCAL_ZONE, zoneFormatter } from '../../app/time';
import { api } from '../../api';
import { ModelInput } from '../sessions/ModelInput';
import { useSchedules } from './schedules-store';
import { PromptSources } from './PromptSources';
import { AfterSteps, EmailTargets } from './AfterSteps';
import { BYPASS_AS_ROOT, useRunsAsRoot } from '../../app/runs-as-root';
import { ChatTargets } from './ChatTargets';

const PRESETS = [
  { label: 'Every 15 minutes', cron: '*/15 * * * *' },
  { label: 'Every hour', cron: '0 * * * *' },
  { label: 'Every day at 09:00', cron: '0 9 * * *' },
  { label: 'Weekdays at 09:00', cron: '0 9 * * 1-5' },
  { label: 'Mondays at 08:00', cron: '0 8 * * 1' },
  { label: 'First of the month at 07:00', cron: '0 7 1 * *' },
];

/** The form's labels, for naming a field in an error exactly as the form shows it. */
const LABELS: Record<string, string> = {
  name: 'Name',
  command: 'Command',
  cron: 'Schedule',
  timeZone: 'Time zone',
  cwd: 'Folder',
  env: 'Environment',
  timeoutSeconds: 'Timeout (s)',
  retries: 'Retries',
  model: 'Model',
  permissionPolicy: 'Permissions',
  sources: 'Sources',
  steps: 'After a run',
  systemPrompt: 'System prompt',
  values: 'Values',
  delivery: 'Delivery',
};
const FIELDS = Object.keys(LABELS);

function blank(): JobInput {
  return {
    name: '',
    kind: 'shell',
    cron: '0 9 * * *',
    timeZone: LOCAL_ZONE,
    enabled: true,
    command: '',
    cwd: null,
    env: {},
    timeoutSeconds: 3600,
    tags: [],
    model: null,
    permissionPolicy: 'ask',
    sessionMode: 'fresh',
    worktree: false,
    overlap: 'skip',
    missed: 'once',
    missedLimit: 5,
    graceSeconds: 300,
    retries: 0,
    retryDelaySeconds: 60,
    template: false,
    systemPrompt: null,
    sources: [],
    values: {},
    onMissing: 'mark',
    steps: [],
    delivery: { desktop: true, chats: [], email: [] },
  };
}

function fromJob(job: Job): JobInput {
  const { id: _id, sessionId: _s, nextRun: _n, recent: _r, createdAt: _c, updatedAt: _u, approval: _a, ...input } = job;
  return input;
}

/** The expression in words, or why it is not valid. */
function describe(cron: string): { text: string | null; error: string | null } {
  try {
    return { text: cronstrue.toString(cron, { use24HourTimeFormat: true, throwExceptionOnParseError: true }), error: null };
  } catch (error) {
    return { text: null, error: String(error) };
  }
}

/** Next runs, by the server's (the runner's) rules, shown in the job's time zone; asked again once the first has passed. */
function useNextRuns(cron: string, timeZone: string): { runs: number[]; error: string | null } {
  const [state, setState] = useState<{ runs: number[]; error: string | null }>({ runs: [], error: null });
  const [passed, setPassed] = useState(0);
  useEffect(() => {
    const timer = setTimeout(() => {
      if (!timeZone.trim()) return setState({ runs: [], error: 'timeZone: must not be empty' });
      void api.schedules.preview({ cron, timeZone, count: 5 }).then((r) => setState(r.ok ? { runs: r.value.runs, error: null } : { runs: [], error: r.error.message }));
    }, 200);
    return () => clearTimeout(timer);
  }, [cron, timeZone, passed]);
  const first = state.runs[0];
  useEffect(() => {
    if (first === undefined) return;
    // setTimeout holds at most about 24 days; a later first run is asked again then, which is harmless.
    const timer = setTimeout(() => setPassed((n) => n + 1), Math.min(Math.max(first - Date.now(), 0) + 1000, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [first]);
  return state;
}

/** `NAME=value` lines as a job's environment; a line without `=` is named, not dropped silently. */
export function parseEnv(text: string): { env: Record<string, string>; error: string | null } {
  const env: Record<string, string> = {};
  const bad: number[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const at = line.indexOf('=');
    if (at <= 0) bad.push(i + 1);
    else env[line.slice(0, at).trim()] = line.slice(at + 1);
  });
  return { env, error: bad.length ? `line ${bad.join(', ')}: write NAME=value, one per line` : null };
}

/** The job's environment, edited as text; kept as typed so a half-written line is not lost. */
function EnvField({ env, error, onChange }: { env: Record<string, string>; error: string | undefined; onChange: (env: Record<string, string>, problem: string | null) => void }) {
  const [text, setText] = useState(() => Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'));
  const parsed = parseEnv(text);
  return (
    <div className="field">
      <label htmlFor="job-env">Environment</label>
      <textarea
        id="job-env"
        rows={Math.min(6, Math.max(2, text.split('\n').length))}
        spellCheck={false}
        placeholder="NAME=value, one per line"
        value={text}
        aria-invalid={parsed.error || error ? true : undefined}
        onChange={(e) => {
          setText(e.target.value);
          const next = parseEnv(e.target.value);
          onChange(next.env, next.error);
        }}
      />
      <FieldError error={parsed.error ?? error ?? null} />
      <p className="hint">Set for each run, beside your own environment. Switchboard's own secrets are never passed on.</p>
    </div>
  );
}

/** Keyed by the job (and its update time) by the parent: a change elsewhere resets the form. */
export function JobEditor({ job }: { job: Job | null }) {
  const root = useRunsAsRoot();
  const save = useSchedules((s) => s.save);
  const warnings = useSchedules((s) => s.warnings);
  const [input, setInput] = useState<JobInput>(job ? fromJob(job) : blank());
  const [error, setError] = useState<string | null>(null);
  // A line of the environment that is not NAME=value: saving would drop it, so saving waits.
  const [envProblem, setEnvProblem] = useState<string | null>(null);
  // The timeout as typed: a number only once it is one (it turned "abc" into 0 before).
  const [timeoutText, setTimeoutText] = useState(String(input.timeoutSeconds));
  const timeoutProblem = /^\d+$/.test(timeoutText.trim()) ? null : timeoutText.trim() ? 'a whole number of seconds' : 'must not be empty';
  const words = describe(input.cron);
  const next = useNextRuns(input.cron, input.timeZone);
  // The server checks by the runner's rules: its word is the one shown, under the field it names.
  const preview = errorsByField(next.error, ['cron', 'timeZone']).byField;
  const saved = errorsByField(error, FIELDS);
  const set = <K extends keyof JobInput>(key: K, value: JobInput[K]) => {
    setInput((current) => ({ ...current, [key]: value }));
    // An error goes as soon as its field changes; the server's check of the new value follows.
    if (saved.byField[key as string]) setError(null);
  };
  const cronError = preview.cron ?? saved.byField.cron ?? null;
  const zoneKnown = zoneFormatter(input.timeZone) !== null;
  // Named as typed, whatever the expression: the server's preview stops at the first field it refuses.
  const zoneError = preview.timeZone ?? saved.byField.timeZone ?? (input.timeZone.trim() && !zoneKnown ? `${input.timeZone.trim()} is not a time zone this browser knows (e.g. Europe/Berlin)` : null);
  return (
    <form
      className="job-editor card"
      aria-label="Job"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(await save({ ...input, ...(input.kind === 'shell' ? { model: null } : {}) }));
      }}
    >
      <div className="grid-2">
        <div className="field">
          <label htmlFor="job-name">Name</label>
          <input id="job-name" value={input.name} aria-invalid={saved.byField.name ? true : undefined} onChange={(e) => set('name', e.target.value)} />
          <FieldError error={saved.byField.name} />
        </div>
        <div className="field">
          <label htmlFor="job-kind">Kind</label>
          <select id="job-kind" value={input.kind} onChange={(e) => set('kind', e.target.value as JobInput['kind'])}>
            <option value="shell">Shell command</option>
            <option value="claude">Claude prompt</option>
          </select>
        </div>
      </div>
      <div className="field">
        <label htmlFor="job-command">{input.kind === 'shell' ? 'Command' : 'Prompt'}</label>
        <textarea id="job-command" rows={3} spellCheck={input.kind === 'claude'} value={input.command} onChange={(e) => set('command', e.target.value)} />
        <FieldError error={saved.byField.command} />
      </div>
      {input.kind === 'claude' ? (
        <div className="grid-2">
          <div className="field">
            <label htmlFor="job-model">Model</label>
            <ModelInput id="job-model" placeholder="Claude's default" value={input.model ?? ''} onChange={(e) => set('model', e.target.value.trim() || null)} />
            <FieldError error={saved.byField.model} />
          </div>
          <div className="field">
            <label htmlFor="job-permissions">Permissions</label>
            <select id="job-permissions" value={input.permissionPolicy} onChange={(e) => set('permissionPolicy', e.target.value as JobInput['permissionPolicy'])}>
              <option value="ask">Ask (questions wait in Sessions)</option>
              <option value="acceptEdits">Accept edits</option>
              <option value="plan">Plan only</option>
              <option value="bypass" disabled={root}>
                {root ? BYPASS_AS_ROOT : 'Bypass permissions (dangerous)'}
              </option>
            </select>
            <FieldError error={saved.byField.permissionPolicy} />
          </div>
        </div>
      ) : null}
      {input.kind === 'claude' ? <PromptSources jobId={job?.id ?? null} input={input} set={set} /> : null}
      <div className="grid-2">
        <div className="field">
          <label htmlFor="job-cron">Schedule (cron)</label>
          <div className="row">
            <input id="job-cron" spellCheck={false} value={input.cron} aria-invalid={cronError ? true : undefined} onChange={(e) => set('cron', e.target.value)} />
            <select aria-label="Presets" value="" onChange={(e) => e.target.value && set('cron', e.target.value)}>
              <option value="">Presets…</option>
              {PRESETS.map((p) => (
                <option key={p.cron} value={p.cron}>
                  {p.label}
                </option>
              ))}
            </select>
          </div>
          {words.text ? <p className="hint" data-testid="cron-words">{words.text}</p> : null}
          <FieldError error={cronError} />
        </div>
        <div className="field">
          <label htmlFor="job-zone">Time zone</label>
          <input id="job-zone" spellCheck={false} value={input.timeZone} aria-invalid={zoneError ? true : undefined} onChange={(e) => set('timeZone', e.target.value)} />
          <FieldError error={zoneError} />
        </div>
      </div>
      {!input.enabled ? (
        <p className="muted" data-testid="next-runs">
          Disabled: no runs are planned.
        </p>
      ) : next.runs.length && zoneKnown ? (
        <div className="next-runs" data-testid="next-runs">
          <span className="muted">Next runs ({input.timeZone}):</span>
          <ol>
            {next.runs.map((t) => (
              <li key={t} data-at={t}>
                {formatInZone(t, input.timeZone)}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      <div className="grid-3">
        <div className="field">
          <label htmlFor="job-cwd">Folder</label>
          <input id="job-cwd" spellCheck={false} placeholder="Your home folder" value={input.cwd ?? ''} aria-invalid={saved.byField.cwd ? true : undefined} onChange={(e) => set('cwd', e.target.value.trim() || null)} />
          <FieldError error={saved.byField.cwd} />
          {job && warnings[job.id]?.length ? <p className="hint warn-text">{warnings[job.id]!.join(' ')}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="job-timeout">Timeout (s)</label>
          <input
            id="job-timeout"
            inputMode="numeric"
            value={timeoutText}
            aria-invalid={timeoutProblem || saved.byField.timeoutSeconds ? true : undefined}
            onChange={(e) => {
              setTimeoutText(e.target.value);
              if (/^\d+$/.test(e.target.value.trim())) set('timeoutSeconds', Number(e.target.value.trim()));
            }}
          />
          <FieldError error={timeoutProblem ?? saved.byField.timeoutSeconds} />
        </div>
        <div className="field">
          <label htmlFor="job-overlap">If still running</label>
          <select id="job-overlap" value={input.overlap} onChange={(e) => set('overlap', e.target.value as JobInput['overlap'])}>
            <option value="skip">Skip the new run</option>
            <option value="queue">Queue it</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="job-missed">Missed runs</label>
          <select id="job-missed" value={input.missed} onChange={(e) => set('missed', e.target.value as JobInput['missed'])}>
            <option value="skip">Skip (recorded)</option>
            <option value="once">Run once on return</option>
            <option value="each">Run each, up to a limit</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="job-retries">Retries</label>
          <input id="job-retries" inputMode="numeric" value={input.retries} onChange={(e) => set('retries', Number(e.target.value) || 0)} />
          <FieldError error={saved.byField.retries} />
        </div>
        {input.kind === 'claude' ? (
          <div className="field">
            <label htmlFor="job-session">Session</label>
            <select id="job-session" value={input.sessionMode} onChange={(e) => set('sessionMode', e.target.value as JobInput['sessionMode'])}>
              <option value="fresh">Fresh each run</option>
              <option value="persistent">Carries on from run to run</option>
            </select>
          </div>
        ) : null}
      </div>
      <EnvField
        env={input.env}
        error={saved.byField.env}
        onChange={(env, problem) => {
          set('env', env);
          setEnvProblem(problem);
        }}
      />
      {input.kind === 'claude' && input.cwd ? (
        <label className="check">
          <input type="checkbox" checked={input.worktree} onChange={(e) => set('worktree', e.target.checked)} />
          <span>Own worktree: each session on a branch of its own in the folder's repository, what it changed sent with the result</span>
        </label>
      ) : null}
      <label className="check">
        <input type="checkbox" checked={input.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
      </label>
      <label className="check">
        <input type="checkbox" checked={input.delivery.desktop} onChange={(e) => set('delivery', { ...input.delivery, desktop: e.target.checked })} /> Notify on this computer when a run ends
      </label>
      <ChatTargets input={input} set={set} />
      <EmailTargets input={input} set={set} />
      <AfterSteps jobId={job?.id ?? null} input={input} set={set} />
      <FieldError error={saved.byField.sources ?? saved.byField.steps ?? saved.byField.delivery ?? null} />
      <FieldError error={saved.rest.length ? inLabels(saved.rest.join('; '), LABELS) : null} />
      <div className="row-actions">
        <button type="submit" disabled={!input.name.trim() || !input.command.trim() || !!envProblem || !!timeoutProblem}>
          {job ? 'Save' : 'Create'}
        </button>
      </div>
    </form>
  );
}
