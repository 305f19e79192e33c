import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { JOB_APPROVAL_TOOL, REVIEW_APPROVAL_TOOL } from '../../contract';
import type { Core } from '../core';
import { desktopCaller, type CallContext } from '../ipc/router';
import { startTestCore, testTempDir } from '../testing/temp-core';
import { nextEvent } from '../testing/wait';

// The owner's word on a file sent out and on a job that runs code: asked through the one broker, and
// never given by whoever asked.
let core: Core;
beforeEach(async () => {
  ({ core } = await startTestCore());
});

const client: CallContext = { surface: 'mcp', actor: 'mcp:inspector' };

describe('the owner’s questions', () => {
  it('a file sent with a note from outside the window waits for the owner; the caller cannot allow it; a no sends nothing', async () => {
    const file = path.join(testTempDir(), 'report.txt');
    fs.writeFileSync(file, 'the weekly numbers\n');
    const own = core.sessions.create({ title: 'Writes reports', permissionPolicy: 'ask', surface: 'desktop' });
    const session: CallContext = { surface: 'mcp', actor: `session:${own.id}` };
    const notes: unknown[] = [];
    core.events.on('user.note', (n) => notes.push(n));

    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
    const denied = core.router.call('user.notify', { text: 'here', title: 'Weekly', filePath: file }, session);
    const question = await asked;
    expect(question.input).toMatchObject({ action: 'sendFile', sessionId: own.id, command: expect.stringContaining(fs.realpathSync(file)) });
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, session)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'deny' }, desktopCaller)).toMatchObject({ ok: true });
    expect(await denied).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('Nothing was sent') } });
    expect(notes).toEqual([]);

    const again = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === REVIEW_APPROVAL_TOOL && a.status === 'pending');
    const allowed = core.router.call('user.notify', { text: 'here', title: 'Weekly', filePath: file }, client);
    // Someone else outside the window (here: the owner's phone) may give the word.
    expect(await core.router.call('approvals.answer', { id: (await again).id, decision: 'once' }, { surface: 'telegram', actor: 'telegram:7' })).toMatchObject({ ok: true });
    expect(await allowed).toMatchObject({ ok: true });
    expect(notes).toHaveLength(1);

    // The owner's own note goes at once.
    expect(await core.router.call('user.notify', { text: 'mine', title: 'Mine', filePath: file }, desktopCaller)).toMatchObject({ ok: true });
    expect(notes).toHaveLength(2);
  });

  /** A session driven from a phone whose Claude asks, through its MCP tools, for a shell job: the owner's question. */
  const phone: CallContext = { surface: 'telegram', actor: 'telegram:1001' };
  async function jobAskedByPhoneSession() {
    const own = core.sessions.create({ title: 'Driven from a phone', permissionPolicy: 'ask', surface: 'telegram' });
    core.sessions.send(own.id, 'make me a cleanup job', phone);
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending');
    expect(await core.router.call('schedules.create', { name: 'Cleanup', kind: 'shell', cron: '0 3 * * *', command: 'rm -rf ~/tmp/*' }, { surface: 'mcp', actor: `session:${own.id}` })).toMatchObject({ ok: true });
    return { own, question: await asked };
  }

  it('what a session’s Claude asked for cannot be allowed by the person driving that session', async () => {
    const { question } = await jobAskedByPhoneSession();
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, phone)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, { surface: 'telegram', actor: 'telegram:7' })).toMatchObject({ ok: true });
  });

  it('nor by anyone who drove that session before: its Claude sending itself a message does not make the phone someone else', async () => {
    const own = core.sessions.create({ title: 'Driven from a phone', permissionPolicy: 'ask', surface: 'telegram' });
    const itsClaude: CallContext = { surface: 'mcp', actor: `session:${own.id}` };
    core.sessions.send(own.id, 'make me a cleanup job, then send yourself a message', phone);
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending');
    expect(await core.router.call('schedules.create', { name: 'Cleanup', kind: 'shell', cron: '0 3 * * *', command: 'rm -rf ~/tmp/*' }, itsClaude)).toMatchObject({ ok: true });
    // Its Claude, through its MCP tools (start_task with its own session), is now the latest to have written to it.
    expect(await core.router.call('sessions.send', { id: own.id, text: 'ok' }, itsClaude)).toMatchObject({ ok: true });
    const question = await asked;
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, phone)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // The same through another session it drives: that session's Claude asks, and the phone drove it.
    const second = core.sessions.create({ title: 'Started by the first', permissionPolicy: 'ask', surface: 'mcp' });
    expect(await core.router.call('sessions.send', { id: second.id, text: 'make a job' }, itsClaude)).toMatchObject({ ok: true });
    const again = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending');
    expect(await core.router.call('schedules.create', { name: 'Cleanup 2', kind: 'shell', cron: '0 3 * * *', command: 'rm -rf ~/tmp/*' }, { surface: 'mcp', actor: `session:${second.id}` })).toMatchObject({ ok: true });
    const relayed = await again;
    expect(await core.router.call('approvals.answer', { id: relayed.id, decision: 'once' }, phone)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // Someone who never drove either may.
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, { surface: 'telegram', actor: 'telegram:7' })).toMatchObject({ ok: true });
  });

  it('nor by whoever drove a session deleted since: who drove it went with its turns, so only the window may allow what its Claude asked', async () => {
    const { own, question } = await jobAskedByPhoneSession();
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, phone)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // The owner deletes the conversation (and with it its turns, the record of who drove it); the job still waits.
    expect(await core.router.call('sessions.delete', { id: own.id }, desktopCaller)).toMatchObject({ ok: true });
    expect(core.approvals.get(question.id).status).toBe('pending');
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, phone)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, { surface: 'telegram', actor: 'telegram:7' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, desktopCaller)).toMatchObject({ ok: true });
  });

  it('what a job’s Claude asked for waits for the window: whoever made that job is not known, so no chat may allow it', async () => {
    const run = core.sessions.create({ title: 'Job: notes', permissionPolicy: 'ask', surface: 'schedule' });
    core.sessions.send(run.id, 'tidy the notes, and make a cleanup job', { surface: 'schedule', actor: 'job:made-from-a-chat' });
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending');
    expect(await core.router.call('schedules.create', { name: 'Cleanup', kind: 'shell', cron: '0 3 * * *', command: 'rm -rf ~/tmp/*' }, { surface: 'mcp', actor: `session:${run.id}` })).toMatchObject({ ok: true });
    const question = await asked;
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, { surface: 'telegram', actor: 'telegram:7' })).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('job') } });
    expect(await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, desktopCaller)).toMatchObject({ ok: true });
  });

  it('a shell job made from a chat cannot be allowed by the one who made it, even after the owner renamed it', async () => {
    const maker: CallContext = { surface: 'telegram', actor: 'telegram:1001' };
    const asked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending');
    const made = await core.router.call('schedules.create', { name: 'Clean up', kind: 'shell', cron: '0 3 * * *', command: 'echo hi' }, maker);
    expect(made.ok).toBe(true);
    const first = await asked;
    expect(await core.router.call('approvals.answer', { id: first.id, decision: 'once' }, maker)).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining('You asked for this yourself') } });

    const reasked = nextEvent(core.events, 'approvals.changed', (a) => a.toolName === JOB_APPROVAL_TOOL && a.status === 'pending' && a.id !== first.id);
    const jobId = (made as { value: { id: string } }).value.id;
    expect(await core.router.call('schedules.update', { id: jobId, name: 'Clean up at night' }, desktopCaller)).toMatchObject({ ok: true });
    const second = await reasked;
    expect(await core.router.call('approvals.answer', { id: second.id, decision: 'once' }, maker)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('approvals.answer', { id: second.id, decision: 'once' }, desktopCaller)).toMatchObject({ ok: true });
  });
});
