import type { PermissionPolicy, Surface } from '../../contract';

/**
 * What the session manager's create takes, as this folder sees it (it may not import sessions/): the
 * root hands over the real function, and the compiler checks the two agree.
 */
export interface CreateSessionFields {
  title?: string;
  cwd?: string | null;
  model?: string | null;
  permissionPolicy: PermissionPolicy;
  systemPrompt?: string | null;
  allowedTools?: string[];
  surface: Surface;
  /** A surface's own key for the conversation (a chat id), for `sessions.ask` by key. */
  surfaceKey?: string;
  id?: string;
}
