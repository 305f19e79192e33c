import { create } from 'zustand';
import type { MethodInput, Task } from '../../../../contract';
import { api, onResync } from '../../api';
import { useNavigation } from '../../app/navigation-store';

/** What a running task is doing now: the text it is writing, and the last tool it used. */
export interface TaskProgress {
  text: string;
  tool: string | null;
}

interface TasksStore {
  tasks: Record<string, Task>;
  progress: Record<string, TaskProgress>;
  loaded: boolean;
  error: string | null;
  start: () => () => void;
  launch: (input: MethodInput<'tasks.start'>) => Promise<string | null>;
  dismissError: () => void;
}

/** The last part of what is being written is enough to see a task is moving. */
const TAIL = 1500;

/** Background tasks: started here or anywhere else (a chat's /task, MCP), followed live. */
export const useTasks = create<TasksStore>((set, get) => ({
  tasks: {},
  progress: {},
  loaded: false,
  error: null,
  dismissError: () => set({ error: null }),
  start: () => {
    const load = () =>
      void api.tasks.list({ limit: 100 }).then((r) => {
        if (!r.ok) return set({ error: r.error.message });
        set({ tasks: Object.fromEntries(r.value.map((t) => [t.id, t])), loaded: true });
      });
    load();
    const offs = [
      onResync(['tasks.changed', 'sessions.stream'], load),
      api.on('tasks.changed', (task) => {
        const progress = { ...get().progress };
        if (task.status !== 'running' && task.status !== 'queued') delete progress[task.id];
        set({ tasks: { ...get().tasks, [task.id]: task }, progress });
      }),
      api.on('sessions.removed', ({ id }) => {
        if (!get().tasks[id]) return;
        const tasks = { ...get().tasks };
        delete tasks[id];
        set({ tasks });
      }),
      // A running task's own stream: what it writes and which tool it is using, as it happens.
      api.on('sessions.stream', ({ sessionId, turnId, item }) => {
        const task = get().tasks[sessionId];
        if (!task || task.turnId !== turnId) return;
        const now = get().progress[sessionId] ?? { text: '', tool: null };
        let next: TaskProgress | null = null;
        if (item.kind === 'text_delta') next = { tool: null, text: (now.text + item.text).slice(-TAIL) };
        else if (item.kind === 'message' && item.message.kind === 'tool_use') next = { text: '', tool: (item.message.data as { name?: string } | null)?.name ?? 'a tool' };
        else if (item.kind === 'message' && item.message.kind === 'text' && item.message.role === 'assistant') next = { ...now, text: item.message.text.slice(-TAIL) };
        if (next) set({ progress: { ...get().progress, [sessionId]: next } });
      }),
    ];
    return () => offs.forEach((off) => off());
  },
  launch: async (input) => {
    const r = await api.tasks.start(input);
    if (!r.ok) return r.error.message;
    set({ tasks: { ...get().tasks, [r.value.id]: r.value } });
    useNavigation.getState().go('tasks', [r.value.id]);
    return null;
  },
}));
