import { useState } from 'react';
import { settingDefinitions, type SettingChange, type SettingKey } from '../../../../contract';
import { SettingForm } from './SettingForm';
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
    <SettingForm
      id={id}
      label={def.label}
      hint={def.description}
      error={error}
      dirty={draft.trim() !== String(stored)}
      onSave={() => void save({ key: settingKey, value: Number(draft) } as SettingChange)}
    >
      <input id={id} type="text" inputMode="decimal" value={draft} aria-invalid={error ? true : undefined} aria-describedby={`${id}-hint`} onChange={(e) => setDraft(e.target.value)} />
    </SettingForm>
  );
}
