import { useEffect, useState } from 'react';
import { chatApps, chatSurfaces, type ChatChannel, type ChatSurface, type JobInput } from '../../../../contract';
import { api } from '../../api';
import { chatTarget, withChatTarget } from './chat-targets';

/** Channels bound to a project on each chat app: a job can send its result to one. */
function useBoundChannels(): Partial<Record<ChatSurface, ChatChannel[]>> {
  const [channels, setChannels] = useState<Partial<Record<ChatSurface, ChatChannel[]>>>({});
  useEffect(() => {
    for (const surface of chatSurfaces) void api.chat.channels({ surface }).then((r) => r.ok && setChannels((all) => ({ ...all, [surface]: r.value.bound })));
  }, []);
  return channels;
}

/** "Send the result to …" for every chat app: no, the owner's private chat with the bot, or a bound channel. */
export function ChatTargets({ input, set }: { input: JobInput; set: <K extends keyof JobInput>(key: K, value: JobInput[K]) => void }) {
  const channels = useBoundChannels();
  return (
    <>
      {chatSurfaces.map((surface) => (
        <div className="field" key={surface}>
          <label htmlFor={`job-${surface}`}>Send the result to {chatApps[surface].label}</label>
          <select id={`job-${surface}`} value={chatTarget(input.delivery, surface)} onChange={(e) => set('delivery', withChatTarget(input.delivery, surface, e.target.value))}>
            <option value="">No</option>
            <option value="owner">Your {chatApps[surface].privateChat} with the bot</option>
            {(channels[surface] ?? []).map((c) => (
              <option key={c.chatKey} value={c.chatKey}>
                #{c.name}
                {c.place ? ` (${c.place})` : ''}
              </option>
            ))}
          </select>
        </div>
      ))}
    </>
  );
}
