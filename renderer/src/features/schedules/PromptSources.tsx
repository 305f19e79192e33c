import { useEffect, useState } from 'react';
import type { JobInput, PromptPreview, PromptSource } from '../../../../contract';
import { api } from '../../api';

/** Each kind of source, as the editor names it, with what a new one starts as. */
const KINDS: Record<PromptSource['kind'], { label: string; blank: (name: string) => PromptSource }> = {
  memories: { label: 'Memories matching', blank: (name) => ({ kind: 'memories', name, query: '', limit: 5 }) },
  history: { label: 'Recent history matching', blank: (name) => ({ kind: 'history', name, query: '', limit: 5 }) },
  file: { label: 'A file in the job’s folder', blank: (name) => ({ kind: 'file', name, path: '' }) },
  command: { label: 'The output of a command', blank: (name) => ({ kind: 'command', name, command: '', timeoutSeconds: 30 }) },
};

/** What every template has without declaring it. */
const BUILTINS: [string, string][] = [
  ['now', 'the time in the job’s zone (now.date, now.time, now.weekday…)'],
  ['last_run', 'the last run’s result (last_run.status, last_run.reason)'],
  ['next_prompt', 'what the run before left with set_next_prompt: for the next run only, then used up'],
  ['values.NAME', 'a value set on the job, below'],
  ['run.output_dir', 'this run’s folder for files'],
];

type Template = Pick<JobInput, 'command' | 'template' | 'systemPrompt' | 'sources' | 'values' | 'onMissing' | 'timeZone' | 'cwd'>;

