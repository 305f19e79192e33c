import type { ComponentType } from 'react';
import { SessionsScreen } from '../features/sessions/SessionsScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';

export interface Screen {
  id: string;
  label: string;
  component: ComponentType;
}

/** Only screens that work are listed; each later feature adds its own entry. */
export const screens: Screen[] = [
  { id: 'sessions', label: 'Sessions', component: SessionsScreen },
  { id: 'settings', label: 'Settings', component: SettingsScreen },
];
