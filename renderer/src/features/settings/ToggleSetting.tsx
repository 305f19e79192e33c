import { useState } from 'react';
import { settingDefinitions, type SettingKey, type SettingValues } from '../../../../contract';
import { useSettings } from './settings-store';

type ToggleKey = { [K in SettingKey]: SettingValues[K] extends boolean ? K : never }[SettingKey];

/** An on/off setting: stored as soon as it is clicked, shown as clicked while it is stored (back if refused). */
export function ToggleSetting({ settingKey, checked }: { settingKey: ToggleKey; checked: boolean }) {
  const save = useSettings((s) => s.save);
  const [saving, setSaving] = useState<boolean | null>(null);
  const def = settingDefinitions[settingKey];
  const id = `setting-${settingKey.replace('.', '-')}`;
  const change = async (value: boolean) => {
    setSaving(value);
    await save({ key: settingKey, value });
    setSaving(null);
  };
  return (
    <div className="field">
      <label className="check" htmlFor={id}>
        <input id={id} type="checkbox" checked={saving ?? checked} onChange={(e) => void change(e.target.checked)} /> {def.label}
      </label>
      <p className="hint">{def.description}</p>
    </div>
  );
}