/** The rendered prompt, asked of the server as the form changes (the runner's own rendering, commands included). */
function usePreview(jobId: string | null, t: Template): { preview: PromptPreview | null; error: string | null } {
  const [state, setState] = useState<{ preview: PromptPreview | null; error: string | null }>({ preview: null, error: null });
  const key = JSON.stringify(t);
  // What the next run would get changes without the form changing: a run ends or its next prompt is
  // edited (last_run, next_prompt), and the clock moves (now). Asked again then, never left stale.
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const again = () => setTick((n) => n + 1);
    const off = api.on('schedules.run', (run) => run.jobId === jobId && again());
    const timer = setInterval(again, 60_000);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [jobId]);
  useEffect(() => {
    if (!t.template || !t.command.trim()) return;
    const timer = setTimeout(() => {
      void api.schedules
        .previewPrompt({ ...(jobId ? { id: jobId } : {}), command: t.command, template: true, systemPrompt: t.systemPrompt, sources: t.sources, values: t.values, onMissing: t.onMissing, timeZone: t.timeZone, cwd: t.cwd })
        .then((r) => setState(r.ok ? { preview: r.value, error: null } : { preview: null, error: r.error.message }));
    }, 400);
    return () => clearTimeout(timer);
    // The key stands for the whole template.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, jobId, tick]);
  return state;
}

function SourceRow({ source, onChange, onRemove }: { source: PromptSource; onChange: (s: PromptSource) => void; onRemove: () => void }) {
  return (
    <li className="source-row" data-testid="source">
      <input aria-label="Source name" spellCheck={false} value={source.name} onChange={(e) => onChange({ ...source, name: e.target.value })} />
      <span className="muted">{KINDS[source.kind].label}</span>
      {source.kind === 'memories' || source.kind === 'history' ? (
        <input aria-label="Query" placeholder="words to look for" value={source.query} onChange={(e) => onChange({ ...source, query: e.target.value })} />
      ) : source.kind === 'file' ? (
        <input aria-label="File" spellCheck={false} placeholder="notes/today.md" value={source.path} onChange={(e) => onChange({ ...source, path: e.target.value })} />
      ) : (
        <input aria-label="Command" spellCheck={false} placeholder="git log --since=yesterday --oneline" value={source.command} onChange={(e) => onChange({ ...source, command: e.target.value })} />
      )}
      <button type="button" className="link" onClick={onRemove}>
        Remove
      </button>
    </li>
  );
}

/** A Claude job's template: its system prompt, its named sources and values, what a gap does, and the prompt as it would render now. */
export function PromptSources({ jobId, input, set }: { jobId: string | null; input: JobInput; set: <K extends keyof JobInput>(key: K, value: JobInput[K]) => void }) {
  const { preview, error } = usePreview(jobId, input);
  const [newKind, setNewKind] = useState<PromptSource['kind']>('memories');
  const [valueName, setValueName] = useState('');
  const commands = input.sources.some((s) => s.kind === 'command');
  return (
    <fieldset className="prompt-sources" aria-label="Prompt template">
      <label className="check">
        <input type="checkbox" checked={input.template} onChange={(e) => set('template', e.target.checked)} />
        <span>
          The prompt is a template, filled at each run (Liquid: <code>{'{{ name }}'}</code>, <code>{'{% if %}'}</code>)
        </span>
      </label>
      {input.template ? (
        <>
          <div className="field">
            <label htmlFor="job-system">System prompt (a template too)</label>
            <textarea id="job-system" rows={2} value={input.systemPrompt ?? ''} onChange={(e) => set('systemPrompt', e.target.value || null)} />
          </div>
          <p className="hint">
            Always there:{' '}
            {BUILTINS.map(([name, what], i) => (
              <span key={name}>
                {i ? ' · ' : ''}
                <code>{name}</code> {what}
              </span>
            ))}
          </p>
          <h3>Sources</h3>
          <ul className="sources">
            {input.sources.map((source, i) => (
              <SourceRow
                key={i}
                source={source}
                onChange={(s) => set('sources', input.sources.map((x, j) => (j === i ? s : x)))}
                onRemove={() => set('sources', input.sources.filter((_, j) => j !== i))}
              />
            ))}
          </ul>
          <div className="row">
            <select aria-label="Kind of source" value={newKind} onChange={(e) => setNewKind(e.target.value as PromptSource['kind'])}>
              {Object.entries(KINDS).map(([kind, k]) => (
                <option key={kind} value={kind}>
                  {k.label}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => set('sources', [...input.sources, KINDS[newKind].blank(`${newKind}_${input.sources.length + 1}`)])}>
              Add source
            </button>
          </div>
          {commands ? <p className="hint warn-text">A command runs in the job’s folder at every run: made outside this window, the job waits for your approval.</p> : null}
          <h3>Values</h3>
          <ul className="sources">
            {Object.entries(input.values).map(([name, value]) => (
              <li key={name} className="source-row" data-testid="value">
                <code>values.{name}</code>
                <input aria-label={`Value of ${name}`} value={value} onChange={(e) => set('values', { ...input.values, [name]: e.target.value })} />
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    const rest = { ...input.values };
                    delete rest[name];
                    set('values', rest);
                  }}
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div className="row">
            <input aria-label="New value name" placeholder="name" spellCheck={false} value={valueName} onChange={(e) => setValueName(e.target.value)} />
            <button
              type="button"
              disabled={!/^[A-Za-z_][A-Za-z0-9_]*$/.test(valueName)}
              onClick={() => {
                set('values', { ...input.values, [valueName]: '' });
                setValueName('');
              }}
            >
              Add value
            </button>
          </div>
          <div className="field">
            <label htmlFor="job-missing">When a source fails or a name has no value</label>
            <select id="job-missing" value={input.onMissing} onChange={(e) => set('onMissing', e.target.value as JobInput['onMissing'])}>
              <option value="mark">Run, with the gap marked in the prompt</option>
              <option value="skip">Skip the run (recorded with what failed)</option>
            </select>
          </div>
          <section className="prompt-preview" aria-label="Preview" data-testid="prompt-preview">
            <h3>Preview (as a run now would get it)</h3>
            {error ? <p className="error-text">{error}</p> : null}
            {preview ? (
              <>
                {preview.problems.length ? (
                  <ul className="problems" data-testid="preview-problems">
                    {preview.problems.map((p) => (
                      <li key={p} className="warn-text">
                        {p}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {preview.wouldSkip ? <p className="warn-text">A run now would be skipped.</p> : null}
                <pre className="run-output" data-testid="preview-prompt">
                  {preview.prompt}
                </pre>
                {preview.systemPrompt ? <pre className="run-output muted">{preview.systemPrompt}</pre> : null}
                <ul className="source-values">
                  {preview.sources.map((s) => (
                    <li key={s.name}>
                      <span className={`badge ${s.ok ? '' : 'badge-warn'}`}>{s.name}</span> <span className={s.ok ? 'muted' : 'warn-text'}>{s.text.slice(0, 160) || '(empty)'}</span>
                    </li>
                  ))}
                </ul>
              </>
            ) : !error ? (
              <p className="muted">Write the prompt to see it rendered.</p>
            ) : null}
          </section>
        </>
      ) : null}
    </fieldset>
  );
}
