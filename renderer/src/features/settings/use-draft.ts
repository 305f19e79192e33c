import { useState } from 'react';

/**
 * A setting's text while it is edited. Untouched, it shows the stored value, whoever changed it;
 * once edited, it keeps the user's text until a save of exactly that text succeeds, so typing on
 * while a save is under way is never thrown away.
 */
export function useDraft(stored: string, save: (text: string) => Promise<boolean>, onEdit?: () => void) {
  const [draft, setDraft] = useState<string | null>(null);
  const value = draft ?? stored;
  return {
    value,
    /** An edit also clears the error of the value that was refused: it no longer describes what is shown. */
    setValue: (text: string) => {
      setDraft(text);
      onEdit?.();
    },
    dirty: value.trim() !== stored,
    submit: () => void save(value).then((ok) => ok && setDraft((current) => (current === value ? null : current))),
  };
}
