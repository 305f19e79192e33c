import type { Migration } from '../migrate';

export default {
  version: 14,
  name: '0014-voice-settings',
  sql: `
    -- Voice notes are transcribed for every chat bot now, not only Telegram: the endpoint moves with them.
    UPDATE settings SET key = 'voice.transcriptionUrl' WHERE key = 'telegram.transcriptionUrl';
  `,
} satisfies Migration;
