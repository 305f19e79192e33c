import { settingDefinitions, type SettingChange, type SettingKey, type SettingValues } from '../../../../contract';
import { SettingForm } from './SettingForm';
import { selectFieldErrors, useSettings } from './settings-store';
import { useDraft } from './use-draft';

type TextKey = { [K in SettingKey]: (typeof settingDefinitions)[K]['default'] extends string ? K : never }[SettingKey];

/** A text setting (an address, a model name). */
export function TextSetting({ settingKey, stored }: { settingKey: TextKey; stored: string }) {
  const def = settingDefinitions[settingKey];
  const error = useSettings(selectFieldErrors)[settingKey];
  const save = useSettings((s) => s.save);
  const clearError = useSettings((s) => s.clearError);
  const draft = useDraft(stored, (text) => save({ key: settingKey, value: text.trim() } as SettingChange), () => clearError(settingKey));
  const id = `setting-${settingKey.replace('.', '-')}`;
  return (
    <SettingForm id={id} label={def.label} hint={def.description} error={error} dirty={draft.dirty} onSave={draft.submit}>
      <input id={id} type="text" spellCheck={false} value={draft.value} aria-invalid={error ? true : undefined} aria-describedby={`${id}-hint`} onChange={(e) => draft.setValue(e.target.value)} />
    </SettingForm>
  );
}

type OptionalTextKey = { [K in SettingKey]: null extends SettingValues[K] ? (SettingValues[K] extends string | null ? K : never) : never }[SettingKey];

/** A text setting that may be empty (a mail server, a folder): saved empty, it is unset (null) and the placeholder says what that means. */
export function OptionalTextSetting({ settingKey, stored, placeholder }: { settingKey: OptionalTextKey; stored: string | null; placeholder?: string }) {
  const def = settingDefinitions[settingKey];
  const error = useSettings(selectFieldErrors)[settingKey];
  const save = useSettings((s) => s.save);
  const clearError = useSettings((s) => s.clearError);
  const draft = useDraft(stored ?? '', (text) => save({ key: settingKey, value: text.trim() || null } as SettingChange), () => clearError(settingKey));
  const id = `setting-${settingKey.replace('.', '-')}`;
  return (
    <SettingForm id={id} label={def.label} hint={def.description} error={error} dirty={draft.dirty} onSave={draft.submit}>
      <input
        id={id}
        type="text"
        spellCheck={false}
        placeholder={placeholder}
        value={draft.value}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        onChange={(e) => draft.setValue(e.target.value)}
      />
    </SettingForm>
  );
}
