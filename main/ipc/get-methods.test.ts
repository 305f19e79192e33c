import { describe, expect, it } from 'vitest';
import { jobInputSchema } from '../../contract';
import { makeTempDir, startTestCore } from '../testing/temp-core';
import { desktopCaller, type CallContext } from './router';

const chat: CallContext = { surface: 'telegram', actor: 'telegram:42' };

describe('one thing by id, through the router', () => {
  it('sessions.get: a session without its transcript, typed; an unknown id is not_found', async () => {
    const { core } = await startTestCore();
    // A project folder beside the data folder (Claude never works in the data folder itself).
    const project = makeTempDir('switchboard-project-');
    const created = await core.router.call('sessions.create', { title: 'Plans', cwd: project }, desktopCaller);
    if (!created.ok) throw new Error(created.error.message);
    const got = await core.router.call('sessions.get', { id: created.value.id }, chat);
    // Typed by the method: no cast to read the title.
    expect(got.ok && got.value.title).toBe('Plans');
    expect(got).toEqual({ ok: true, value: core.sessions.list()[0] });
    expect(await core.router.call('sessions.get', { id: 'nope' }, chat)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await core.router.call('sessions.get', { id: '' }, chat)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('approvals.get: a question however old, answered or not (the newest 200 no longer hide it)', async () => {
    const { core } = await startTestCore();
    const ask = (n: number) => core.approvals.ask({ sessionId: null, turnId: null, source: 'test', toolName: 'Bash', input: { command: `echo ${n}` }, suggestions: [], description: null });
    const first = ask(0);
    await core.router.call('approvals.answer', { id: first.id, decision: 'deny', message: 'no' }, desktopCaller);
    for (let n = 1; n <= 205; n++) ask(n);
    const newest = await core.router.call('approvals.list', { status: 'all' }, desktopCaller);
    expect(newest.ok && newest.value.some((a) => a.id === first.id)).toBe(false);
    const got = await core.router.call('approvals.get', { id: first.id }, chat);
    expect(got).toMatchObject({ ok: true, value: { id: first.id, status: 'denied', message: 'no', input: { command: 'echo 0' } } });
    expect(await core.router.call('approvals.get', { id: 'nope' }, chat)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('schedules.get: one job with its next run; an unknown id is not_found', async () => {
    const { core } = await startTestCore();
    const saved = await core.router.call('schedules.create', jobInputSchema.parse({ name: 'nightly', kind: 'shell', cron: '0 3 * * *', command: 'true' }), desktopCaller);
    if (!saved.ok) throw new Error(saved.error.message);
    const got = await core.router.call('schedules.get', { id: saved.value.id }, chat);
    expect(got).toMatchObject({ ok: true, value: { id: saved.value.id, name: 'nightly', nextRun: expect.any(Number), recent: [] } });
    expect(await core.router.call('schedules.get', { id: 'nope' }, chat)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
