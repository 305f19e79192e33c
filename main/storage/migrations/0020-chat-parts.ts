import type { Migration } from '../migrate';

export default {
  version: 20,
  name: '0020-chat-parts',
  sql: `
    -- What a chat message is about, typed (JSON: {"kind":"card","approvalId":…}), instead of a key the
    -- bridge parsed. Entries still waiting from before say it too, for the two kinds that act once sent.
    ALTER TABLE chat_outbox ADD COLUMN about TEXT CHECK (about IS NULL OR json_valid(about));
    UPDATE chat_outbox SET about = json_object('kind', 'card', 'approvalId', substr(dedupe, 6, instr(substr(dedupe, 6), ':') - 1))
      WHERE state = 'pending' AND dedupe LIKE 'card:%:%';
    UPDATE chat_outbox SET about = json_object('kind', 'stop', 'stopId', substr(dedupe, 6, instr(substr(dedupe, 6), ':') - 1))
      WHERE state = 'pending' AND dedupe LIKE 'stop:%:%';
    -- A job's chat deliveries as a list of {surface, target} instead of a field per chat app.
    UPDATE jobs SET delivery = json_set(
        json_remove(delivery, '$.telegramChatId', '$.discordChannelId'),
        '$.chats',
        json(CASE
          WHEN json_extract(delivery, '$.telegramChatId') IS NOT NULL AND json_extract(delivery, '$.discordChannelId') IS NOT NULL
            THEN json_array(json_object('surface', 'telegram', 'target', json_extract(delivery, '$.telegramChatId')), json_object('surface', 'discord', 'target', json_extract(delivery, '$.discordChannelId')))
          WHEN json_extract(delivery, '$.telegramChatId') IS NOT NULL
            THEN json_array(json_object('surface', 'telegram', 'target', json_extract(delivery, '$.telegramChatId')))
          WHEN json_extract(delivery, '$.discordChannelId') IS NOT NULL
            THEN json_array(json_object('surface', 'discord', 'target', json_extract(delivery, '$.discordChannelId')))
          ELSE json_array()
        END))
      WHERE json_valid(delivery);
  `,
} satisfies Migration;
