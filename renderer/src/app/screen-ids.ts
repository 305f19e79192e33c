/** The screens' ids in navigation order; addresses start with one (`#/sessions/…`). */
export const SCREEN_IDS = ['sessions', 'inbox', 'chats', 'memory', 'schedules', 'tasks', 'usage', 'settings'] as const;
export type ScreenId = (typeof SCREEN_IDS)[number];
