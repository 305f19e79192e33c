import { randomUUID } from 'node:crypto';
import { chatSurfaces, type ChatSurface, type MethodParams, type SessionSummary, type Task, type Turn } from '../../contract';
import { AppError } from '../errors';
import type { EventBus } from '../events';
import { isOwner } from '../ipc/owner';
import type { CallContext } from '../ipc/router';
import type { Service } from '../lifecycle';
import { log } from '../log';
import type { Notifier } from '../notifier';
import { attachmentNote, folderFromNote, listAttachments, taskFolder, writeRule } from '../scheduler/run-output';
import type { SessionManager } from '../sessions/session-manager';
import { TaskReplies } from './task-replies';
import type { StorageService } from '../storage/storage-service';

/** A task's session is known by its surface key: `task:<random>`. */
export const TASK_KEY_PREFIX = 'task:';

/** Whether a session is a background task's (its long-turn note is the task's own, not the session's). */
export const isTaskKey = (surfaceKey: string) => surfaceKey.startsWith(TASK_KEY_PREFIX);

const ended = (status: Turn['status']) => status !== 'queued' && status !== 'running';

/** What the task service needs of the sessions: made, sent to, read, and let go once done. */
export type TaskSessions = Pick<SessionManager, 'create' | 'send' | 'list' | 'get' | 'transcript' | 'release'>;

/**
 * Background work from anywhere (the window, `/task` in the chats, MCP's start_task): a prompt run in a
 * fresh session of its own, with an output folder it may write without asking, whose files are the
 * task's attachments. A task is a session keyed `task:…`, its first turn is the task, and its folder is
 * the one its system prompt names (read back from there); only the chat its answer goes back to is
 * kept beside it (task-replies.ts), so that the answer arrives after a restart too.
 */
export class TaskService implements Service {
  readonly name = 'tasks';
  private offs: (() => void)[] = [];
  private readonly replies: TaskReplies;

  constructor(
    private readonly deps: {
      storage: StorageService;
      sessions: TaskSessions;
      events: EventBus;
      notifier: Notifier;
      /** Where runs and tasks keep their files (Settings → Reports → Run output folder). */
      outputRoot: () => string;
    },
  ) {
    this.replies = new TaskReplies(() => deps.storage.db);
  }

  start(): void {
    // A task's turn starting or ending is the task changing: the window follows it, and its end is announced.
    this.offs.push(
      this.deps.events.on('sessions.stream', ({ sessionId, item }) => {
        if (item.kind !== 'turn') return;
        const task = this.find(sessionId, item.turn);
        if (!task || task.turnId !== item.turn.id) return;
        this.deps.events.emit('tasks.changed', task);
        if (ended(task.status)) this.finished(task);
      }),
      this.deps.events.on('sessions.removed', ({ id }) => this.replies.forget(id)),
    );
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }

  /** A fresh session with its own folder, the prompt queued in it; returns at once. */
  launch(input: MethodParams<'tasks.start'>, from: CallContext): Task {
    if (input.permissionPolicy === 'acceptEdits' && !isOwner(from)) {
      throw new AppError('unauthorized', 'A task that edits files without asking can be started only in the Switchboard window; ask for it without a mode, and its questions come to you.');
    }
    // Only a chat app names where the answer goes, and only among its own chats.
    const chat = chatSurfaces.find((s): s is ChatSurface => s === from.surface);
    if (input.replyTo && !chat) throw new AppError('invalid_input', 'replyTo: only a chat app (Telegram, Discord) can ask for the answer in one of its chats.');
    const title = input.title ?? `Task: ${input.prompt.split('\n')[0]!.slice(0, 60)}`;
    const key = `${TASK_KEY_PREFIX}${randomUUID()}`;
    const outputDir = taskFolder(this.deps.outputRoot(), title.replace(/^Task: /, ''), key.slice(TASK_KEY_PREFIX.length), Date.now());
    const session = this.deps.sessions.create({
      title,
      cwd: input.cwd ?? null,
      model: input.model ?? null,
      permissionPolicy: input.permissionPolicy,
      systemPrompt: attachmentNote(outputDir),
      // Its own folder and nothing else: the same as a job's run (no question for writing what it was asked to make).
      allowedTools: writeRule(outputDir),
      surface: from.surface,
      surfaceKey: key,
    });
    if (input.replyTo && chat) this.replies.add(session.id, { surface: chat, chatKey: input.replyTo });
    this.deps.sessions.send(session.id, input.prompt, from);
    const task = this.get(session.id);
    this.deps.events.emit('tasks.changed', task);
    return task;
  }

