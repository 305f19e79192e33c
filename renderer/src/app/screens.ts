import type { ComponentType } from 'react';
import { ChatsScreen } from '../features/chats/ChatsScreen';
import { InboxScreen } from '../features/inbox/InboxScreen';
import { MemoryScreen } from '../features/memory/MemoryScreen';
import { SchedulesScreen } from '../features/schedules/SchedulesScreen';
import { SessionsScreen } from '../features/sessions/SessionsScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { TasksScreen } from '../features/tasks/TasksScreen';
import { UsageScreen } from '../features/usage/UsageScreen';
import type { ScreenId } from './screen-ids';

export interface Screen {
  id: ScreenId;
  label: string;
  component: ComponentType;
}

/** Only screens that work are listed; each later feature adds its own entry. */
export const screens: Screen[] = [
  { id: 'sessions', label: 'Sessions', component: SessionsScreen },
  { id: 'inbox', label: 'Inbox', component: InboxScreen },
  { id: 'chats', label: 'Chats', component: ChatsScreen },
  { id: 'memory', label: 'Memory', component: MemoryScreen },
  { id: 'schedules', label: 'Schedules', component: SchedulesScreen },
  { id: 'tasks', label: 'Tasks', component: TasksScreen },
  { id: 'usage', label: 'Usage', component: UsageScreen },
  { id: 'settings', label: 'Settings', component: SettingsScreen },
];
