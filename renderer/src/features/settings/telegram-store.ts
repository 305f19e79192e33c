import { create } from 'zustand';
import type { ChatPairing, ChatStatus, ChatUser } from '../../../../contract';
import { api } from '../../api';

interface TelegramStore {
  status: ChatStatus | null;
  pairings: ChatPairing[];
  users: ChatUser[];
  busy: boolean;
  error: string | null;
  /** Loads the bot's state and access lists and follows changes; returns the stop function. */
  start: () => () => void;
  connect: (token: string | null) => Promise<boolean>;
  disconnect: (forgetToken: boolean) => Promise<void>;
  answer: (code: string, accept: boolean) => Promise<void>;
  remove: (userId: string) => Promise<void>;
}

const surface = 'telegram' as const;

/** Settings → Telegram: the bot's state, who may talk to it, and who asks to. */
export const useTelegram = create<TelegramStore>((set, get) => {
  const loadAccess = () => {
    void api.chat.pairings({ surface }).then((r) => r.ok && set({ pairings: r.value }));
    void api.chat.users({ surface }).then((r) => r.ok && set({ users: r.value }));
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
    busy: false,
    error: null,
    start: () => {
      void api.chat.status({ surface }).then((r) => r.ok && set({ status: r.value }));
      loadAccess();
      const offs = [api.on('chat.status', (status) => status.surface === surface && set({ status })), api.on('chat.access', (e) => e.surface === surface && loadAccess())];
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
  };
});
