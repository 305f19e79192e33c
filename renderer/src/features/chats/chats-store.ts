import { create } from 'zustand';
import type { ConversationSummary, ImportProgress, Message, SearchHit, Surface } from '../../../../contract';
import { api, onResync } from '../../api';
import { mergeMessages, PAGE_SIZE } from './message-pages';

interface ChatsStore {
  conversations: ConversationSummary[];
  query: string;
  surface: Surface | null;
  /** Search narrowed by project folder, who spoke, and a date range (epoch ms, inclusive). */
  cwd: string | null;
  role: 'user' | 'assistant' | null;
  from: number | null;
  to: number | null;
  results: SearchHit[] | null;
  searchInfo: { usedVectors: boolean; tookMs: number } | null;
  searchError: string | null;
  openId: string | null;
  /** A conversation the address names that does not exist. */
  missing: string | null;
  messages: Message[];
  /** The message to scroll to and mark, when opened from a search hit or a memory. */
  target: number | null;
  importStatus: ImportProgress | null;
  start: () => () => void;
  setQuery: (query: string) => void;
  setSurface: (surface: Surface | null) => void;
  setFilter: (filter: Partial<Pick<ChatsStore, 'cwd' | 'role' | 'from' | 'to'>>) => void;
  open: (sessionId: string, messageId?: number | null) => void;
  runImport: () => Promise<void>;
}

let searchTimer: ReturnType<typeof setTimeout> | null = null;
let searchSeq = 0;
/** The conversation being opened: pages of one opened before it are dropped. */
let openSeq = 0;

export const useChats = create<ChatsStore>((set, get) => {
  const refresh = () => void api.history.conversations({}).then((r) => r.ok && set({ conversations: r.value }));
  const search = () => {
    const { query, surface, cwd, role, from, to } = get();
    if (!query.trim()) return set({ results: null, searchInfo: null, searchError: null });
    const seq = ++searchSeq;
    const filters = {
      ...(surface ? { surface: [surface] } : {}),
      ...(cwd ? { cwd } : {}),
      ...(role ? { role: [role] } : {}),
      ...(from !== null ? { from } : {}),
      ...(to !== null ? { to } : {}),
    };
    void api.history.search({ query, filters, limit: 50 }).then((r) => {
      if (seq !== searchSeq) return;
      if (!r.ok) return set({ searchError: r.error.message, results: [] });
      set({ results: r.value.hits, searchInfo: { usedVectors: r.value.usedVectors, tookMs: r.value.tookMs }, searchError: null });
    });
  };
  return {
    conversations: [],
    query: '',
    surface: null,
    cwd: null,
    role: null,
    from: null,
    to: null,
    results: null,
    searchInfo: null,
    searchError: null,
    openId: null,
    missing: null,
    messages: [],
    target: null,
    importStatus: null,

    start: () => {
      refresh();
      void api.history.importStatus({}).then((r) => r.ok && set({ importStatus: r.value }));
      let refreshTimer: ReturnType<typeof setTimeout> | null = null;
      const refreshSoon = () => {
        refreshTimer ??= setTimeout(() => {
          refreshTimer = null;
          refresh();
        }, 300);
      };
      const offs = [
        onResync(['history.importProgress', 'sessions.changed'], refresh),
        api.on('history.importProgress', (p) => {
          set({ importStatus: p });
          if (!p.running) refreshSoon();
        }),
        api.on('sessions.changed', refreshSoon),
        api.on('sessions.removed', refreshSoon),
        api.on('sessions.stream', ({ sessionId, item }) => {
          if (item.kind !== 'message') return;
          if (sessionId === get().openId) set({ messages: mergeMessages(get().messages, [item.message]) });
          refreshSoon();
        }),
      ];
      return () => offs.forEach((off) => off());
    },

    setQuery: (query) => {
      set({ query });
      if (searchTimer) clearTimeout(searchTimer);
      searchTimer = setTimeout(search, 150);
    },

    setSurface: (surface) => {
      set({ surface });
      search();
    },

    setFilter: (filter) => {
      set(filter);
      search();
    },

    open: (sessionId, messageId = null) => {
      if (get().openId === sessionId) return set({ target: messageId });
      set({ openId: sessionId, messages: [], target: messageId, missing: null });
      const seq = ++openSeq;
      // Page after page, each shown as it comes: the first screenful is there before a long conversation is read.
      const load = async (after: number): Promise<void> => {
        const r = await api.history.messages({ sessionId, after, limit: PAGE_SIZE });
        if (seq !== openSeq) return;
        if (!r.ok) return r.error.code === 'not_found' ? set({ missing: sessionId }) : undefined;
        set({ messages: mergeMessages(get().messages, r.value.messages) });
        if (r.value.next !== null) return load(r.value.next);
      };
      void load(0);
    },

    runImport: async () => {
      const r = await api.history.import({});
      if (r.ok) set({ importStatus: r.value });
    },
  };
});
