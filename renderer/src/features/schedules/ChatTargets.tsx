import { useEffect, useState } from 'react';
import { chatApps, chatSurfaces, type ChatChannel, type ChatSurface, type JobInput } from '../../../../contract';
import { api } from '../../api';

type Delivery = JobInput['delivery'];

/** Where a job's result goes on one chat app: '' (nowhere), 'owner', or a channel's id. */
export function chatTarget(delivery: Delivery, surface: ChatSurface): string {
  return delivery.chats.find((c) => c.surface === surface)?.target ?? '';
}

/** The delivery with one chat app's target set ('' removes it), the others kept. */
export function withChatTarget(delivery: Delivery, surface: ChatSurface, target: string): Delivery {
  const others = delivery.chats.filter((c) => c.surface !== surface);
  return { ...delivery, chats: target ? [...others, { surface, target }] : others };
}

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
