import { create } from 'zustand';
import type { Approval, PermissionPolicy, SessionSummary } from '../../../../contract';
import { api, onResync } from '../../api';
import { useNavigation } from '../../app/navigation-store';
import { inLabels } from '../../app/field-errors';
import { applyStream, EMPTY_LIVE, mergeMessages, refreshed, withCosts, type OpenTranscript } from './transcript-model';

export interface NewSessionInput {
  title?: string;
  cwd?: string | null;
  model?: string | null;
  permissionPolicy: PermissionPolicy;
  systemPrompt?: string | null;
  /** A git worktree of its own in the repository `cwd` is in, on its own branch. */
  worktree?: boolean;
  baseBranch?: string;
}

interface SessionsStore {
  sessions: Record<string, SessionSummary>;
  selectedId: string | null;
  transcript: OpenTranscript | null;
  /** Pending permission questions, from every session. */
  approvals: Record<string, Approval>;
  error: string | null;
  /** A session the address names that does not exist. */
  missing: string | null;
  start: () => () => void;
  /** Questions waiting anywhere, for the whole window (navigation count, Schedules): started once by the app. */
  watchApprovals: () => () => void;
  select: (id: string | null) => void;
  /** Reads the open transcript again and takes it as the truth, keeping what is on screen until it arrives. */
  refresh: () => void;
  create: (input: NewSessionInput) => Promise<string | null>;
  send: (text: string, interrupt?: boolean) => Promise<string | null>;
  interrupt: () => Promise<void>;
  reset: () => Promise<void>;
  remove: () => Promise<void>;
  /** A session deleted in this window, hidden at once and removed after a while unless undone. */
  pendingDelete: { id: string; title: string } | null;
  deleteLater: (id: string) => void;
  undoDelete: () => void;
  update: (patch: { title?: string; model?: string | null; permissionPolicy?: PermissionPolicy }) => Promise<void>;
  editQueued: (turnId: string, text: string) => Promise<string | null>;
  removeQueued: (turnId: string) => Promise<string | null>;
  answer: (id: string, decision: 'once' | 'session' | 'always' | 'deny', extra?: { message?: string; rule?: string; answers?: Record<string, string> }) => Promise<string | null>;
  dismissError: () => void;
  /** The terminal shown in each session's Terminal tab: kept while the user looks at another tab. */
  shownTerminal: Record<string, string>;
  showTerminal: (sessionId: string, terminalId: string) => void;
}

/** How long a deleted session can be brought back. */
export const UNDO_DELETE_MS = 10_000;
let deleteTimer: ReturnType<typeof setTimeout> | null = null;

