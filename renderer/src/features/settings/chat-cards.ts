import type { ReactElement } from 'react';
import type { ChatSurface, SettingValues } from '../../../../contract';
import { DiscordCard } from './DiscordCard';
import { TelegramCard } from './TelegramCard';

/** Each chat app's card in Settings, in the contract's order: a new app in `chatSurfaces` is asked for its card here. */
export const chatCards: Record<ChatSurface, (props: { values: SettingValues }) => ReactElement> = {
  telegram: TelegramCard,
  discord: DiscordCard,
};
