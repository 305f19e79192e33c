import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobInputSchema } from '../../contract';
import { nextEvent } from '../testing/claude-harness';
import { harnessPerTest } from '../testing/harness-per-test';
import { desktopCaller, type CallContext } from '../ipc/router';

// A persistent job carries its session from run to run. The session must work in the mode the job has now:
// a job the owner let edit without asking, made careful from outside the window (which needs no approval),
// may then be told anything from outside too, so its kept session must not still edit without asking.
const claudeSession: CallContext = { surface: 'mcp', actor: 'session:some-other-session' };

const start = harnessPerTest();

describe('a persistent job’s session', () => {
  it('follows the job’s mode: made careful from outside, its next run asks before it writes', { timeout: 90_000 }, async () => {
    const { core, api, dir } = await start();
    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    const job = core.scheduler.create(
      jobInputSchema.parse({ name: 'notes', kind: 'claude', cron: '0 7 * * *', command: 'Tidy the notes', sessionMode: 'persistent', permissionPolicy: 'acceptEdits', cwd: project }),
      desktopCaller,
    );
    core.scheduler.runNow(job.id);
    await core.scheduler.settled(job.id);
    const [first] = core.scheduler.runs(job.id, 1);
    expect(first).toMatchObject({ status: 'ok' });
    expect(core.sessions.get(first!.sessionId!).permissionPolicy).toBe('acceptEdits');

    // A Claude session, through its MCP tools: the job made careful (nothing to approve) and told something else.
    const changed = await core.router.call('schedules.update', { id: job.id, permissionPolicy: 'ask', command: 'Write evil.txt' }, claudeSession);
    expect(changed).toMatchObject({ ok: true, value: { approval: null, permissionPolicy: 'ask' } });
    expect(await core.router.call('schedules.runNow', { id: job.id }, claudeSession)).toMatchObject({ ok: true });

    // Its Claude writes a file in the project: in Ask, that is a question, denied here.
    const evil = path.join(project, 'evil.txt');
    api.reply({ kind: 'tool', name: 'Write', input: { file_path: evil, content: 'x' } }, { kind: 'text', text: 'done' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.status === 'pending' && a.toolName === 'Write', 45_000);
    const ended = core.scheduler.settled(job.id);
    const question = await Promise.race([asked, ended.then(() => null)]);
    expect(question, 'the write happened without a question').not.toBeNull();
    core.approvals.answer(question!.id, { decision: 'deny' }, { by: 'user', via: 'desktop' });
    await core.scheduler.settled(job.id);
    expect(fs.existsSync(evil)).toBe(false);
    expect(core.sessions.get(first!.sessionId!).permissionPolicy).toBe('ask');
  });
});
