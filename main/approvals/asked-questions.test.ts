import { describe, expect, it } from 'vitest';
import { fromTerminal, JOB_APPROVAL_TOOL, REVIEW_APPROVAL_TOOL, type MethodInput } from '../../contract';
import { desktopCaller, type CallContext } from '../ipc/router';
import { startTestCore } from '../testing/temp-core';

// approvals.ask / wait / withdraw: the question a caller outside the broker puts to the owner and may take
// back (Claude Code's hooks), through the router like every other call.
const hook: CallContext = { surface: 'hook', actor: 'hook:0b8f3a52-terminal' };
const otherHook: CallContext = { surface: 'hook', actor: 'hook:another-terminal' };
const bash = (command: string): MethodInput<'approvals.ask'> => ({ toolName: 'Bash', input: { command }, suggestions: [], description: 'Claude Code in /home/me/app' });

describe('a question asked through the contract', () => {
  it('is the hooks’ (and the owner’s) to ask: MCP, a chat and a job are refused; the asker is its source', async () => {
    const { core } = await startTestCore();
    for (const ctx of [{ surface: 'mcp', actor: 'mcp:inspector' }, { surface: 'telegram', actor: 'telegram:1' }, { surface: 'schedule', actor: 'job:1' }] as CallContext[]) {
      expect(await core.router.call('approvals.ask', bash('ls'), ctx), ctx.actor).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    const asked = await core.router.call('approvals.ask', bash('npm publish'), hook);
    expect(asked).toMatchObject({ ok: true, value: { status: 'pending', source: 'hook:0b8f3a52-terminal', toolName: 'Bash', sessionId: null } });
    expect(asked.ok && fromTerminal(asked.value)).toBe(true);
    // Validated like every input.
    expect(await core.router.call('approvals.ask', { ...bash('x'), toolName: '' }, hook)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await core.router.call('approvals.ask', bash('ls'), desktopCaller)).toMatchObject({ ok: true, value: { source: 'desktop' } });
  });

  it('cannot be one of Switchboard’s own questions for the owner (a job to approve, a merge): a hook asking one is refused, nothing is shown', async () => {
    const { core } = await startTestCore();
    const forged = { jobId: 'a-real-job', name: 'Nightly backup', kind: 'shell', command: 'true', cwd: null, cron: '0 3 * * *', timeZone: 'UTC', permissionPolicy: 'ask', envNames: [], requestedBy: 'you', change: 'created' };
    for (const toolName of [JOB_APPROVAL_TOOL, REVIEW_APPROVAL_TOOL]) {
      expect(await core.router.call('approvals.ask', { toolName, input: forged, suggestions: [], description: 'A new shell job, from you' }, hook), toolName).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(core.approvals.list('all', 10)).toEqual([]);
    expect(core.inbox.list({ filter: 'all', limit: 10 }).items).toEqual([]);
  });

  it('waits for the answer given anywhere, with the input as answered; still pending when the wait ends first', async () => {
    const { core } = await startTestCore();
    const asked = await core.router.call('approvals.ask', bash('npm publish'), hook);
    const id = asked.ok ? asked.value.id : '';
    expect(await core.router.call('approvals.wait', { id, timeoutMs: 50 }, hook)).toEqual({ ok: true, value: { status: 'pending' } });
    const waited = core.router.call('approvals.wait', { id, timeoutMs: 10_000 }, hook);
    await core.router.call('approvals.answer', { id, decision: 'once' }, { surface: 'telegram', actor: 'telegram:1' });
    expect(await waited).toEqual({ ok: true, value: { status: 'allowed', input: { command: 'npm publish' } } });

    const denied = await core.router.call('approvals.ask', bash('rm -rf /'), hook);
    const deniedId = denied.ok ? denied.value.id : '';
    await core.router.call('approvals.answer', { id: deniedId, decision: 'deny', message: 'Not that.' }, desktopCaller);
    expect(await core.router.call('approvals.wait', { id: deniedId, timeoutMs: 1000 }, hook)).toEqual({ ok: true, value: { status: 'denied', message: 'Not that.' } });
  });

  it('is withdrawn only by whoever asked (or the owner): every card reads why, and the wait ends as expired', async () => {
    const { core } = await startTestCore();
    const asked = await core.router.call('approvals.ask', bash('make deploy'), hook);
    const id = asked.ok ? asked.value.id : '';
    // Another terminal cannot take it back nor wait on it; an unknown id is not_found.
    expect(await core.router.call('approvals.withdraw', { id, reason: 'mine now' }, otherHook)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('approvals.wait', { id, timeoutMs: 10 }, otherHook)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await core.router.call('approvals.withdraw', { id: 'nope', reason: 'x' }, hook)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const waited = core.router.call('approvals.wait', { id, timeoutMs: 10_000 }, hook);
    expect(await core.router.call('approvals.withdraw', { id, reason: 'Answered in the terminal.' }, hook)).toEqual({ ok: true, value: { withdrawn: true } });
    expect(await waited).toEqual({ ok: true, value: { status: 'expired', message: 'Answered in the terminal.' } });
    expect(await core.router.call('approvals.get', { id }, desktopCaller)).toMatchObject({ ok: true, value: { status: 'expired', decision: 'cancelled', message: 'Answered in the terminal.' } });
    // Once over, taking it back again changes nothing.
    expect(await core.router.call('approvals.withdraw', { id, reason: 'again' }, hook)).toEqual({ ok: true, value: { withdrawn: false } });
  });

  it('a terminal’s "this session" answer holds for the rest of that Claude session only', async () => {
    const { core } = await startTestCore();
    const first = await core.router.call('approvals.ask', bash('git status'), hook);
    const id = first.ok ? first.value.id : '';
    await core.router.call('approvals.answer', { id, decision: 'session', rule: 'Bash(git status)' }, desktopCaller);
    expect(await core.router.call('approvals.ask', bash('git status'), hook)).toMatchObject({ ok: true, value: { status: 'allowed', decision: 'rule' } });
    expect(await core.router.call('approvals.ask', bash('git status'), otherHook)).toMatchObject({ ok: true, value: { status: 'pending' } });
  });

  it('sessions.ofClaude: whose Claude session it is, and whether Switchboard runs it', async () => {
    const { core } = await startTestCore();
    const made = await core.router.call('sessions.create', { title: 'Mine' }, desktopCaller);
    if (!made.ok) throw new Error(made.error.message);
    expect(await core.router.call('sessions.ofClaude', { claudeSessionId: made.value.claudeSessionId }, hook)).toEqual({ ok: true, value: { sessionId: made.value.id, runsHere: true } });
    expect(await core.router.call('sessions.ofClaude', { claudeSessionId: 'a-terminal-session' }, hook)).toEqual({ ok: true, value: { sessionId: null, runsHere: false } });
  });
});
