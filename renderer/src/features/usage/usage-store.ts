import { create } from 'zustand';
import type { SystemFigures, UsageGroup, UsageSummary, UsageTurn } from '../../../../contract';
import { api, onResync } from '../../api';

type SessionRow = UsageGroup & { surface: string | null };

interface UsageStore {
  days: number;
  summary: UsageSummary | null;
  system: SystemFigures | null;
  /** The drill-down: a day's sessions, then a session's turns. */
  daySessions: { day: string; sessions: SessionRow[] } | null;
  sessionTurns: { sessionId: string; day: string; turns: UsageTurn[] } | null;
  error: string | null;
  start: () => () => void;
  setDays: (days: number) => void;
  openDay: (day: string | null) => Promise<void>;
  openSession: (day: string, sessionId: string | null) => Promise<void>;
}

/** The Usage screen: the summary for a range, the machine's figures, and the drill-down; live as usage is counted. */
export const useUsage = create<UsageStore>((set, get) => {
  const load = async () => {
    const [summary, system] = await Promise.all([api.usage.summary({ days: get().days }), api.usage.system({})]);
    set({ summary: summary.ok ? summary.value : get().summary, system: system.ok ? system.value : get().system, error: summary.ok ? null : summary.error.message });
    const open = get().daySessions;
    if (open) void get().openDay(open.day);
  };
  return {
    days: 30,
    summary: null,
    system: null,
    daySessions: null,
    sessionTurns: null,
    error: null,
    start: () => {
      void load();
      let timer: ReturnType<typeof setTimeout> | null = null;
      const offResync = onResync(['usage.changed'], () => void load());
      const off = api.on('usage.changed', () => {
        // Counting comes in bursts (a transcript read in chunks): one reload per second at most.
        timer ??= setTimeout(() => {
          timer = null;
          void load();
        }, 1000);
      });
      // CPU, memory and the processes change without usage: a slow refresh keeps them current.
      const tick = setInterval(() => void api.usage.system({}).then((r) => r.ok && set({ system: r.value })), 10_000);
      return () => {
        off();
        offResync();
        clearInterval(tick);
        if (timer) clearTimeout(timer);
      };
    },
    setDays: (days) => {
      set({ days });
      void load();
    },
    openDay: async (day) => {
      if (!day) return set({ daySessions: null, sessionTurns: null });
      const r = await api.usage.sessions({ day });
      if (r.ok) set({ daySessions: { day, sessions: r.value }, ...(get().sessionTurns?.day === day ? {} : { sessionTurns: null }) });
    },
    openSession: async (day, sessionId) => {
      if (!sessionId) return set({ sessionTurns: null });
      const r = await api.usage.turns({ sessionId, day });
      if (r.ok) set({ sessionTurns: { sessionId, day, turns: r.value } });
    },
  };
});
