import { useState } from 'react';
import type { PermissionPolicy } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { useSessions } from './sessions-store';

const POLICIES: { value: PermissionPolicy; label: string }[] = [
  { value: 'ask', label: 'Ask before tools run' },
  { value: 'acceptEdits', label: 'Accept file edits, ask for the rest' },
  { value: 'plan', label: 'Plan only (no changes)' },
  { value: 'bypass', label: 'Bypass: run every tool without asking' },
];

/** Folder, model, permission policy and an extra system prompt for a new session. */
export function NewSessionDialog({ onClose }: { onClose: () => void }) {
  const create = useSessions((s) => s.create);
  const [title, setTitle] = useState('');
  const [cwd, setCwd] = useState('');
  const [model, setModel] = useState('');
  const [policy, setPolicy] = useState<PermissionPolicy>('ask');
  const [systemPrompt, setSystemPrompt] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    const failure = await create({
      ...(title.trim() ? { title: title.trim() } : {}),
      cwd: cwd.trim() || null,
      model: model.trim() || null,
      permissionPolicy: policy,
      systemPrompt: systemPrompt.trim() || null,
    });
    if (failure) setError(failure);
    else onClose();
  };
  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <form
        className="dialog card"
        role="dialog"
        aria-label="New session"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2>New session</h2>
        <div className="field">
          <label htmlFor="new-title">Title</label>
          <input id="new-title" type="text" value={title} placeholder="From the first message" onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-cwd">Project folder</label>
          <input id="new-cwd" type="text" spellCheck={false} value={cwd} placeholder="Empty: a folder of its own in the data folder" onChange={(e) => setCwd(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-model">Model</label>
          <input id="new-model" type="text" spellCheck={false} value={model} placeholder="The CLI's default" onChange={(e) => setModel(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-policy">Permissions</label>
          <select id="new-policy" value={policy} onChange={(e) => setPolicy(e.target.value as PermissionPolicy)}>
            {POLICIES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
          {policy === 'bypass' ? (
            <p className="field-error">Claude will run every tool, including shell commands, without asking you. Choose this only for a folder you can afford to lose.</p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="new-prompt">Extra system prompt</label>
          <textarea id="new-prompt" rows={3} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
        </div>
        <FieldError error={error} />
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit">Create</button>
        </div>
      </form>
    </div>
  );
}
