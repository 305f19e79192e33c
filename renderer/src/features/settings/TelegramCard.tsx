import { useEffect } from 'react';
import type { SettingValues } from '../../../../contract';
import { BotAccess, BotState, BotTokenForm } from './ChatBotParts';
import { ToggleSetting } from './ToggleSetting';
import { chatBotStores } from './chat-bot-store';
import { NumberSetting } from './NumberSetting';
import { TextSetting } from './TextSetting';

/** The Telegram bot: connect with a token, see its state, let people in by their pairing code. */
export function TelegramCard({ values }: { values: SettingValues }) {
  const bot = chatBotStores.telegram();
  const start = bot.start;
  useEffect(() => start(), [start]);
  return (
    <section className="card" aria-labelledby="settings-telegram">
      <h2 id="settings-telegram">Telegram</h2>
      <p className="hint">
        A bot inside Switchboard: talk with Claude from your phone, answer its questions with buttons, get job results. Make a bot with @BotFather, paste its token here, then
        write to the bot: it answers with a code you accept below.
      </p>
      <BotState surface="telegram" bot={bot} />
      <BotTokenForm surface="telegram" bot={bot} placeholder="123456789:AA…" />
      <BotAccess surface="telegram" bot={bot} />
      <ToggleSetting settingKey="telegram.allowGroups" checked={values['telegram.allowGroups']} />
      <ToggleSetting settingKey="telegram.doneNotes" checked={values['telegram.doneNotes']} />
      <NumberSetting settingKey="telegram.questionDelaySeconds" stored={values['telegram.questionDelaySeconds']} />
      <details>
        <summary>Advanced</summary>
        <TextSetting settingKey="telegram.apiRoot" stored={values['telegram.apiRoot']} />
      </details>
    </section>
  );
}
