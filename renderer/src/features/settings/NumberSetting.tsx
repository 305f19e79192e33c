import { settingDefinitions, type SettingChange, type SettingKey } from '../../../../contract';
import { SettingForm } from './SettingForm';
import { selectFieldErrors, useSettings } from './settings-store';
import { useDraft } from './use-draft';

type NumberKey = { [K in SettingKey]: (typeof settingDefinitions)[K]['default'] extends number ? K : never }[SettingKey];

/** A numeric setting. */
export function NumberSetting({ settingKey, stored }: { settingKey: NumberKey; stored: number }) {
  const def = settingDefinitions[settingKey];
  const error = useSettings(selectFieldErrors)[settingKey];
  const save = useSettings((s) => s.save);
  const clearError = useSettings((s) => s.clearError);
  const draft = useDraft(String(stored), (text) => save({ key: settingKey, value: Number(text) } as SettingChange), () => clearError(settingKey));
  const id = `setting-${settingKey.replace('.', '-')}`;
  return (
    <SettingForm
      id={id}
      label={def.label}
      hint={def.description}
      error={error}
      dirty={draft.dirty}
      onSave={draft.submit}
    >
      <input id={id} type="text" inputMode="decimal" value={draft.value} aria-invalid={error ? true : undefined} aria-describedby={`${id}-hint`} onChange={(e) => draft.setValue(e.target.value)} />
    </SettingForm>
  );
}
