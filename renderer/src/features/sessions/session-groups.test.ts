import { describe, expect, it } from 'vitest';
import type { SessionSummary } from '../../../../contract';
import { groupSessions } from './session-groups';

const s = (id: string, title: string, surface: string, surfaceKey: string, updatedAt: number) => ({ id, title, surface, surfaceKey, updatedAt }) as SessionSummary;
const all = [
  s('a', 'Refactor the parser', 'browser', 'a', 5),
  s('r1', 'Job: briefing (2026-12-01T07:00)', 'schedule', 'job:j1:run1', 4),
  s('r2', 'Job: briefing (2026-12-02T07:00)', 'schedule', 'job:j1:run2', 6),
  s('p', 'Job: notes', 'schedule', 'job:j2', 3),
];
const none = new Set<string>();

describe('the Sessions list', () => {
  it('folds the fresh runs of a job under its name, and keeps a persistent job session as it is', () => {
    const { main, jobs } = groupSessions(all, { query: '', surface: '', hidden: none, selectedId: null });
    expect(main.map((x) => x.id)).toEqual(['a', 'p']);
    expect(jobs).toEqual([['Job: briefing', [all[2], all[1]]]]);
  });

  it('lists every run when asked for schedules, the open one always, and searches titles', () => {
    expect(groupSessions(all, { query: '', surface: 'schedule', hidden: none, selectedId: null }).main.map((x) => x.id)).toEqual(['r2', 'r1', 'p']);
    expect(groupSessions(all, { query: '', surface: '', hidden: none, selectedId: 'r1' }).main.map((x) => x.id)).toEqual(['a', 'r1', 'p']);
    expect(groupSessions(all, { query: 'PARSER', surface: '', hidden: new Set(['p']), selectedId: null })).toEqual({ main: [all[0]], jobs: [] });
  });
});
