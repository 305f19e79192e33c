import { create } from 'zustand';
import type { Job, JobInput, JobRun } from '../../../../contract';
import { api, onResync } from '../../api';
import { useNavigation } from '../../app/navigation-store';

interface SchedulesStore {
  jobs: Record<string, Job>;
  /** The job open in the editor; 'new' for a blank one. */
  selected: string | 'new' | null;
  runs: JobRun[];
  /** What the last save of each job warned about (a folder that does not exist yet). */
  warnings: Record<string, string[]>;
  error: string | null;
  /** The job list has arrived: before it, an address cannot be told to name no job. */
  loaded: boolean;
  start: () => () => void;
  dismissError: () => void;
  select: (id: string | 'new' | null) => void;
  save: (input: JobInput) => Promise<string | null>;
  remove: () => Promise<void>;
  runNow: () => Promise<void>;
  cancel: () => Promise<void>;
}

export const useSchedules = create<SchedulesStore>((set, get) => {
  const loadRuns = (id: string) => void api.schedules.runs({ id, limit: 50 }).then((r) => r.ok && get().selected === id && set({ runs: r.value }));
  return {
    jobs: {},
    selected: null,
    runs: [],
    warnings: {},
    error: null,
    loaded: false,
    dismissError: () => set({ error: null }),
    start: () => {
      const load = () =>
        void api.schedules.list({}).then((r) => {
          if (!r.ok) return set({ error: r.error.message });
          set({ jobs: Object.fromEntries(r.value.map((j) => [j.id, j])), loaded: true });
        });
      load();
      const offs = [
        onResync(['schedules.changed'], () => {
          load();
          const selected = get().selected;
          if (selected && selected !== 'new') loadRuns(selected);
        }),
        api.on('schedules.changed', (job) => set({ jobs: { ...get().jobs, [job.id]: job } })),
        api.on('schedules.removed', ({ id }) => {
          const jobs = { ...get().jobs };
          delete jobs[id];
          set({ jobs });
          if (get().selected === id) useNavigation.getState().replace('schedules');
        }),
        api.on('schedules.run', (run) => {
          if (run.jobId === get().selected) {
            const others = get().runs.filter((r) => r.id !== run.id);
            set({ runs: [run, ...others].sort((a, b) => (b.startedAt ?? b.endedAt ?? 0) - (a.startedAt ?? a.endedAt ?? 0)) });
          }
          void api.schedules.list({}).then((r) => r.ok && set({ jobs: Object.fromEntries(r.value.map((j) => [j.id, j])) }));
        }),
      ];
      return () => offs.forEach((off) => off());
    },
    select: (id) => {
      set({ selected: id, runs: [], error: null });
      if (id && id !== 'new') loadRuns(id);
    },
    save: async (input) => {
      const selected = get().selected;
      const r = selected && selected !== 'new' ? await api.schedules.update({ id: selected, ...input }) : await api.schedules.create(input);
      if (!r.ok) return r.error.message;
      const { warnings, ...job } = r.value;
      set({ jobs: { ...get().jobs, [job.id]: job }, warnings: { ...get().warnings, [job.id]: warnings } });
      if (selected === 'new') useNavigation.getState().replace('schedules', [job.id]);
      return null;
    },
    remove: async () => {
      const id = get().selected;
      if (id && id !== 'new') await api.schedules.delete({ id });
    },
    runNow: async () => {
      const id = get().selected;
      if (!id || id === 'new') return;
      const r = await api.schedules.runNow({ id });
      if (!r.ok) set({ error: r.error.message });
    },
    cancel: async () => {
      const id = get().selected;
      if (id && id !== 'new') await api.schedules.cancel({ id });
    },
  };
});
