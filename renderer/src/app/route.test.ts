import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './route';

const screens = ['sessions', 'chats', 'schedules'];

describe('routes', () => {
  it('reads a screen and its path, and writes them back', () => {
    expect(parseRoute('#/schedules/job-1/runs/run-2', screens)).toEqual({ screen: 'schedules', path: ['job-1', 'runs', 'run-2'] });
    expect(routeHash({ screen: 'chats', path: ['a b', '42'] })).toBe('#/chats/a%20b/42');
    expect(parseRoute(routeHash({ screen: 'chats', path: ['a b', '42'] }), screens)).toEqual({ screen: 'chats', path: ['a b', '42'] });
  });

  it('falls back to the first screen for an empty, unknown or token address', () => {
    for (const hash of ['', '#', '#/', '#/nowhere/1', '#token=abc']) expect(parseRoute(hash, screens)).toEqual({ screen: 'sessions', path: [] });
    expect(parseRoute('#/chats/%ZZ', screens)).toEqual({ screen: 'chats', path: ['%ZZ'] });
  });
});