export const useSessions = create<SessionsStore>((set, get) => ({
  pendingDelete: null,
  shownTerminal: {},
  showTerminal: (sessionId, terminalId) => set({ shownTerminal: { ...get().shownTerminal, [sessionId]: terminalId } }),

  watchApprovals: () => {
    const load = () => void api.approvals.list({ status: 'pending' }).then((r) => r.ok && set({ approvals: Object.fromEntries(r.value.map((a) => [a.id, a])) }));
    load();
    const offs = [
      onResync(['approvals.changed'], load),
      api.on('approvals.changed', (a) => {
        const approvals = { ...get().approvals };
        if (a.status === 'pending') approvals[a.id] = a;
        else delete approvals[a.id];
        set({ approvals });
      }),
    ];
    return () => offs.forEach((off) => off());
  },

  deleteLater: (id) => {
    const earlier = get().pendingDelete;
    if (deleteTimer) clearTimeout(deleteTimer);
    // One at a time: an earlier one goes now.
    if (earlier) void api.sessions.delete({ id: earlier.id, discardChanges: true });
    set({ pendingDelete: { id, title: get().sessions[id]?.title ?? 'the session' } });
    if (get().selectedId === id) useNavigation.getState().go('sessions');
    deleteTimer = setTimeout(() => {
      deleteTimer = null;
      const pending = get().pendingDelete;
      set({ pendingDelete: null });
      if (pending) void api.sessions.delete({ id: pending.id, discardChanges: true }).then((r) => !r.ok && set({ error: r.error.message }));
    }, UNDO_DELETE_MS);
  },

  undoDelete: () => {
    if (deleteTimer) clearTimeout(deleteTimer);
    deleteTimer = null;
    const pending = get().pendingDelete;
    set({ pendingDelete: null });
    if (pending) useNavigation.getState().go('sessions', [pending.id]);
  },

  update: async (patch) => {
    const id = get().selectedId;
    if (!id) return;
    const r = await api.sessions.update({ id, ...patch });
    if (!r.ok) set({ error: inLabels(r.error.message, { title: 'Title', model: 'Model', permissionPolicy: 'Permissions' }) });
    else set({ sessions: { ...get().sessions, [id]: r.value } });
  },

  sessions: {},
  selectedId: null,
  transcript: null,
  approvals: {},
  error: null,
  missing: null,

  start: () => {
    const load = () =>
      void api.sessions.list({}).then((r) => {
        if (!r.ok) return set({ error: r.error.message });
        set({ sessions: Object.fromEntries(r.value.map((s) => [s.id, s])) });
      });
    load();
    const offs = [
      onResync(['sessions.changed'], load),
      api.on('sessions.changed', (s) => set({ sessions: { ...get().sessions, [s.id]: s } })),
      api.on('sessions.removed', ({ id }) => {
        const sessions = { ...get().sessions };
        delete sessions[id];
        set({ sessions });
        if (get().selectedId === id) useNavigation.getState().replace('sessions');
      }),
      // A turn's answers are counted a moment after it ends (from its transcript): its figures and the session's cost follow.
      api.on('sessions.costs', (c) => {
        const s = get().sessions[c.sessionId];
        if (s) set({ sessions: { ...get().sessions, [c.sessionId]: { ...s, costUsd: c.costUsd } } });
        const t = get().transcript;
        if (t?.sessionId === c.sessionId) set({ transcript: withCosts(t, c.turns) });
      }),
      api.on('sessions.stream', ({ sessionId, turnId, item }) => {
        const t = get().transcript;
        if (t?.sessionId === sessionId) set({ transcript: applyStream(t, turnId, item) });
      }),
      // This window missed events (it fell behind, or the server restarted): read the open transcript again.
      onResync(['sessions.stream'], () => get().refresh()),
      // A question about the open session answered anywhere (the phone, a chat): its turn goes on, read it again.
      api.on('approvals.changed', (a) => {
        if (a.status !== 'pending' && a.sessionId && a.sessionId === get().selectedId) get().refresh();
      }),
    ];
    // Shown again after another screen: the stream was not followed meanwhile, so what is held may be stale.
    get().refresh();
    return () => offs.forEach((off) => off());
  },

  select: (id) => {
    // An error was about what was tried in the session on screen: another session starts clean.
    if (!id) return set({ selectedId: null, transcript: null, missing: null, error: null });
    set({ selectedId: id, missing: null, error: null, transcript: { sessionId: id, loading: true, turns: {}, messages: [], live: EMPTY_LIVE } });
    void api.sessions.transcript({ id }).then((r) => {
      const t = get().transcript;
      if (t?.sessionId !== id) return;
      if (!r.ok) return set(r.error.code === 'not_found' ? { missing: id, transcript: null } : { error: r.error.message });
      set({
        transcript: {
          ...t,
          loading: false,
          turns: { ...Object.fromEntries(r.value.turns.map((x) => [x.id, x])), ...t.turns },
          messages: mergeMessages(r.value.messages, t.messages),
          // Everything streamed so far, not only what arrived since this window subscribed.
          live: r.value.streaming ? { ...t.live, turnId: r.value.streaming.turnId, text: r.value.streaming.text } : t.live,
        },
      });
    });
  },

  refresh: () => {
    const id = get().selectedId;
    const held = get().transcript;
    if (!id || held?.sessionId !== id || held.loading) return;
    void api.sessions.transcript({ id }).then((r) => {
      const t = get().transcript;
      if (!r.ok || t?.sessionId !== id) return;
      set({ transcript: refreshed(t, r.value.turns, r.value.messages, r.value.streaming) });
    });
  },

  create: async (input) => {
    const r = await api.sessions.create(input);
    if (!r.ok) return r.error.message;
    set({ sessions: { ...get().sessions, [r.value.id]: r.value } });
    useNavigation.getState().go('sessions', [r.value.id]);
    return null;
  },

  send: async (text, interrupt = false) => {
    const id = get().selectedId;
    if (!id) return 'no session selected';
    const r = await api.sessions.send({ id, text, interrupt });
    if (!r.ok) return r.error.message;
    const t = get().transcript;
    if (t?.sessionId === id) set({ transcript: { ...t, turns: { ...t.turns, [r.value.id]: r.value } } });
    return null;
  },

  interrupt: async () => {
    const id = get().selectedId;
    if (id) await api.sessions.interrupt({ id });
  },

  reset: async () => {
    const id = get().selectedId;
    if (!id) return;
    const r = await api.sessions.reset({ id });
    if (!r.ok) set({ error: r.error.message });
  },

  remove: async () => {
    const id = get().selectedId;
    if (!id) return;
    const r = await api.sessions.delete({ id });
    if (!r.ok) set({ error: r.error.message });
  },

  editQueued: async (turnId, text) => {
    const r = await api.sessions.editQueued({ turnId, text });
    if (!r.ok) set({ error: r.error.message });
    return r.ok ? null : r.error.message;
  },

  removeQueued: async (turnId) => {
    const r = await api.sessions.removeQueued({ turnId });
    if (!r.ok) set({ error: r.error.message });
    return r.ok ? null : r.error.message;
  },

  answer: async (id, decision, extra = {}) => {
    const r = await api.approvals.answer({ id, decision, ...extra });
    if (!r.ok) return r.error.message;
    const approvals = { ...get().approvals };
    delete approvals[id];
    set({ approvals });
    return null;
  },

  dismissError: () => set({ error: null }),
}));

export const selectSessionList = (s: SessionsStore) => s.sessions;
export const selectSelected = (s: SessionsStore) => (s.selectedId ? (s.sessions[s.selectedId] ?? null) : null);
export const selectTranscript = (s: SessionsStore) => s.transcript;
export const selectPendingCount = (s: SessionsStore) => Object.keys(s.approvals).length;
