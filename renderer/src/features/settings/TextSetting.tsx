import { useState } from 'react';
import { settingDefinitions, type SettingChange, type SettingKey } from '../../../../contract';
import { SettingForm } from './SettingForm';
import { selectFieldErrors, useSettings } from './settings-store';

type TextKey = { [K in SettingKey]: (typeof settingDefinitions)[K]['default'] extends string ? K : never }[SettingKey];

/** A text setting (an address, a model name); keyed by its stored value by the parent. */
export function TextSetting({ settingKey, stored }: { settingKey: TextKey; stored: string }) {
  const def = settingDefinitions[settingKey];
  const error = useSettings(selectFieldErrors)[settingKey];
  const save = useSettings((s) => s.save);
  const [draft, setDraft] = useState(stored);
  const id = `setting-${settingKey.replace('.', '-')}`;
  return (
    <SettingForm id={id} label={def.label} hint={def.description} error={error} dirty={draft.trim() !== stored} onSave={() => void save({ key: settingKey, value: draft.trim() } as SettingChange)}>
      <input id={id} type="text" spellCheck={false} value={draft} aria-invalid={error ? true : undefined} aria-describedby={`${id}-hint`} onChange={(e) => setDraft(e.target.value)} />
    </SettingForm>
  );
}
