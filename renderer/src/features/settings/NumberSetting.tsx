import { useState } from 'react';
import { settingDefinitions, type SettingChange, type SettingKey } from '../../../../contract';
import { selectFieldErrors, useSettings } from './settings-store';

type NumberKey = { [K in SettingKey]: (typeof settingDefinitions)[K]['default'] extends number ? K : never }[SettingKey];

/** A numeric setting; keyed by its stored value by the parent so a change elsewhere resets the draft. */
export function NumberSetting({ settingKey, stored }: { settingKey: NumberKey; stored: number }) {
  const def = settingDefinitions[settingKey];
  const error = useSettings(selectFieldErrors)[settingKey];
  const save = useSettings((s) => s.save);
  const [draft, setDraft] = useState(String(stored));
  const id = `setting-${settingKey.replace('.', '-')}`;
  return (
    <form
      className="field"
      onSubmit={(e) => {
        e.preventDefault();
        void save({ key: settingKey, value: Number(draft) } as SettingChange);
      }}
    >
      <label htmlFor={id}>{def.label}</label>
      <div className="row">
        <input id={id} type="text" inputMode="decimal" value={draft} aria-invalid={error ? true : undefined} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" disabled={draft.trim() === String(stored)}>
          Save
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="hint">{def.description}</p>
    </form>
  );
}
