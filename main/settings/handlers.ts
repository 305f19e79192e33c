import type { HandlersOf } from '../ipc/router';
import type { SettingsService } from './settings-service';

export function settingsHandlers(settings: SettingsService): HandlersOf<'settings'> {
  return {
    'settings.get': ({ key }) => settings.get(key),
    'settings.set': (change) => settings.set(change),
    'settings.list': () => settings.list(),
  };
}
