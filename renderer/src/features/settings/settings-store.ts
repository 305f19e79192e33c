import { create } from 'zustand';
import type { Health, SettingChange, SettingKey, SettingValues } from '../../../../contract';
import { api, onResync } from '../../api';

interface SettingsStore {
  values: SettingValues | null;
  health: Health | null;
  loadError: string | null;
  healthLoading: boolean;
  /** The last rejected value's message, per setting; gone once the value is edited, saved, or changed elsewhere. */
  fieldErrors: Partial<Record<SettingKey, string>>;
  /** Loads settings and health and follows changes; returns the stop function. */
  start: () => () => void;
  /** Quiet: no busy state (a refresh while the panel is open, not one the user asked for). */
  refreshHealth: (quiet?: boolean) => Promise<void>;
  save: (change: SettingChange) => Promise<boolean>;
  clearError: (key: SettingKey) => void;
}

export const useSettings = create<SettingsStore>((set, get) => ({
  values: null,
  health: null,
  loadError: null,
  healthLoading: false,
  fieldErrors: {},

  start: () => {
    const load = () => void api.settings.list({}).then((result) => set(result.ok ? { values: result.value, loadError: null } : { loadError: result.error.message }));
    load();
    void get().refreshHealth();
    const offs = [
      onResync(['settings.changed'], () => {
        load();
        void get().refreshHealth(true);
      }),
      api.on('settings.changed', (change) => {
        const values = get().values;
        if (values) set({ values: { ...values, [change.key]: change.value } });
        get().clearError(change.key);
        if (change.key === 'claude.cliPath') void get().refreshHealth();
      }),
    ];
    return () => offs.forEach((off) => off());
  },

  refreshHealth: async (quiet = false) => {
    if (!quiet) set({ healthLoading: true });
    const result = await api.system.health({});
    set(result.ok ? { health: result.value, healthLoading: false } : { healthLoading: false, loadError: result.error.message });
  },

  save: async (change) => {
    const result = await api.settings.set(change);
    const fieldErrors = { ...get().fieldErrors };
    if (result.ok) {
      delete fieldErrors[change.key];
      const values = get().values;
      set({ fieldErrors, values: values ? { ...values, [result.value.key]: result.value.value } : values });
      return true;
    }
    // Shown under the setting's own label: the server's "value: " names the field again.
    set({ fieldErrors: { ...fieldErrors, [change.key]: result.error.message.replace(/^value: /, '') } });
    return false;
  },

  clearError: (key) => {
    if (!(key in get().fieldErrors)) return;
    const { [key]: _gone, ...rest } = get().fieldErrors;
    set({ fieldErrors: rest });
  },
}));

export const selectValues = (s: SettingsStore) => s.values;
export const selectHealth = (s: SettingsStore) => s.health;
export const selectFieldErrors = (s: SettingsStore) => s.fieldErrors;
