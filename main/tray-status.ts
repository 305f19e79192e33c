import type { Health, InboxCounts, PlanWindow } from '../contract';

/**
 * The tray menu's status line: whether everything runs, the CLI, the inbox (what needs the user, what
 * they have not read), and the meter of the 5-hour window (marked when it is Switchboard's estimate rather
 * than the plan's own figure).
 */
export function trayStatusLine(health: Pick<Health, 'services' | 'claude'>, inbox: InboxCounts, window: PlanWindow | null): string {
  const failed = health.services.filter((s) => s.state === 'failed').map((s) => s.name);
  const unread = inbox.badge - inbox.needsYou;
  const questions = `${inbox.needsYou ? ` · ${inbox.needsYou} need${inbox.needsYou === 1 ? 's' : ''} you` : ''}${unread > 0 ? ` · ${unread} unread` : ''}`;
  const meter = window && window.percent !== null && window.resetsAt ? ` · 5h window ${Math.round(window.percent)}%${window.source === 'estimate' ? ' (est.)' : ''}` : '';
  if (failed.length) return `Switchboard: ${failed.join(', ')} failed${meter}${questions}`;
  return `Switchboard: running · ${health.claude.found ? `Claude ${health.claude.version}` : 'Claude CLI not found'}${meter}${questions}`;
}
