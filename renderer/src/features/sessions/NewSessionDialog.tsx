import { useEffect, useState } from 'react';
import type { PermissionPolicy } from '../../../../contract';
import { Dialog } from '../../app/Dialog';
import { errorsByField, inLabels } from '../../app/field-errors';
import { FieldError } from '../../app/FieldError';
import { api } from '../../api';
import { ModelInput } from './ModelInput';
import { BYPASS_AS_ROOT, useRunsAsRoot } from '../../app/runs-as-root';
import { useSessions } from './sessions-store';

export const POLICIES: { value: PermissionPolicy; label: string }[] = [
  { value: 'ask', label: 'Ask before tools run' },
  { value: 'acceptEdits', label: 'Accept file edits, ask for the rest' },
  { value: 'plan', label: 'Plan only (no changes)' },
  { value: 'bypass', label: 'Bypass: run every tool without asking' },
];

const LABELS = { title: 'Title', cwd: 'Project folder', model: 'Model', permissionPolicy: 'Permissions', systemPrompt: 'Extra system prompt', baseBranch: 'Base branch' };

/** Folder (recent ones offered), model (the CLI's aliases, or any name), permissions and an extra system prompt. */
export function NewSessionDialog({ onClose }: { onClose: () => void }) {
  const root = useRunsAsRoot();
  const create = useSessions((s) => s.create);
  const [title, setTitle] = useState('');
  const [cwd, setCwd] = useState('');
  const [model, setModel] = useState('');
  const [policy, setPolicy] = useState<PermissionPolicy>('ask');
  const [systemPrompt, setSystemPrompt] = useState('');
  const [worktree, setWorktree] = useState(false);
  const [baseBranch, setBaseBranch] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [folders, setFolders] = useState<string[]>([]);
  useEffect(() => void api.sessions.folders({}).then((r) => r.ok && setFolders(r.value)), []);
  const errors = errorsByField(error, Object.keys(LABELS));
  const submit = async () => {
    const failure = await create({
      ...(title.trim() ? { title: title.trim() } : {}),
      cwd: cwd.trim() || null,
      model: model.trim() || null,
      permissionPolicy: policy,
      systemPrompt: systemPrompt.trim() || null,
      ...(worktree && cwd.trim() ? { worktree: true, ...(baseBranch.trim() ? { baseBranch: baseBranch.trim() } : {}) } : {}),
    });
    if (failure) setError(failure);
    else onClose();
  };
  return (
    <Dialog label="New session" onClose={onClose} onSubmit={() => void submit()}>
      <h2>New session</h2>
      <div className="field">
        <label htmlFor="new-title">Title</label>
        <input id="new-title" type="text" value={title} placeholder="From the first message" onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="new-cwd">Project folder</label>
        <input
          id="new-cwd"
          type="text"
          list="new-cwd-recent"
          spellCheck={false}
          value={cwd}
          aria-invalid={errors.byField.cwd ? true : undefined}
          placeholder="Empty: a folder of its own in the data folder"
          onChange={(e) => {
            setCwd(e.target.value);
            setError(null);
          }}
        />
        <datalist id="new-cwd-recent">
          {folders.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        {folders.length ? (
          <div className="recent-folders" aria-label="Recent folders">
            {folders.slice(0, 5).map((f) => (
              <button type="button" key={f} className="chip" onClick={() => setCwd(f)} title={f}>
                {f.split(/[\\/]/).filter(Boolean).pop() ?? f}
              </button>
            ))}
          </div>
        ) : null}
        <FieldError error={errors.byField.cwd} />
      </div>
      <div className="field">
        <label className="check">
          <input type="checkbox" checked={worktree} disabled={!cwd.trim()} onChange={(e) => setWorktree(e.target.checked)} />
          <span>
            <strong>Own worktree</strong>: Claude works on a branch of its own, and you review, merge or discard
          </span>
        </label>
        {worktree && cwd.trim() ? (
          <>
            <label htmlFor="new-base">Base branch</label>
            <input id="new-base" type="text" spellCheck={false} value={baseBranch} placeholder="The repository's current branch" onChange={(e) => setBaseBranch(e.target.value)} />
            <FieldError error={errors.byField.baseBranch} />
          </>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor="new-model">Model</label>
        <ModelInput id="new-model" value={model} placeholder="The CLI's default" onChange={(e) => setModel(e.target.value)} />
        <FieldError error={errors.byField.model} />
      </div>
      <div className="field">
        <label htmlFor="new-policy">Permissions</label>
        <select id="new-policy" value={policy} onChange={(e) => setPolicy(e.target.value as PermissionPolicy)}>
          {POLICIES.map((p) => (
            <option key={p.value} value={p.value} disabled={root && p.value === 'bypass'}>
              {root && p.value === 'bypass' ? BYPASS_AS_ROOT : p.label}
            </option>
          ))}
        </select>
        {policy === 'bypass' ? (
          <p className="field-error">Claude will run every tool, including shell commands, without asking you. Choose this only for a folder you can afford to lose.</p>
        ) : null}
        <FieldError error={errors.byField.permissionPolicy} />
      </div>
      <div className="field">
        <label htmlFor="new-prompt">Extra system prompt</label>
        <textarea id="new-prompt" rows={3} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
      </div>
      <FieldError error={errors.rest.length ? inLabels(errors.rest.join('; '), LABELS) : null} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit">Create</button>
      </div>
    </Dialog>
  );
}
