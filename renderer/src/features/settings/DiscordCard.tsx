import { useEffect } from 'react';
import type { SettingValues } from '../../../../contract';
import { BotAccess, BotState, BotTokenForm } from './ChatBotParts';
import { ToggleSetting } from './ToggleSetting';
import { chatBotStores } from './chat-bot-store';
import { DiscordChannels } from './DiscordChannels';
import { NumberSetting } from './NumberSetting';
import { TextSetting } from './TextSetting';

/** The Discord bot: connect with a token, bind channels to projects, let people in by their pairing code. */
export function DiscordCard({ values }: { values: SettingValues }) {
  const bot = chatBotStores.discord();
  const start = bot.start;
  useEffect(() => start(), [start]);
  return (
    <section className="card" aria-labelledby="settings-discord">
      <h2 id="settings-discord">Discord</h2>
      <p className="hint">
        Channels as Claude sessions: bind a channel to a project and the bot answers there; a thread is a session of its own. Make an application in the Discord developer
        portal, turn on Bot → Message Content Intent, invite it with the bot and applications.commands scopes, and paste its token here. People get in with a code: they
        write to the bot in a direct message.
      </p>
      <BotState surface="discord" bot={bot} />
      <BotTokenForm surface="discord" bot={bot} placeholder="MTA…" />
      <DiscordChannels bot={bot} />
      <BotAccess surface="discord" bot={bot} />
      <ToggleSetting settingKey="discord.doneNotes" checked={values['discord.doneNotes']} />
      <NumberSetting settingKey="discord.questionDelaySeconds" stored={values['discord.questionDelaySeconds']} />
      <details>
        <summary>Advanced</summary>
        <TextSetting settingKey="discord.apiRoot" stored={values['discord.apiRoot']} />
      </details>
    </section>
  );
}
