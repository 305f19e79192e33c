import { useState } from 'react';
import type { Result } from '../../../../contract';
import { FieldError } from '../../app/FieldError';

/**
 * An API key typed once and kept with the secrets: never shown again, only whether one is stored
 * (when the caller knows). Saved empty, the stored key is removed.
 */
export function SecretKeyForm({
  id,
  label,
  stored,
  save,
  noun = 'key',
}: {
  id: string;
  label: string;
  stored?: boolean;
  save: (key: string | null) => Promise<Result<{ stored: boolean }>>;
  /** What is kept, in the form's words: an API key, a password. */
  noun?: string;
}) {
  const Noun = noun.charAt(0).toUpperCase() + noun.slice(1);
  const [key, setKey] = useState('');
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const removing = !key.trim() && stored === true;
  return (
    <form
      className="field"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await save(key.trim() || null);
        setNote(r.ok ? { ok: true, text: r.value.stored ? `${Noun} saved with the other secrets.` : `${Noun} removed.` } : { ok: false, text: r.error.message });
        if (r.ok) setKey('');
      }}
    >
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input
          id={id}
          type="password"
          autoComplete="off"
          value={key}
          placeholder={stored ? 'Stored: type to replace' : stored === false ? 'None stored' : 'Never shown again'}
          aria-describedby={`${id}-hint`}
          onChange={(e) => setKey(e.target.value)}
        />
        <button type="submit" className={removing ? 'danger' : undefined} disabled={!key.trim() && stored === false}>
          {removing ? `Remove ${noun}` : `Save ${noun}`}
        </button>
      </div>
      <FieldError error={note && !note.ok ? note.text : null} />
      <p className="hint" id={`${id}-hint`}>
        {note?.ok ? note.text : 'Kept with the other secrets (the system keychain in the desktop app, a private file headless), never shown again.'}
      </p>
    </form>
  );
}
