import { useEffect, useState } from 'react';
import type { SettingValues } from '../../../../contract';
import { api } from '../../api';
import { SecretKeyForm } from './SecretKeyForm';
import { TextSetting } from './TextSetting';

/** Where voice notes from the chat bots are transcribed: one endpoint for Telegram and Discord. */
export function VoiceCard({ values }: { values: SettingValues }) {
  const [stored, setStored] = useState<boolean | undefined>(undefined);
  useEffect(() => void api.chat.transcriptionKey({}).then((r) => r.ok && setStored(r.value.stored)), []);
  return (
    <section className="card" aria-labelledby="settings-voice">
      <h2 id="settings-voice">Voice notes</h2>
      <p className="hint">
        Voice notes sent to the Telegram or Discord bot are saved in the session&apos;s folder and handed to Claude as files. With an endpoint here they are also transcribed:
        Claude gets the text, and you see what was heard.
      </p>
      <TextSetting settingKey="voice.transcriptionUrl" stored={values['voice.transcriptionUrl']} />
      <TextSetting settingKey="voice.transcriptionModel" stored={values['voice.transcriptionModel']} />
      <SecretKeyForm
        id="setting-voice-key"
        label="API key (if the endpoint needs one)"
        stored={stored}
        save={async (key) => {
          const r = await api.chat.setTranscriptionKey({ key });
          if (r.ok) setStored(r.value.stored);
          return r;
        }}
      />
    </section>
  );
}
