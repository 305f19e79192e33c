import type { ComponentType } from 'react';
import { SettingsScreen } from '../features/settings/SettingsScreen';

export interface Screen {
  id: string;
  label: string;
  component: ComponentType;
}

/** Only screens that work are listed; each later feature adds its own entry. */
export const screens: Screen[] = [{ id: 'settings', label: 'Settings', component: SettingsScreen }];
