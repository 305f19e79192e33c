import { create } from 'zustand';
import type { MergeResult, MergeStrategy, SessionChanges } from '../../../../contract';
import { api } from '../../api';
import { reviewMessage, type ReviewComment } from './diff-model';

/** Lines of a file's diff asked for at a time: the first page paints, the rest comes as the reader scrolls. */
export const DIFF_PAGE_LINES = 2000;
/** The first page is smaller (two screens and a little): it is what the reader waits for after a click. */
export const FIRST_DIFF_PAGE_LINES = 400;

interface OpenDiff {
  path: string;
  text: string;
  /** The next page's first line, or null once the whole diff is here. */
  nextOffset: number | null;
  loading: boolean;
}

interface ChangesStore {
  sessionId: string | null;
  /** null: the whole session; a number: that turn. */
  turn: number | null;
  changes: SessionChanges | null;
  loading: boolean;
  error: string | null;
  /** What the last merge, discard, commit or undo said. */
  notice: string | null;
  conflicts: MergeResult['conflicts'];
  diff: OpenDiff | null;
  /** Review comments not sent yet, per session. */
  comments: Record<string, ReviewComment[]>;
  busy: boolean;
  open: (sessionId: string) => () => void;
  selectTurn: (turn: number | null) => void;
  selectFile: (path: string | null) => void;
  moreDiff: () => void;
  commit: () => Promise<void>;
  merge: (strategy: MergeStrategy) => Promise<void>;
  discard: () => Promise<void>;
  undoTurn: (turn: number) => Promise<void>;
  addComment: (comment: Omit<ReviewComment, 'id'>) => void;
  removeComment: (id: string) => void;
  sendComments: () => Promise<void>;
  askToResolve: () => Promise<void>;
  dismiss: () => void;
}

let seq = 0;

/** The Changes tab of the session open in the window: its files (whole session or one turn), the open file's diff, the review comments. */
export const useChanges = create<ChangesStore>((set, get) => {
  const load = async () => {
    const { sessionId, turn } = get();
    if (!sessionId) return;
    set({ loading: true });
    const r = await api.sessions.changes({ id: sessionId, ...(turn !== null ? { turn } : {}), limit: 2000 });
    if (get().sessionId !== sessionId || get().turn !== turn) return;
    if (!r.ok) return set({ loading: false, error: r.error.message, changes: null });
    set({ loading: false, error: null, changes: r.value });
    const open = get().diff?.path;
    const keep = open && r.value.files.some((f) => f.path === open) ? open : (r.value.files[0]?.path ?? null);
    void loadDiff(keep, 0);
  };
  const loadDiff = async (path: string | null, offset: number) => {
    const { sessionId, turn } = get();
    if (!sessionId || path === null) return set({ diff: null });
    const before = get().diff;
    set({ diff: offset === 0 ? { path, text: '', nextOffset: null, loading: true } : { ...before!, loading: true } });
    const r = await api.sessions.diff({ id: sessionId, path, ...(turn !== null ? { turn } : {}), offset, limit: offset === 0 ? FIRST_DIFF_PAGE_LINES : DIFF_PAGE_LINES });
    const now = get().diff;
    if (get().sessionId !== sessionId || now?.path !== path) return;
    if (!r.ok) return set({ diff: { ...now, loading: false }, error: r.error.message });
    set({ diff: { path, text: (offset === 0 ? '' : now.text) + r.value.text, nextOffset: r.value.nextOffset, loading: false } });
  };
  const act = async (work: () => Promise<string | null>) => {
    set({ busy: true, error: null, notice: null, conflicts: [] });
    try {
      const error = await work();
      if (error) set({ error });
    } finally {
      set({ busy: false });
    }
    await load();
  };
  return {
    sessionId: null,
    turn: null,
    changes: null,
    loading: false,
    error: null,
    notice: null,
    conflicts: [],
    diff: null,
    comments: {},
    busy: false,

    open: (sessionId) => {
      if (get().sessionId !== sessionId) set({ sessionId, turn: null, changes: null, diff: null, error: null, notice: null, conflicts: [] });
      void load();
      let timer: ReturnType<typeof setTimeout> | null = null;
      const off = api.on('sessions.changesChanged', (e) => {
        if (e.sessionId !== get().sessionId) return;
        // A burst (a checkpoint, then a merge) reloads once.
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void load(), 150);
      });
      return () => {
        off();
        if (timer) clearTimeout(timer);
      };
    },
    selectTurn: (turn) => {
      set({ turn, changes: null, diff: null });
      void load();
    },
    selectFile: (path) => void loadDiff(path, 0),
    moreDiff: () => {
      const d = get().diff;
      if (d && !d.loading && d.nextOffset !== null) void loadDiff(d.path, d.nextOffset);
    },
    commit: () =>
      act(async () => {
        const r = await api.sessions.commit({ id: get().sessionId! });
        if (!r.ok) return r.error.message;
        set({ notice: r.value.message });
        return null;
      }),
    merge: (strategy) =>
      act(async () => {
        const r = await api.sessions.merge({ id: get().sessionId!, strategy });
        if (!r.ok) return r.error.message;
        set({ notice: r.value.message, conflicts: r.value.conflicts });
        return null;
      }),
    discard: () =>
      act(async () => {
        const r = await api.sessions.discard({ id: get().sessionId! });
        if (!r.ok) return r.error.message;
        set({ notice: r.value.message, turn: null });
        return null;
      }),
    undoTurn: (turn) =>
      act(async () => {
        const r = await api.sessions.undoTurn({ id: get().sessionId!, turn });
        if (!r.ok) return r.error.message;
        set({ notice: r.value.message });
        return null;
      }),
    addComment: (comment) => {
      const id = get().sessionId;
      if (!id) return;
      const list = get().comments[id] ?? [];
      set({ comments: { ...get().comments, [id]: [...list, { ...comment, id: `c${++seq}` }] } });
    },
    removeComment: (commentId) => {
      const id = get().sessionId;
      if (!id) return;
      set({ comments: { ...get().comments, [id]: (get().comments[id] ?? []).filter((c) => c.id !== commentId) } });
    },
    sendComments: async () => {
      const id = get().sessionId;
      const list = id ? (get().comments[id] ?? []) : [];
      if (!id || !list.length) return;
      const r = await api.sessions.send({ id, text: reviewMessage(list, get().turn) });
      if (!r.ok) return set({ error: r.error.message });
      set({ comments: { ...get().comments, [id]: [] }, notice: `Sent ${list.length} comment${list.length === 1 ? '' : 's'} to Claude as the next message.` });
    },
    askToResolve: async () => {
      const { sessionId, conflicts, changes } = get();
      if (!sessionId || !conflicts.length) return;
      const base = changes?.baseBranch ?? 'the base branch';
      const text = `Merging into ${base} stopped on conflicts in: ${conflicts.map((c) => c.path).join(', ')}. Please merge ${base} into your branch (git merge ${base}), resolve the conflicts keeping both intents, and commit.`;
      const r = await api.sessions.send({ id: sessionId, text });
      if (!r.ok) return set({ error: r.error.message });
      set({ conflicts: [], notice: 'Asked Claude to resolve the conflicts; merge again once its turn is done.' });
    },
    dismiss: () => set({ error: null, notice: null }),
  };
});

/** The comments of the session open in the tab. */
export const selectComments = (s: ChangesStore): ReviewComment[] => (s.sessionId ? (s.comments[s.sessionId] ?? EMPTY) : EMPTY);
const EMPTY: ReviewComment[] = [];
