import { chatApps, chatSurfaces, type ChatSurface, type Surface } from '../../../contract';

/** How each surface is named to a person: in Chats' groups, the Sessions filter, a message's label. */
export const SURFACE_LABELS: Record<Surface, string> = {
  desktop: 'Desktop',
  browser: 'Browser',
  schedule: 'Schedules',
  ...(Object.fromEntries(chatSurfaces.map((s) => [s, chatApps[s].label])) as Record<ChatSurface, string>),
  mcp: 'MCP',
  hook: 'Terminal hooks',
  external: 'Terminal & IDE',
};

/** A surface's name for a person; a name this window does not know is shown as it is. */
export function surfaceLabel(surface: string): string {
  return (SURFACE_LABELS as Record<string, string>)[surface] ?? surface;
}
