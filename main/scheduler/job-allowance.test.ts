import { afterEach, describe, expect, it } from 'vitest';
import { JOB_APPROVAL_TOOL, jobInputSchema, type Approval, type MethodInput, type PermissionPolicy } from '../../contract';
import type { Core } from '../core';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { startTestCore } from '../testing/temp-core';
import { desktopCaller, type CallContext } from '../ipc/router';
import { jobCaller } from './job-sessions';

// A job calls the contract as itself (`schedule`, `job:<id>`), like any surface; the permission mode the
// owner made or approved it with is the one thing that lets its session work without asking, and the router
// reads that from the job as stored: a context that claims it is not believed.
const claudeJob = (permissionPolicy: PermissionPolicy): MethodInput<'schedules.create'> => ({ name: `A ${permissionPolicy} job`, kind: 'claude', permissionPolicy, cron: '0 3 * * *', command: 'Tidy the notes' });

async function made(core: Core, input: MethodInput<'schedules.create'>, ctx: CallContext = desktopCaller): Promise<{ id: string; approval: unknown }> {
  const saved = await core.router.call('schedules.create', input, ctx);
  if (!saved.ok) throw new Error(saved.error.message);
  return saved.value;
}

/** A session made as `ctx`, in `permissionPolicy`: the session, or the contract's error. */
const session = (core: Core, permissionPolicy: PermissionPolicy, ctx: CallContext) => core.router.call('sessions.create', { title: 'Run', permissionPolicy, surfaceKey: 'job:x:run' }, ctx);
const refused = { ok: false, error: { code: 'invalid_input', message: expect.stringContaining('only you, in Switchboard') } };

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('a job’s calls through the router', () => {
  it('start a session in the mode the owner gave the job, and no looser one', async () => {
    const { core } = await startTestCore();
    const loose = await made(core, claudeJob('acceptEdits'));
    const started = await session(core, 'acceptEdits', jobCaller(loose.id));
    expect(started).toMatchObject({ ok: true, value: { surface: 'schedule', surfaceKey: 'job:x:run', permissionPolicy: 'acceptEdits' } });
    // The session made as the job is the job's: it can stop its process, a chat cannot.
    const id = started.ok ? started.value.id : '';
    expect(await core.router.call('sessions.release', { id }, jobCaller(loose.id))).toEqual({ ok: true, value: { released: true } });
    expect(await core.router.call('sessions.release', { id }, { surface: 'telegram', actor: 'telegram:1' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // Another mode than its own: refused, in a session's create and update alike.
    expect(await session(core, 'bypass', jobCaller(loose.id))).toMatchObject(refused);
    const careful = await made(core, claudeJob('ask'));
    expect(await session(core, 'acceptEdits', jobCaller(careful.id))).toMatchObject(refused);
    expect(await core.router.call('sessions.update', { id, permissionPolicy: 'bypass' }, jobCaller(loose.id))).toMatchObject(refused);
    // A job that is not there, and a shell job, have no mode to lend.
    expect(await session(core, 'acceptEdits', jobCaller('no-such-job'))).toMatchObject(refused);
    const shell = await made(core, { name: 'Backup', kind: 'shell', cron: '0 3 * * *', command: 'true' });
    expect(await session(core, 'acceptEdits', jobCaller(shell.id))).toMatchObject(refused);
  });

  it('refuses a forged context: another surface naming the job, or an allowance the caller wrote itself', async () => {
    const { core } = await startTestCore();
    const loose = await made(core, claudeJob('acceptEdits'));
    const careful = await made(core, claudeJob('ask'));
    // The job's actor on another surface is not the job.
    expect(await session(core, 'acceptEdits', { surface: 'mcp', actor: `job:${loose.id}` })).toMatchObject(refused);
    // An allowance brought along is dropped: only the router's own lookup counts.
    const forged = { surface: 'mcp', actor: 'mcp:inspector', allowed: { permissionPolicy: 'acceptEdits' } } as CallContext;
    expect(await session(core, 'acceptEdits', forged)).toMatchObject(refused);
    expect(await session(core, 'acceptEdits', { ...jobCaller(careful.id), allowed: { permissionPolicy: 'acceptEdits' } } as CallContext)).toMatchObject(refused);
  });

  it('lends a job made outside the window its mode only once the owner approved it', async () => {
    const { core } = await startTestCore();
    const asked = nextEvent(core.events, 'approvals.changed', (a: Approval) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending');
    const waiting = await made(core, claudeJob('acceptEdits'), { surface: 'telegram', actor: 'telegram:42' });
    expect(waiting.approval).toMatchObject({ requestedBy: 'Telegram user 42' });
    expect(await session(core, 'acceptEdits', jobCaller(waiting.id))).toMatchObject(refused);
    const question = await asked;
    const allowed = nextEvent(core.events, 'schedules.changed', (j) => j.id === waiting.id && !j.approval);
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, desktopCaller)).toMatchObject({ ok: true });
    await allowed;
    expect(await session(core, 'acceptEdits', jobCaller(waiting.id))).toMatchObject({ ok: true, value: { permissionPolicy: 'acceptEdits' } });
    // Changed from outside again: it waits again, and lends nothing meanwhile.
    expect(await core.router.call('schedules.update', { id: waiting.id, command: 'Delete everything' }, { surface: 'telegram', actor: 'telegram:42' })).toMatchObject({ ok: true, value: { approval: { requestedBy: 'Telegram user 42' } } });
    expect(await session(core, 'acceptEdits', jobCaller(waiting.id))).toMatchObject(refused);
  });

  it('a run cancelled while its Claude waits is interrupted through the contract; its session and turn name the job and the run', { timeout: 60_000 }, async () => {
    const { core, api } = (h = await startHarness());
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch asked.txt', description: 'make a file' } }, { kind: 'text', text: 'done' });
    const job = core.scheduler.create(jobInputSchema.parse({ name: 'asks', kind: 'claude', cron: '0 7 * * *', command: 'make a file' }), desktopCaller);
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending', 30_000);
    core.scheduler.runNow(job.id);
    await asked;
    const ended = nextEvent(core.events, 'schedules.run', (r) => r.jobId === job.id && r.status !== 'running', 30_000);
    expect(core.scheduler.cancel(job.id)).toBe(true);
    const run = await ended;
    expect(run.status).toBe('cancelled');
    const session = core.sessions.get(run.sessionId!);
    expect(session).toMatchObject({ surface: 'schedule', surfaceKey: `job:${job.id}:${run.id}`, permissionPolicy: 'ask' });
    expect(core.sessions.transcript(session.id, 100).turns).toMatchObject([{ surface: 'schedule', actor: `job:${job.id}`, status: 'interrupted' }]);
  });
});