  /** Background tasks, newest first. */
  list(limit: number): Task[] {
    return this.deps.sessions
      .list()
      .filter((s) => isTaskKey(s.surfaceKey))
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, limit)
      .flatMap((s) => this.fromSession(s) ?? []);
  }

  /** One task as it stands. */
  get(id: string): Task {
    const task = this.find(id);
    if (!task) throw new AppError('not_found', `no background task ${id}`);
    return task;
  }

  /** One task once it has ended, or as it stands after `waitMs` (a chat's /task waits here for its answer). */
  async wait(id: string, waitMs: number): Promise<Task> {
    const now = this.get(id);
    if (ended(now.status) || waitMs <= 0) return now;
    return new Promise<Task>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(this.get(id));
      }, waitMs);
      const off = this.deps.events.on('tasks.changed', (task) => {
        if (task.id !== id || !ended(task.status)) return;
        clearTimeout(timer);
        off();
        resolve(task);
      });
    });
  }

  /** A task's folder and files, for the download route (which serves runs' and tasks' files alike). */
  files(id: string): { outputDir: string | null; attachments: Task['attachments'] } | undefined {
    return this.find(id) ?? undefined;
  }

  /** The task whose session this is, or null; `latest` is its turn as an event just told it. */
  private find(sessionId: string, latest?: Turn): Task | null {
    let session: SessionSummary;
    try {
      session = this.deps.sessions.get(sessionId);
    } catch {
      return null;
    }
    return isTaskKey(session.surfaceKey) ? this.fromSession(session, latest) : null;
  }

  private fromSession(session: SessionSummary, latest?: Turn): Task | null {
    const first = this.deps.sessions.transcript(session.id, 1).turns[0];
    if (!first) return null;
    const turn = latest?.id === first.id ? latest : first;
    const outputDir = folderFromNote(session.systemPrompt);
    return {
      id: session.id,
      title: session.title,
      prompt: turn.prompt,
      surface: session.surface,
      actor: turn.actor,
      turnId: turn.id,
      status: turn.status,
      position: turn.position,
      resultText: turn.resultText,
      error: turn.error,
      costUsd: turn.costUsd,
      outputDir,
      attachments: outputDir && ended(turn.status) ? listAttachments(outputDir) : [],
      replyTo: this.replies.of(session.id),
      cwd: session.cwd,
      createdAt: session.createdAt,
      startedAt: turn.startedAt,
      endedAt: turn.endedAt,
    };
  }

  /** Announced where the user is (the desktop, or the browser window), with its files; its process goes now. */
  private finished(task: Task): void {
    const files = task.attachments.length ? ` · ${task.attachments.map((a) => a.name).join(', ')}` : '';
    this.deps.notifier.notify({
      title: task.status === 'done' ? `Task done: ${task.title.replace(/^Task: /, '')}` : `Task ${task.status}: ${task.title.replace(/^Task: /, '')}`,
      body: `${(task.resultText ?? task.error ?? '').slice(0, 200)}${files}`,
      link: `#/tasks/${task.id}`,
    });
    void this.deps.sessions.release(task.id).catch((error: unknown) => log.error('tasks: stopping a finished task’s process failed', error));
  }
}
