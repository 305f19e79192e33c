import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput, Task } from '../../contract';
import { desktopCaller, type CallContext } from '../ipc/router';
import { startHarness, type Harness } from '../testing/claude-harness';
import { reportModel } from '../testing/report-model';
import { nextEvent } from '../testing/wait';
import { tools } from '../tools/registry';

// Background tasks with the real CLI against the Anthropic stand-in: a fresh session with its own folder
// for files, the task followed by its events, its files listed and downloadable, its end announced once.
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

function caller(ctx: CallContext) {
  return async <M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> => {
    const r = await h!.core.router.call(method, input, ctx);
    if (!r.ok) throw new Error(r.error.message);
    return r.value as MethodOutput<M>;
  };
}

describe('background tasks', { timeout: 120_000 }, () => {
  it('runs a prompt from the window in a fresh session with its own folder; its file is listed, downloadable, and announced once', async () => {
    // Every turn is "long" here: the session's own note would fire too, if a task's end were not the task's to announce.
    h = await startHarness({ core: { server: SERVER }, settings: [{ key: 'sessions.notifyAfterSeconds', value: 0 }] });
    const { core, api, dir } = h;
    core.settings.set({ key: 'reports.outputDir', value: path.join(dir, 'out') });
    reportModel(api, { file: { name: 'summary.md', content: '# Open PRs\n\n- #12 fix the login\n' }, answer: { kind: 'text', text: 'Two pull requests are open; the summary is attached.', delayMs: 200 } });
    const changes: Task[] = [];
    core.events.on('tasks.changed', (t) => changes.push(t));
    const call = caller(desktopCaller);

    const started = await call('tasks.start', { prompt: 'Sum up the open pull requests\nin a file' });
    expect(started).toMatchObject({ title: 'Task: Sum up the open pull requests', prompt: 'Sum up the open pull requests\nin a file', surface: 'desktop', actor: 'desktop', attachments: [] });
    expect(['queued', 'running']).toContain(started.status);
    expect(started.outputDir!.startsWith(path.join(dir, 'out', 'tasks'))).toBe(true);
    // A session of its own, seen in Sessions, that may write its own folder and nothing more.
    const session = core.sessions.get(started.id);
    expect(session).toMatchObject({ surfaceKey: expect.stringMatching(/^task:/), permissionPolicy: 'ask', title: 'Task: Sum up the open pull requests' });

    const done = await call('tasks.get', { id: started.id, waitMs: 60_000 });
    expect(done, done.error ?? '').toMatchObject({ status: 'done', resultText: 'Two pull requests are open; the summary is attached.', attachments: [{ name: 'summary.md', size: 32 }] });
    expect(fs.readFileSync(path.join(done.outputDir!, 'summary.md'), 'utf8')).toContain('#12 fix the login');
    // No question was asked for writing its own folder.
    expect(core.approvals.list('all', 10)).toEqual([]);
    // Followed by events: started, running, done (with its files).
    expect(changes.map((c) => c.status)).toEqual(expect.arrayContaining(['running', 'done']));
    expect(changes.at(-1)).toMatchObject({ status: 'done', attachments: [{ name: 'summary.md' }] });
    expect(await call('tasks.list', {})).toEqual([expect.objectContaining({ id: started.id, status: 'done' })]);

    // Announced once, with its file and its address in the window.
    await expect.poll(() => h!.notifications.length).toBe(1);
    expect(h.notifications[0]).toEqual({ title: 'Task done: Sum up the open pull requests', body: 'Two pull requests are open; the summary is attached. · summary.md', link: `#/tasks/${started.id}` });

    // Downloaded with the UI token, like a run's file.
    const url = `http://127.0.0.1:${core.server!.address!.port}/files/runs/${started.id}/summary.md`;
    const got = await fetch(url, { headers: { Authorization: `Bearer ${core.serverToken}` } });
    expect(got.status).toBe(200);
    expect(await got.text()).toContain('# Open PRs');
    expect((await fetch(url)).status).toBe(401);
    // The desktop window, which has no token, reads it over IPC; nobody else does.
    expect(await call('schedules.runFile', { runId: started.id, name: 'summary.md' })).toEqual({ name: 'summary.md', size: 32, base64: Buffer.from('# Open PRs\n\n- #12 fix the login\n').toString('base64') });
    expect(await core.router.call('schedules.runFile', { runId: started.id, name: '../secrets.json' }, desktopCaller)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await core.router.call('schedules.runFile', { runId: started.id, name: 'summary.md' }, { surface: 'mcp', actor: 'mcp:x' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

    // An ordinary session is not a task.
    const plain = await call('sessions.create', { title: 'plain' });
    expect(await core.router.call('tasks.get', { id: plain.id }, desktopCaller)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('from MCP: start_task makes a task with a folder, get_task lists its files; edits without asking only from the window', async () => {
    h = await startHarness();
    const { core, api, dir } = h;
    core.settings.set({ key: 'reports.outputDir', value: path.join(dir, 'out') });
    reportModel(api, { file: { name: 'numbers.csv', content: 'a,b\n1,2\n' }, answer: 'Made numbers.csv.' });
    const mcp = { surface: 'mcp' as const, actor: 'mcp:inspector' };
    const call = caller(mcp);
    const refused = await core.router.call('tasks.start', { prompt: 'edit everything', permissionPolicy: 'acceptEdits' }, mcp);
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('only in the Switchboard window') } });

    const start = tools.find((t) => t.name === 'start_task')!;
    const get = tools.find((t) => t.name === 'get_task')!;
    const started = (await start.run(call, start.input.parse({ text: 'make the numbers' }))) as { sessionId: string; turnId: string };
    expect(core.sessions.get(started.sessionId)).toMatchObject({ surface: 'mcp', surfaceKey: expect.stringMatching(/^task:/) });
    await h.turnEnded(started.turnId);
    const got = (await get.run(call, get.input.parse({ turn_id: started.turnId }))) as { status: string; files: { name: string; path: string }[] };
    expect(got).toMatchObject({ status: 'done', text: 'Made numbers.csv.', files: [{ name: 'numbers.csv', size: 8 }] });
    expect(fs.readFileSync(got.files[0]!.path, 'utf8')).toBe('a,b\n1,2\n');
    // The MCP client's task is in the window's list too, saying who asked.
    const listed = await caller(desktopCaller)('tasks.list', {});
    expect(listed).toEqual([expect.objectContaining({ surface: 'mcp', actor: 'mcp:inspector', attachments: [{ name: 'numbers.csv', size: 8 }] })]);
    // A task that waits past its time comes back as it stands.
    api.reply({ kind: 'text', text: 'slow', delayMs: 3000 });
    const slow = await call('tasks.start', { prompt: 'take your time' });
    const waiting = nextEvent(core.events, 'tasks.changed', (t) => t.id === slow.id && t.status === 'done', 30_000);
    expect((await call('tasks.get', { id: slow.id, waitMs: 300 })).status).toMatch(/^(queued|running)$/);
    await waiting;
  });
});
