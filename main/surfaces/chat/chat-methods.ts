import type { ChatSurface } from '../../../contract';
import { AppError } from '../../errors';
import { isOwner } from '../../ipc/owner';
import type { CallContext, HandlersOf } from '../../ipc/router';
import type { SecretStore } from '../../secrets/secret-store';
import type { ChatBridge } from './chat-bridge';
import { chatAppFacts } from './surfaces';
import { TRANSCRIPTION_KEY } from './voice';

/** Access changes only from the window: a chat (or a script on a chat surface) cannot let itself in. */
function windowOnly(ctx: CallContext, what: string): void {
  if (!isOwner(ctx)) throw new AppError('unauthorized', `${what} in the Switchboard window only.`);
}

/** The chat.* methods over the bridges there are: Settings starts and stops a bot and answers pairing here. */
export function chatHandlers(bridges: Partial<Record<ChatSurface, ChatBridge>>, secrets: SecretStore): HandlersOf<'chat'> {
  const bridge = (surface: ChatSurface): ChatBridge => {
    const found = bridges[surface];
    if (!found) throw new AppError('unavailable', `${chatAppFacts[surface].label} is not part of this Switchboard yet.`);
    return found;
  };
  return {
    'chat.status': ({ surface }) => bridge(surface).status(),
    'chat.connect': ({ surface, token }, ctx) => {
      windowOnly(ctx, 'Bots are connected');
      return bridge(surface).connect(token);
    },
    'chat.disconnect': ({ surface, forgetToken }, ctx) => {
      windowOnly(ctx, 'Bots are disconnected');
      return bridge(surface).disconnect(forgetToken);
    },
    'chat.users': ({ surface }) => bridge(surface).access.users(),
    'chat.removeUser': ({ surface, userId }, ctx) => {
      windowOnly(ctx, 'People are removed');
      const removed = bridge(surface).access.remove(userId);
      if (removed) bridge(surface).accessChanged();
      return { removed };
    },
    'chat.pairings': ({ surface }) => bridge(surface).access.pairings(),
    'chat.answerPairing': ({ surface, code, accept }, ctx) => {
      windowOnly(ctx, 'Pairing codes are accepted');
      return bridge(surface).answerPairing(code, accept);
    },
    'chat.transcriptionKey': () => ({ stored: !!secrets.get(TRANSCRIPTION_KEY) }),
    'chat.setTranscriptionKey': ({ key }, ctx) => {
      windowOnly(ctx, 'Keys are set');
      if (key) secrets.set(TRANSCRIPTION_KEY, key);
      else secrets.delete(TRANSCRIPTION_KEY);
      return { stored: !!key };
    },
    'chat.channels': ({ surface }) => bridge(surface).channels(),
    'chat.bindChannel': (input, ctx) => {
      windowOnly(ctx, 'Channels are bound');
      return bridge(input.surface).bindChannel(input, ctx);
    },
    'chat.unbindChannel': ({ surface, chatKey }, ctx) => {
      windowOnly(ctx, 'Channels are unbound');
      return bridge(surface).unbindChannel(chatKey);
    },
  };
}
