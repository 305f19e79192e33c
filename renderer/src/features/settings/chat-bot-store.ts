import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { chatSurfaces, type ChatChannel, type ChatChannelChoice, type ChatPairing, type ChatStatus, type ChatSurface, type ChatUser, type MethodInput } from '../../../../contract';
import { api, onResync } from '../../api';

export interface ChatBotStore {
  status: ChatStatus | null;
  pairings: ChatPairing[];
  users: ChatUser[];
  /** Channels bound to a project, and the ones the bot sees (Discord). */
  channels: { bound: ChatChannel[]; seen: ChatChannelChoice[] };
  busy: boolean;
  error: string | null;
  /** Loads the bot's state and access lists and follows changes; returns the stop function. */
  start: () => () => void;
  connect: (token: string | null) => Promise<boolean>;
  disconnect: (forgetToken: boolean) => Promise<void>;
  answer: (code: string, accept: boolean) => Promise<void>;
  remove: (userId: string) => Promise<void>;
  bind: (input: Omit<MethodInput<'chat.bindChannel'>, 'surface'>) => Promise<boolean>;
  unbind: (chatKey: string) => Promise<void>;
}

/** Settings → Telegram / Discord: the bot's state, who may talk to it, who asks to, and its channels. */
function createChatBotStore(surface: ChatSurface): UseBoundStore<StoreApi<ChatBotStore>> {
  return create<ChatBotStore>((set, get) => {
    const loadAccess = () => {
      void api.chat.pairings({ surface }).then((r) => r.ok && set({ pairings: r.value }));
      void api.chat.users({ surface }).then((r) => r.ok && set({ users: r.value }));
      // Every app answers; one without channels to bind (Telegram) has none.
      void api.chat.channels({ surface }).then((r) => r.ok && set({ channels: r.value }));
    };
    const run = async <T>(work: () => Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>): Promise<T | null> => {
      set({ busy: true, error: null });
      const r = await work();
      set({ busy: false, error: r.ok ? null : r.error.message });
      return r.ok ? r.value : null;
    };
    return {
      status: null,
      pairings: [],
      users: [],
      channels: { bound: [], seen: [] },
      busy: false,
      error: null,
      start: () => {
        void api.chat.status({ surface }).then((r) => r.ok && set({ status: r.value }));
        loadAccess();
        const offs = [
          onResync(['chat.status', 'chat.access'], () => {
            void api.chat.status({ surface }).then((r) => r.ok && set({ status: r.value }));
            loadAccess();
          }),
          api.on('chat.status', (status) => {
            if (status.surface !== surface) return;
            // Connected: the channels it sees are known now.
            if (status.state === 'connected' && get().status?.state !== 'connected') loadAccess();
            set({ status });
          }),
          api.on('chat.access', (e) => e.surface === surface && loadAccess()),
        ];
        // Codes expire: the list drops them without an event.
        const timer = setInterval(() => get().pairings.length && loadAccess(), 30_000);
        return () => {
          offs.forEach((off) => off());
          clearInterval(timer);
        };
      },
      connect: async (token) => {
        const status = await run(() => api.chat.connect({ surface, ...(token ? { token } : {}) }));
        if (status) set({ status });
        return !!status && status.state === 'connected';
      },
      disconnect: async (forgetToken) => {
        const status = await run(() => api.chat.disconnect({ surface, forgetToken }));
        if (status) set({ status });
      },
      answer: async (code, accept) => {
        await run(() => api.chat.answerPairing({ surface, code, accept }));
        loadAccess();
      },
      remove: async (userId) => {
        await run(() => api.chat.removeUser({ surface, userId }));
        loadAccess();
      },
      bind: async (input) => {
        const bound = await run(() => api.chat.bindChannel({ surface, ...input }));
        loadAccess();
        return !!bound;
      },
      unbind: async (chatKey) => {
        await run(() => api.chat.unbindChannel({ surface, chatKey }));
        loadAccess();
      },
    };
  });
}

/** One store per chat app, made from the contract's list: a new app has its store without a line here. */
export const chatBotStores = Object.fromEntries(chatSurfaces.map((surface) => [surface, createChatBotStore(surface)])) as Record<ChatSurface, UseBoundStore<StoreApi<ChatBotStore>>>;
