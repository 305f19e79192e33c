import type { Database } from 'better-sqlite3';
import type { ChatSurface } from '../../contract';

/** The `task_replies` table (its only owner): which chat a background task's answer goes back to. */
export class TaskReplies {
  constructor(private readonly db: () => Database) {}

  add(taskId: string, to: { surface: ChatSurface; chatKey: string }): void {
    this.db().prepare('INSERT OR REPLACE INTO task_replies (task_id, surface, chat_key, created_at) VALUES (?, ?, ?, ?)').run(taskId, to.surface, to.chatKey, Date.now());
  }

  of(taskId: string): { surface: ChatSurface; chatKey: string } | null {
    const row = this.db().prepare('SELECT surface, chat_key FROM task_replies WHERE task_id = ?').get(taskId) as { surface: ChatSurface; chat_key: string } | undefined;
    return row ? { surface: row.surface, chatKey: row.chat_key } : null;
  }

  forget(taskId: string): void {
    this.db().prepare('DELETE FROM task_replies WHERE task_id = ?').run(taskId);
  }
}
