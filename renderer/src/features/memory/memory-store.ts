import { create } from 'zustand';
import type { IndexStatus, Memory, MemoryHit } from '../../../../contract';
import { importedLine } from './import-line';
import { api, onResync } from '../../api';

interface MemoryStore {
  memories: Memory[];
  total: number;
  categories: { name: string; count: number }[];
  category: string | null;
  query: string;
  hits: MemoryHit[] | null;
  status: IndexStatus | null;
  /** The last one deleted, kept for Undo until the next delete. */
  deleted: Memory | null;
  /** The last add that updated a memory stating the same fact: what it replaced, for Undo. */
  merged: { id: number; before: { text: string; category: string; tags: string[] }; after: string } | null;
  notice: string | null;
  start: () => () => void;
  setQuery: (query: string) => void;
  setCategory: (category: string | null) => void;
  add: (text: string, category: string, tags: string[]) => Promise<string | null>;
  update: (id: number, patch: { text?: string; category?: string; tags?: string[] }) => Promise<string | null>;
  remove: (id: number) => Promise<void>;
  undo: () => Promise<void>;
  undoMerge: () => Promise<void>;
  importJson: (text: string) => Promise<string | null>;
}

let timer: ReturnType<typeof setTimeout> | null = null;
let noticeTimer: ReturnType<typeof setTimeout> | null = null;
/** Notices say what just happened; they go after a while instead of standing there stale. */
const NOTICE_MS = 6000;

export const useMemory = create<MemoryStore>((set, get) => {
  const load = () =>
    void api.memory.list({ ...(get().category ? { category: get().category! } : {}), limit: 500 }).then((r) => {
      if (r.ok) set({ memories: r.value.memories, total: r.value.total, categories: r.value.categories });
    });
  const search = () => {
    const { query, category } = get();
    if (!query.trim()) return set({ hits: null });
    void api.memory.search({ query, ...(category ? { category } : {}), limit: 50 }).then((r) => r.ok && set({ hits: r.value.hits }));
  };
  const refresh = () => {
    load();
    search();
  };
  const say = (notice: string | null) => {
    set({ notice });
    if (noticeTimer) clearTimeout(noticeTimer);
    if (notice) noticeTimer = setTimeout(() => set({ notice: null }), NOTICE_MS);
  };
  return {
    memories: [],
    total: 0,
    categories: [],
    category: null,
    query: '',
    hits: null,
    status: null,
    deleted: null,
    merged: null,
    notice: null,
    start: () => {
      load();
      void api.memory.indexStatus({}).then((r) => r.ok && set({ status: r.value }));
      const offs = [onResync(['memory.changed'], refresh), api.on('memory.changed', refresh), api.on('memory.removed', refresh), api.on('memory.indexStatus', (status) => set({ status }))];
      return () => offs.forEach((off) => off());
    },
    setQuery: (query) => {
      set({ query });
      if (timer) clearTimeout(timer);
      timer = setTimeout(search, 150);
    },
    setCategory: (category) => {
      set({ category });
      refresh();
    },
    add: async (text, category, tags) => {
      const r = await api.memory.add({ text, category, tags });
      if (!r.ok) return r.error.message;
      if (r.value.action === 'updated' && r.value.replaced) {
        set({ merged: { id: r.value.memory.id, before: r.value.replaced, after: r.value.memory.text } });
        say(null);
      } else {
        set({ merged: null });
        say('Remembered.');
      }
      refresh();
      return null;
    },
    update: async (id, patch) => {
      const r = await api.memory.update({ id, ...patch });
      if (!r.ok) return r.error.message;
      refresh();
      return null;
    },
    remove: async (id) => {
      const r = await api.memory.delete({ id });
      if (r.ok) set({ deleted: r.value.deleted, merged: null });
      say(null);
      refresh();
    },
    undo: async () => {
      const memory = get().deleted;
      if (!memory) return;
      const { indexed: _indexed, ...rest } = memory;
      const r = await api.memory.restore({ memory: rest });
      set({ deleted: null });
      say(r.ok ? 'Restored.' : r.error.message);
      refresh();
    },
    undoMerge: async () => {
      const merged = get().merged;
      if (!merged) return;
      const r = await api.memory.update({ id: merged.id, ...merged.before });
      set({ merged: null });
      say(r.ok ? 'Put back as it was.' : r.error.message);
      refresh();
    },
    importJson: async (text) => {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        return 'That file is not JSON.';
      }
      const r = await api.memory.import({ data: data as { version: 1; memories: [] } });
      if (!r.ok) return r.error.message;
      say(importedLine(r.value));
      refresh();
      return null;
    },
  };
});
