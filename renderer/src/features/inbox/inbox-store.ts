import { create } from 'zustand';
import type { InboxCounts, InboxItem, SessionInbox } from '../../../../contract';
import { api, onResync } from '../../api';

export type InboxFilter = 'needs_you' | 'open' | 'all';

type OpenBySession = Record<string, SessionInbox>;

interface InboxStore {
  /** The badge's figures, for every screen (watched once by the app). */
  counts: InboxCounts;
  /** The open items about each session: its one state in the Sessions list. */
  bySession: OpenBySession;
  /** The Inbox screen's list, newest first. */
  items: InboxItem[];
  filter: InboxFilter;
  next: number | null;
  loading: boolean;
  error: string | null;
  /** Counts and session states, for the whole window: started once by the app. */
  watch: () => () => void;
  /** The Inbox screen's list, kept up to date while it shows. */
  start: () => () => void;
  setFilter: (filter: InboxFilter) => void;
  more: () => Promise<void>;
  markRead: (target: { ids?: number[]; sessionId?: string; all?: boolean }) => Promise<void>;
  dismiss: (id: number) => Promise<void>;
  /** A reply that continues a terminal session stopped in its reply window; the error in words, or null. */
  reply: (item: InboxItem, text: string) => Promise<string | null>;
}

const PAGE = 50;

/** Whether an item belongs in the list under a filter (the same rules as the server's). */
export function shownUnder(filter: InboxFilter, item: InboxItem): boolean {
  if (item.state === 'dismissed') return false;
  if (filter === 'all') return true;
  if (item.state !== 'open') return false;
  return filter === 'open' || item.kind === 'question' || item.kind === 'job_approval' || item.kind === 'stop';
}

/** The list with one item added, changed or taken out, newest first. */
export function placeItem(items: readonly InboxItem[], item: InboxItem, filter: InboxFilter): InboxItem[] {
  const rest = items.filter((i) => i.id !== item.id);
  if (!shownUnder(filter, item)) return rest;
  const at = rest.findIndex((i) => i.id < item.id);
  return at < 0 ? [...rest, item] : [...rest.slice(0, at), item, ...rest.slice(at)];
}

export const useInbox = create<InboxStore>((set, get) => {
  const loadSessions = () => void api.inbox.sessions({}).then((r) => r.ok && set({ bySession: r.value }));
  const load = () => {
    const filter = get().filter;
    set({ loading: true });
    void api.inbox.list({ filter, limit: PAGE }).then((r) => {
      if (get().filter !== filter) return;
      if (!r.ok) return set({ loading: false, error: r.error.message });
      set({ items: r.value.items, next: r.value.next, counts: r.value.counts, loading: false, error: null });
    });
  };
  return {
    counts: { needsYou: 0, unread: 0, badge: 0 },
    bySession: {},
    items: [],
    filter: 'needs_you',
    next: null,
    loading: false,
    error: null,

    watch: () => {
      const counts = () => void api.inbox.list({ filter: 'needs_you', limit: 1 }).then((r) => r.ok && set({ counts: r.value.counts }));
      counts();
      loadSessions();
      let timer: ReturnType<typeof setTimeout> | null = null;
      const offs = [
        onResync(['inbox.changed'], () => {
          counts();
          loadSessions();
        }),
        api.on('inbox.changed', ({ item, counts }) => {
          set({ counts });
          // Many at once (all read) or one about a session: the states are read again, at most a few times a second.
          if (!item || item.sessionId) {
            if (!timer) timer = setTimeout(() => ((timer = null), loadSessions()), 250);
          }
        }),
      ];
      return () => {
        if (timer) clearTimeout(timer);
        offs.forEach((off) => off());
      };
    },

    start: () => {
      load();
      const offs = [
        onResync(['inbox.changed'], load),
        api.on('inbox.changed', ({ item }) => {
          if (!item) return load();
          set({ items: placeItem(get().items, item, get().filter) });
        }),
      ];
      return () => offs.forEach((off) => off());
    },

    setFilter: (filter) => {
      set({ filter, items: [], next: null });
      load();
    },

    more: async () => {
      const { next, filter } = get();
      if (next === null) return;
      const r = await api.inbox.list({ filter, limit: PAGE, before: next });
      if (!r.ok || get().filter !== filter) return;
      set({ items: [...get().items, ...r.value.items.filter((i) => !get().items.some((x) => x.id === i.id))], next: r.value.next });
    },

    markRead: async (target) => {
      const r = await api.inbox.markRead(target);
      if (!r.ok) set({ error: r.error.message });
    },

    dismiss: async (id) => {
      const r = await api.inbox.dismiss({ id });
      if (!r.ok) set({ error: r.error.message });
    },

    reply: async (item, text) => {
      if (!item.ref) return 'This item has nothing to reply to.';
      const r = await api.hooks.reply({ id: item.ref, text });
      return r.ok ? null : r.error.message;
    },
  };
});

export const selectBadge = (s: InboxStore) => s.counts.badge;
export const selectNeedsYou = (s: InboxStore) => s.counts.needsYou;
