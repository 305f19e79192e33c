import { describe, expect, it } from 'vitest';
import type { PlanWindow } from '../contract';
import { trayStatusLine } from './tray-status';

const health = { services: [{ name: 'storage', state: 'running' as const }], claude: { found: true, source: 'path' as const, path: '/bin/claude', version: '2.1.329', error: null } };
const window = (over: Partial<PlanWindow>): PlanWindow => ({
  kind: 'five_hour',
  source: 'plan',
  percent: 42.4,
  startedAt: 0,
  resetsAt: 1,
  tokens: 0,
  costUsd: 0,
  burnTokensPerMin: 0,
  costPerHour: 0,
  projectedFullAt: null,
  status: null,
  observedAt: 0,
  basis: 'plan',
  ...over,
});

const inbox = (needsYou: number, badge: number) => ({ needsYou, unread: badge, badge });

describe('the tray status line', () => {
  it('shows the 5-hour meter, marking an estimate, and the inbox: what needs you and what is unread', () => {
    expect(trayStatusLine(health, inbox(0, 0), window({}))).toBe('Switchboard: running · Claude 2.1.329 · 5h window 42%');
    expect(trayStatusLine(health, inbox(2, 5), window({ source: 'estimate', percent: 80 }))).toBe('Switchboard: running · Claude 2.1.329 · 5h window 80% (est.) · 2 need you · 3 unread');
    // No window open: no meter.
    expect(trayStatusLine(health, inbox(1, 1), window({ percent: 0, resetsAt: null }))).toBe('Switchboard: running · Claude 2.1.329 · 1 needs you');
    expect(trayStatusLine({ ...health, services: [{ name: 'telegram', state: 'failed' }] }, inbox(0, 0), null)).toBe('Switchboard: telegram failed');
  });
});
