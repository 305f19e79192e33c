import * as z from 'zod';
import { event, method } from './define';
import { folderPath, withoutNul } from './fields';
import type { ChatSurface } from './chat';
import type { RunAttachment } from './schedules';
import type { Surface, TurnStatus } from './sessions';

/**
 * A prompt run in the background in a fresh session of its own, from the window, a chat (`/task`) or an
 * MCP client (`start_task`): where it stands, its answer once done, and the files it left in its own
 * output folder (its attachments, downloaded like a run's at `/files/runs/<task>/<file>`).
 */
export interface Task {
  /** The task's session, which is its id: the session is watched live in Sessions. */
  id: string;
  title: string;
  prompt: string;
  /** Where it was asked from, and who asked. */
  surface: Surface;
  actor: string | null;
  turnId: string;
  status: TurnStatus;
  /** 1.. while waiting for a free process, 0 while running, null once ended. */
  position: number | null;
  resultText: string | null;
  error: string | null;
  costUsd: number | null;
  /** Its folder for files: what Claude writes there reaches whoever asked, with the answer. */
  outputDir: string | null;
  attachments: RunAttachment[];
  /** The chat its answer goes back to once it ends (asked with /task there), kept across restarts. */
  replyTo: { surface: ChatSurface; chatKey: string } | null;
  cwd: string;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
}

export const tasksMethods = {
  'tasks.start': method<Task>()(
    z
      .object({
        prompt: withoutNul(z.string().trim().min(1, 'must not be empty').max(100_000)),
        title: z.string().trim().min(1).max(200).optional(),
        cwd: folderPath.nullable().optional(),
        model: withoutNul(z.string().trim().min(1).max(200)).nullable().optional(),
        permissionPolicy: z.enum(['ask', 'acceptEdits', 'plan']).default('ask'),
        replyTo: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
    'Run a prompt in the background in a fresh session with its own folder for files; returns at once. Edits without asking (acceptEdits) only from the window. replyTo: the chat (of the calling chat app) that gets the answer and files when it ends, even after a restart.',
  ),
  'tasks.list': method<Task[]>()(z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(), 'Background tasks, newest first.'),
  'tasks.get': method<Task>()(
    z.object({ id: z.string().min(1).max(100), waitMs: z.number().int().min(0).max(24 * 3600_000).default(0) }).strict(),
    'One task; with waitMs, once it has ended or that long has passed (then as it stands).',
  ),
};

export const tasksEvents = {
  'tasks.changed': event<Task>('A task was started, began running, or ended (with its answer and files).'),
};
