import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import type { Approval, StreamItem } from '../../contract';
import { AppError } from '../errors';
import { lastUserText, userTexts } from '../testing/fake-anthropic';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { testCore } from '../testing/temp-core';

// Real `claude` binary, real SQLite, the Messages API played by a loopback stand-in.
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  h = await startHarness(...args);
  return h;
}

function streamOf(harness: Harness, sessionId: string): StreamItem[] {
  const items: StreamItem[] = [];
  harness.core.events.subscribe((name, payload) => {
    if (name === 'sessions.stream' && (payload as { sessionId: string }).sessionId === sessionId) items.push((payload as { item: StreamItem }).item);
  });
  return items;
}

const pendingApproval = (harness: Harness) => nextEvent(harness.core.events, 'approvals.changed', (a: Approval) => a.status === 'pending');

describe('sessions against the real claude CLI', () => {
  it('streams a reply, then reuses the same process and session id for the next message', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const items = streamOf(h!, session.id);
    api.reply({ kind: 'text', text: 'Hello there, friend', chunks: 3 });
    const first = core.sessions.send(session.id, 'hi', desktopCaller);
    expect(first.position).toBe(0);
    const done = await turnEnded(first.id);
    expect(done).toMatchObject({ status: 'done', resultText: 'Hello there, friend', surface: 'desktop' });
    expect((await h!.turnCounted(first.id)).costUsd).toBeGreaterThan(0);
    expect(items.filter((i) => i.kind === 'text_delta').map((i) => (i as { text: string }).text)).toEqual(['Hello t', 'here, f', 'riend']);
    // The stream carries the whole conversation: the user's message first, then the reply.
    const stored = items.filter((i) => i.kind === 'message').map((i) => (i as { message: { role: string; text: string } }).message);
    expect(stored.map((m) => [m.role, m.text])).toEqual([
      ['user', 'hi'],
      ['assistant', 'Hello there, friend'],
    ]);
    const running = core.sessions.get(session.id);
    expect(running.status).toBe('idle');
    const pid = running.pid;
    expect(pid).toBeGreaterThan(0);

    const second = await turnEnded(core.sessions.send(session.id, 'again', { surface: 'browser', actor: 'browser:test' }).id);
    expect(second).toMatchObject({ status: 'done', resultText: 'echo: again', surface: 'browser' });
    expect(core.sessions.get(session.id).pid).toBe(pid);
    const { messages, turns } = core.sessions.transcript(session.id, 100);
    expect(turns.map((t) => t.seq)).toEqual([1, 2]);
    expect(messages.filter((m) => m.role === 'user').map((m) => [m.text, m.surface])).toEqual([
      ['hi', 'desktop'],
      ['again', 'browser'],
    ]);
    expect(new Set(core.sessions.transcript(session.id, 10).turns.map((t) => t.status))).toEqual(new Set(['done']));
    expect(core.sessions.get(session.id).claudeSessionId).toBe(session.claudeSessionId);
  });

  it('stops an idle process and resumes it transparently with the earlier turns', async () => {
    const { core, api, turnEnded } = await harness({ settings: [{ key: 'sessions.idleStopMinutes', value: 0.02 }] });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'remember the word falcon', desktopCaller).id);
    const firstPid = core.sessions.get(session.id).pid;
    await expect.poll(() => core.sessions.get(session.id).status, { timeout: 10_000 }).toBe('stopped');
    expect(core.sessions.get(session.id).pid).toBeNull();

    const resumed = await turnEnded(core.sessions.send(session.id, 'what was the word?', desktopCaller).id);
    expect(resumed.status).toBe('done');
    const after = core.sessions.get(session.id);
    expect(after.pid).not.toBe(firstPid);
    expect(after.claudeSessionId).toBe(session.claudeSessionId);
    const lastRequest = api.mainRequests().at(-1)!;
    expect(lastUserText(lastRequest)).toBe('what was the word?');
    expect(userTexts(lastRequest).join('\n')).toContain('remember the word falcon');
  });

  it('charges each turn its own cost after a resume, never the session total again', async () => {
    const { core, turnCounted } = await harness({ settings: [{ key: 'sessions.idleStopMinutes', value: 0.02 }] });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const costs: number[] = [];
    for (const text of ['one', 'two']) costs.push((await turnCounted(core.sessions.send(session.id, text, desktopCaller).id)).costUsd!);
    await expect.poll(() => core.sessions.get(session.id).status, { timeout: 10_000 }).toBe('stopped');
    const resumed = await turnCounted(core.sessions.send(session.id, 'three', desktopCaller).id);
    // The stand-in charges the same tokens for every reply: a resumed turn costs what a warm one did.
    expect(resumed.costUsd).toBeCloseTo(costs[1]!, 6);
    costs.push(resumed.costUsd!);
    costs.push((await turnCounted(core.sessions.send(session.id, 'four', desktopCaller).id)).costUsd!);
    expect(costs[3]).toBeCloseTo(costs[1]!, 6);
    expect(core.sessions.get(session.id).costUsd).toBeCloseTo(costs.reduce((a, b) => a + b, 0), 6);
  });

  it("answers Claude's own question (AskUserQuestion) with the option chosen, and no rule answers it instead", async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    core.approvals.addRule('AskUserQuestion');
    const questions = [{ question: 'Which database should I use?', header: 'Database', multiSelect: false, options: [{ label: 'Postgres', description: 'a server' }, { label: 'SQLite', description: 'a file' }] }];
    api.reply({ kind: 'tool', name: 'AskUserQuestion', input: { questions } }, { kind: 'text', text: 'Going with it.' });
    const asked = pendingApproval(h!);
    const turn = core.sessions.send(session.id, 'set up storage', desktopCaller);
    const approval = await asked;
    expect(approval).toMatchObject({ toolName: 'AskUserQuestion', input: { questions } });
    expect(() => core.approvals.answer(approval.id, { decision: 'once' }, { by: 'user', via: 'desktop' })).toThrow(/choose an answer/);
    core.approvals.answer(approval.id, { decision: 'once', answers: { 'Which database should I use?': 'SQLite' } }, { by: 'user', via: 'desktop' });
    expect((await turnEnded(turn.id)).status).toBe('done');
    const toolResult = JSON.stringify(api.mainRequests().at(-1)!.body.messages!.at(-1));
    expect(toolResult).toContain('SQLite');
    expect(toolResult).not.toMatch(/denied|rejected/i);
  });

  it('asks and waits: a conversation found or created by its key, the finished turn, and a timeout that leaves the turn running', async () => {
    const { core, api, turnEnded } = await harness();
    const ask = (input: unknown) => core.router.call('sessions.ask', input, { surface: 'telegram', actor: 'telegram:42' });
    expect(await ask({ key: 'chat-42', text: 'hi' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await ask({ text: 'hi' })).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('id: give the session') } });
    const first = await ask({ key: 'chat-42', create: { title: 'From Telegram' }, text: 'hello' });
    expect(first).toMatchObject({ ok: true, value: { text: 'echo: hello', status: 'done', timedOut: false, denials: [] } });
    const sessionId = (first as { value: { sessionId: string; costUsd: number } }).value.sessionId;
    expect((first as { value: { costUsd: number } }).value.costUsd).toBeGreaterThan(0);
    expect(core.sessions.get(sessionId)).toMatchObject({ surface: 'telegram', surfaceKey: 'chat-42', title: 'From Telegram' });
    // The same key finds the same conversation.
    expect(await ask({ key: 'chat-42', text: 'again' })).toMatchObject({ ok: true, value: { sessionId, text: 'echo: again' } });
    api.reply({ kind: 'text', text: 'slow but sure', delayMs: 1500 });
    const slow = (await ask({ id: sessionId, text: 'take your time', timeoutMs: 300 })) as { value: { timedOut: boolean; status: string; turn: { id: string } } };
    expect(slow.value).toMatchObject({ timedOut: true, status: 'running' });
    // Who asked is recorded with the turn, beside the surface.
    expect(core.sessions.transcript(sessionId, 100).turns.map((t) => [t.surface, t.actor])).toEqual(Array(3).fill(['telegram', 'telegram:42']));
    expect(await turnEnded(slow.value.turn.id)).toMatchObject({ status: 'done', resultText: 'slow but sure' });
  });

  it('runs a Bash command only when allowed', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const cwd = session.cwd;

    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch allowed.txt', description: 'create a file' } }, { kind: 'text', text: 'created' });
    const asked = pendingApproval(h!);
    const allowedTurn = core.sessions.send(session.id, 'make allowed.txt', desktopCaller);
    const question = await asked;
    expect(question).toMatchObject({ toolName: 'Bash', input: { command: 'touch allowed.txt' }, sessionId: session.id, turnId: allowedTurn.id });
    expect(fs.existsSync(path.join(cwd, 'allowed.txt'))).toBe(false);
    const answered = await core.router.call('approvals.answer', { id: question.id, decision: 'once' }, { surface: 'browser', actor: 'browser:127.0.0.1' });
    expect(answered).toMatchObject({ ok: true, value: { status: 'allowed', decision: 'once', answeredBy: 'browser:127.0.0.1', answeredVia: 'browser' } });
    expect((await turnEnded(allowedTurn.id)).status).toBe('done');
    expect(fs.existsSync(path.join(cwd, 'allowed.txt'))).toBe(true);

    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch denied.txt', description: 'create a file' } }, { kind: 'text', text: 'ok, not created' });
    const askedAgain = pendingApproval(h!);
    const deniedTurn = core.sessions.send(session.id, 'make denied.txt', desktopCaller);
    core.approvals.answer((await askedAgain).id, { decision: 'deny', message: 'not that one' }, { by: 'user', via: 'telegram' });
    const denied = await turnEnded(deniedTurn.id);
    expect(denied.status).toBe('done');
    expect(denied.denials).toEqual(['Bash']);
    expect(fs.existsSync(path.join(cwd, 'denied.txt'))).toBe(false);
    const toolResult = core.sessions.transcript(session.id, 100).messages.filter((m) => m.kind === 'tool_result').at(-1)!;
    expect(toolResult.data).toMatchObject({ isError: true, denied: true, denial: { reason: 'user', via: 'telegram' } });
    expect(toolResult.text).toContain('not that one');
    expect(core.approvals.list('all', 10).map((a) => a.answeredVia)).toEqual(['telegram', 'browser']);
    expect(h!.notifications.filter((n) => n.title === 'Claude asks to use Bash').map((n) => n.body)).toEqual([
      `${core.sessions.get(session.id).title}: touch allowed.txt`,
      `${core.sessions.get(session.id).title}: touch denied.txt`,
    ]);
  });

  it('notifies when a turn that ran past the threshold ends, and not before', async () => {
    const { core, api, turnEnded, notifications } = await harness({ settings: [{ key: 'sessions.notifyAfterSeconds', value: 1 }] });
    const session = core.sessions.create({ title: 'Report', permissionPolicy: 'ask', surface: 'desktop' });
    // The process starts first: on a busy machine a cold start alone can pass the 1 s threshold.
    await turnEnded(core.sessions.send(session.id, 'warm up', desktopCaller).id);
    notifications.length = 0;
    await turnEnded(core.sessions.send(session.id, 'quick', desktopCaller).id);
    expect(notifications).toEqual([]);
    api.reply({ kind: 'text', text: 'Slow answer', delayMs: 1200 });
    await turnEnded(core.sessions.send(session.id, 'slow', desktopCaller).id);
    expect(notifications).toEqual([{ title: 'Claude finished: Report', body: 'Slow answer', link: `#/sessions/${session.id}` }]);
  });

  it('stops asking once a tool is allowed always, in this process and in new ones', async () => {
    const { core, api, turnEnded } = await harness();
    const first = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch one.txt', description: 'x' } }, { kind: 'text', text: 'ok' });
    const asked = pendingApproval(h!);
    const turn1 = core.sessions.send(first.id, 'one', desktopCaller);
    const question = await asked;
    expect(question.suggestions).toEqual(['Bash(touch one.txt)']);
    core.approvals.answer(question.id, { decision: 'always', rule: 'Bash(touch *)' }, { by: 'user', via: 'desktop' });
    await turnEnded(turn1.id);
    expect(core.approvals.rules().map((r) => r.rule)).toEqual(['Bash(touch *)']);

    const seen: Approval[] = [];
    core.events.subscribe((name, payload) => name === 'approvals.changed' && seen.push(payload as Approval));
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch two.txt', description: 'x' } }, { kind: 'text', text: 'ok' });
    await turnEnded(core.sessions.send(first.id, 'two', desktopCaller).id);
    expect(fs.existsSync(path.join(first.cwd, 'two.txt'))).toBe(true);
    expect(seen.every((a) => a.status !== 'pending')).toBe(true);

    const second = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch three.txt', description: 'x' } }, { kind: 'text', text: 'ok' });
    await turnEnded(core.sessions.send(second.id, 'three', desktopCaller).id);
    expect(fs.existsSync(path.join(second.cwd, 'three.txt'))).toBe(true);
    expect(seen.every((a) => a.status !== 'pending')).toBe(true);
  });

  it('marks a turn failed when the CLI is killed mid-turn, and the next message works', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'warm up', desktopCaller).id);
    api.reply({ kind: 'hang', text: 'half a sent' });
    const turn = core.sessions.send(session.id, 'this will crash', desktopCaller);
    await nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'text_delta');
    process.kill(core.sessions.get(session.id).pid!, 'SIGKILL');
    const failed = await turnEnded(turn.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Claude exited on SIGKILL during the turn/);
    expect(core.sessions.get(session.id)).toMatchObject({ status: 'failed', lastError: failed.error });
    const partial = core.sessions.transcript(session.id, 100).messages.find((m) => (m.data as { partial?: boolean } | null)?.partial);
    expect(partial?.text).toBe('half a sent');

    const next = await turnEnded(core.sessions.send(session.id, 'still there?', desktopCaller).id);
    expect(next).toMatchObject({ status: 'done', resultText: 'echo: still there?' });
  });

  it('trips the watchdog on a hung stream, then carries on', async () => {
    const { core, api, turnEnded } = await harness({ settings: [{ key: 'sessions.stallMinutes', value: 0.03 }] });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'hang' });
    const stalled = await turnEnded(core.sessions.send(session.id, 'hang please', desktopCaller).id);
    expect(stalled.status).toBe('stalled');
    expect(stalled.error).toMatch(/No output from Claude for 0.03 min/);
    expect(core.sessions.get(session.id).status).toBe('stalled');
    const next = await turnEnded(core.sessions.send(session.id, 'and now?', desktopCaller).id);
    expect(next.status).toBe('done');
  });

  it('refuses past the process limit with a capacity error naming it, after stopping idle processes first', async () => {
    const { core, api, turnEnded } = await harness({ settings: [{ key: 'sessions.maxProcesses', value: 1 }] });
    const a = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const b = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(a.id, 'a1', desktopCaller).id);
    expect(core.sessions.get(a.id).status).toBe('idle');
    // A is idle: its process makes way for B.
    await turnEnded(core.sessions.send(b.id, 'b1', desktopCaller).id);
    await expect.poll(() => core.sessions.get(a.id).pid).toBeNull();

    api.reply({ kind: 'hang' });
    const busy = core.sessions.send(b.id, 'b2 hangs', desktopCaller);
    expect(core.sessions.get(b.id).status).toBe('running');
    const error = (() => {
      try {
        core.sessions.send(a.id, 'a2', desktopCaller);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'capacity', message: expect.stringContaining('Max Claude processes') });
    expect(core.sessions.transcript(a.id, 100).messages.map((m) => m.text)).not.toContain('a2');
    await core.sessions.interrupt(b.id);
    expect((await turnEnded(busy.id)).status).toBe('interrupted');
  });

  it('refuses to start a process when free memory is below the minimum', async () => {
    const { core } = await harness({ freeMemoryMb: () => 100 });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    expect(() => core.sessions.send(session.id, 'hello', desktopCaller)).toThrow(/Only 100 MB of memory is free.*Minimum free memory/);
  });

  it('runs ten concurrent sends to one session in order', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const turns = Array.from({ length: 10 }, (_, i) => core.sessions.send(session.id, `message ${i}`, desktopCaller));
    expect(turns.map((t) => t.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const ended = await Promise.all(turns.map((t) => turnEnded(t.id, 90_000)));
    expect(ended.map((t) => t.resultText)).toEqual(turns.map((_, i) => `echo: message ${i}`));
    expect(api.mainRequests().map(lastUserText)).toEqual(turns.map((_, i) => `message ${i}`));
    const starts = ended.map((t) => t.startedAt!);
    expect([...starts].sort((x, y) => x - y)).toEqual(starts);
  });

  it('stores messages in conversation order: a queued one enters when its turn starts, and can be edited or taken back until then', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'text', text: 'A1 streamed slowly', chunks: 6, chunkDelayMs: 80 });
    const q1 = core.sessions.send(session.id, 'Q1', desktopCaller);
    const q2 = core.sessions.send(session.id, 'Q2', desktopCaller);
    const q3 = core.sessions.send(session.id, 'Q3 draft', desktopCaller);
    const q4 = core.sessions.send(session.id, 'Q4 never mind', desktopCaller);
    expect(core.sessions.transcript(session.id, 100).messages.map((m) => m.text)).toEqual(['Q1']);
    core.sessions.editQueued(q3.id, 'Q3');
    core.sessions.removeQueued(q4.id);
    expect(() => core.sessions.editQueued(q1.id, 'too late')).toThrow(/already started/);
    expect(core.sessions.transcript(session.id, 100).turns.map((t) => t.prompt)).toEqual(['Q1', 'Q2', 'Q3']);
    await turnEnded(q3.id);
    await turnEnded(q2.id);
    const order = core.sessions.transcript(session.id, 100).messages.filter((m) => m.kind === 'text').map((m) => m.text);
    expect(order).toEqual(['Q1', 'A1 streamed slowly', 'Q2', 'echo: Q2', 'Q3', 'echo: Q3']);
    expect(api.mainRequests().map(lastUserText)).toEqual(['Q1', 'Q2', 'Q3']);
    // History (Chats) reads the same table: the same order.
    expect((await core.router.call('history.messages', { sessionId: session.id }, { surface: 'browser', actor: 'browser:test' })).ok).toBe(true);
  });

  it('interrupts the running turn and sends the new message next', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'hang', text: 'thinking aloud' });
    const slow = core.sessions.send(session.id, 'slow one', desktopCaller);
    const waiting = core.sessions.send(session.id, 'queued one', desktopCaller);
    await nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'text_delta');
    const urgent = core.sessions.send(session.id, 'urgent one', desktopCaller, { interrupt: true });
    expect(urgent.position).toBe(1);
    expect((await turnEnded(slow.id)).status).toBe('interrupted');
    const [u, w] = await Promise.all([turnEnded(urgent.id), turnEnded(waiting.id)]);
    expect(u.status).toBe('done');
    expect(w.status).toBe('done');
    expect(u.startedAt!).toBeLessThan(w.startedAt!);
  });

  it('reset during a running turn ends that turn and starts a new Claude session', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'hang', text: 'working' });
    const running = core.sessions.send(session.id, 'long job', desktopCaller);
    const queued = core.sessions.send(session.id, 'after it', desktopCaller);
    await nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'text_delta');
    const after = await core.sessions.reset(session.id);
    expect(after.claudeSessionId).not.toBe(session.claudeSessionId);
    expect(await turnEnded(running.id)).toMatchObject({ status: 'interrupted' });
    expect(core.sessions.turn(queued.id)).toMatchObject({ status: 'cancelled', error: 'The session was reset before this message was sent.' });
    expect(core.sessions.get(session.id).status).toBe('stopped');
    const fresh = await turnEnded(core.sessions.send(session.id, 'new start', desktopCaller).id);
    expect(fresh.status).toBe('done');
    expect(api.mainRequests().at(-1)!.body.messages!.map((m) => JSON.stringify(m.content)).join()).not.toContain('long job');
  });

  it('starts a fresh Claude session, and says so, when the one to resume is gone', async () => {
    const { core, turnEnded, home } = await harness({ settings: [{ key: 'sessions.idleStopMinutes', value: 0.02 }] });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    await turnEnded(core.sessions.send(session.id, 'first', desktopCaller).id);
    await expect.poll(() => core.sessions.get(session.id).status, { timeout: 10_000 }).toBe('stopped');
    const transcripts = fs.readdirSync(path.join(home, '.claude', 'projects'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(`${session.claudeSessionId}.jsonl`));
    expect(transcripts).toHaveLength(1);
    fs.rmSync(path.join(home, '.claude', 'projects', transcripts[0]!));

    const turn = await turnEnded(core.sessions.send(session.id, 'second', desktopCaller).id);
    expect(turn).toMatchObject({ status: 'done', resultText: 'echo: second' });
    const after = core.sessions.get(session.id);
    expect(after.claudeSessionId).not.toBe(session.claudeSessionId);
    const notice = core.sessions.transcript(session.id, 100).messages.find((m) => m.kind === 'notice');
    expect(notice?.text).toContain(`could not find session ${session.claudeSessionId}`);
  });

  it('denies a question nobody answers in time, and the session says why', async () => {
    const { core, api, turnEnded } = await harness({ settings: [{ key: 'approvals.timeoutMinutes', value: 0.02 }] });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch late.txt', description: 'x' } }, { kind: 'text', text: 'fine' });
    const turn = await turnEnded(core.sessions.send(session.id, 'try', desktopCaller).id);
    expect(turn.status).toBe('done');
    expect(turn.denials).toEqual(['Bash']);
    const [approval] = core.approvals.list('all', 1);
    expect(approval).toMatchObject({ status: 'expired', decision: 'timeout', message: expect.stringContaining('No answer within 0.02 min') });
    // The transcript says nobody answered, not that the user denied it.
    const toolResult = core.sessions.transcript(session.id, 100).messages.find((m) => m.kind === 'tool_result')!;
    expect(toolResult.data).toMatchObject({ denied: true, denial: { reason: 'timeout', via: null } });
    expect(fs.existsSync(path.join(session.cwd, 'late.txt'))).toBe(false);
  });

  it('applies a new model from the next turn, keeping the conversation', async () => {
    const { core, api, turnEnded } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop', model: 'claude-sonnet-4-5' });
    await turnEnded(core.sessions.send(session.id, 'first', desktopCaller).id);
    expect(api.mainRequests().at(-1)!.body.model).toBe('claude-sonnet-4-5');
    await core.sessions.update({ id: session.id, model: 'claude-opus-4-5' });
    await turnEnded(core.sessions.send(session.id, 'second', desktopCaller).id);
    const last = api.mainRequests().at(-1)!;
    expect(last.body.model).toBe('claude-opus-4-5');
    expect(userTexts(last)).toEqual(expect.arrayContaining(['first', 'second']));
  });

  it('says the API is down once: one retry note counting its attempts, the cause named, the final error once', async () => {
    // Nothing listens on port 9: every request is refused, as when the network or the API is down.
    const { core, turnEnded } = await harness({ env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', CLAUDE_CODE_MAX_RETRIES: '3' } });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const updates: string[] = [];
    core.events.subscribe((name, payload) => {
      const p = payload as { item?: { kind: string; message?: { kind: string; text: string } } };
      if (name === 'sessions.stream' && p.item?.kind === 'message' && p.item.message?.kind === 'notice') updates.push(p.item.message.text);
    });
    const turn = await turnEnded(core.sessions.send(session.id, 'hello', desktopCaller).id, 60_000);
    expect(turn.status).toBe('failed');
    expect(turn.error).toMatch(/Connection refused/);
    const messages = core.sessions.transcript(session.id, 100).messages;
    const notes = messages.filter((m) => m.kind === 'notice');
    expect(notes.map((m) => m.text)).toEqual(['The Claude API could not be reached; retrying (attempt 3 of 3).']);
    expect(updates).toEqual([1, 2, 3].map((n) => `The Claude API could not be reached; retrying (attempt ${n} of 3).`));
    // The failure is not shown as words of Claude's, nor a second time as an error line.
    expect(messages.filter((m) => m.role === 'assistant' || m.kind === 'error')).toEqual([]);
  });

  it('fails a turn with the reason when the CLI cannot be started', async () => {
    const { core, turnEnded } = await harness();
    core.settings.set({ key: 'claude.cliPath', value: '/nonexistent/claude' });
    const env = core.config.env!;
    delete env.SWITCHBOARD_CLAUDE;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const turn = await turnEnded(core.sessions.send(session.id, 'hello', desktopCaller).id);
    expect(turn.status).toBe('failed');
    // Like every failed turn's error, it carries a short id the log has.
    expect(turn.error).toMatch(/^The Claude CLI was not found at \/nonexistent\/claude \(Settings → Claude CLI path\)\. Install Claude Code, or set Settings → Claude CLI path to the claude binary\. \(error [\w-]+\)$/);
    // Said once, on the turn, and no promise that the next message works.
    const errors = core.sessions.transcript(session.id, 100).messages.filter((m) => m.kind === 'error');
    expect(errors).toEqual([]);
    expect(turn.error).not.toContain('resumes');
  });

  it('refuses a bypass session as root, and a folder that does not exist', async () => {
    const { core } = await harness();
    if (process.getuid?.() === 0) expect(() => core.sessions.create({ permissionPolicy: 'bypass', surface: 'desktop' })).toThrow(/refuses to bypass permissions when it runs as root/);
    expect(() => core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop', cwd: '/no/such/folder' })).toThrow(/cwd: \/no\/such\/folder is not a folder/);
  });
});

describe('sessions across a restart', () => {
  it('keeps every accepted message and marks unfinished turns', async () => {
    const { core, dir } = await harness();
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const db = core.storage.db;
    const insert = db.prepare(`INSERT INTO turns (id, session_id, seq, claude_session_id, surface, prompt, status, queued_at) VALUES (?, ?, ?, ?, 'desktop', ?, ?, 0)`);
    insert.run('t-running', session.id, 1, session.claudeSessionId, 'was running', 'running');
    insert.run('t-queued', session.id, 2, session.claudeSessionId, 'was queued', 'queued');
    await h!.core.stop();
    const again = testCore(path.join(dir, 'data'), { env: h!.env });
    await again.start();
    expect(again.sessions.turn('t-running')).toMatchObject({ status: 'failed', error: 'Switchboard stopped during this turn.' });
    expect(again.sessions.turn('t-queued')).toMatchObject({ status: 'cancelled', prompt: 'was queued' });
    await again.stop();
    await h!.api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    h = null;
  });
});

describe('streamed text survives however a turn ends', () => {
  const partialOf = (harness: Harness, sessionId: string, turnId: string) =>
    harness.core.sessions.transcript(sessionId, 100).messages.find((m) => m.turnId === turnId && (m.data as { partial?: boolean } | null)?.partial)?.text;

  it('keeps it when the API fails mid-reply', async () => {
    const harness = (h = await startHarness());
    const { core, api, turnEnded } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    // The CLI retries a reply that breaks off; the retry is refused outright.
    api.reply(
      { kind: 'broken', text: 'The first half of an answer', errorType: 'overloaded_error', message: 'Overloaded' },
      { kind: 'error', status: 400, type: 'invalid_request_error', message: 'prompt is too long' },
    );
    const turn = core.sessions.send(session.id, 'go', desktopCaller);
    const ended = await turnEnded(turn.id);
    expect(ended.status).toBe('failed');
    expect(partialOf(harness, session.id, turn.id)).toBe('The first half of an answer');
  });

  it('keeps it when Switchboard stops during the turn, and when it is killed', async () => {
    const harness = (h = await startHarness());
    const { core, api, dir } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'hang', text: 'streamed before the stop' });
    const turn = core.sessions.send(session.id, 'go', desktopCaller);
    await nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'text_delta');
    // A window opened now sees everything streamed so far.
    expect(core.sessions.transcript(session.id, 100).streaming).toEqual({ turnId: turn.id, text: 'streamed before the stop' });
    // What a crash leaves: the streamed text is on disk before the turn ends.
    await expect.poll(() => core.storage.db.prepare('SELECT partial_text FROM turns WHERE id = ?').pluck().get(turn.id), { timeout: 5000 }).toBe('streamed before the stop');
    // Simulate kill -9: the rows stay as they were, then a new core starts on the same file.
    const db = core.storage.db;
    const crashed = db.prepare('SELECT status, partial_text FROM turns WHERE id = ?').get(turn.id);
    expect(crashed).toEqual({ status: 'running', partial_text: 'streamed before the stop' });
    await core.stop();
    const again = testCore(path.join(dir, 'data'), { env: harness.env });
    await again.start();
    const kept = again.sessions.transcript(session.id, 100).messages.filter((m) => m.turnId === turn.id && (m.data as { partial?: boolean } | null)?.partial);
    expect(kept.map((m) => m.text)).toEqual(['streamed before the stop']);
    expect(again.sessions.turn(turn.id).status).toBe('failed');
    await again.stop();
    await harness.api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    h = null;
  });

  it('keeps it after a crash that left the turn running', async () => {
    const harness = (h = await startHarness());
    const { core, dir } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    core.storage.db
      .prepare(`INSERT INTO turns (id, session_id, seq, claude_session_id, surface, prompt, status, queued_at, partial_text) VALUES ('t-crash', ?, 1, ?, 'desktop', 'p', 'running', 0, 'half of it')`)
      .run(session.id, session.claudeSessionId);
    await core.stop();
    const again = testCore(path.join(dir, 'data'), { env: harness.env });
    await again.start();
    expect(again.sessions.transcript(session.id, 100).messages.find((m) => m.turnId === 't-crash')).toMatchObject({ role: 'assistant', text: 'half of it', data: { partial: true } });
    await again.stop();
    await harness.api.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    h = null;
  });
});

describe('what could only fail later is refused at once', () => {
  it('refuses NUL bytes and relative folders as invalid input, naming the field', async () => {
    const harness = (h = await startHarness());
    const call = (input: unknown) => harness.core.router.call('sessions.create', input, { surface: 'browser', actor: 'browser:test' });
    expect(await call({ cwd: '/tmp/a\0b' })).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/^cwd: must not contain a NUL/) } });
    expect(await call({ cwd: 'projects/app' })).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/^cwd: must be a full path/) } });
    expect(await call({ systemPrompt: 'a\0b' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const home = await call({ cwd: '~' });
    expect(home).toMatchObject({ ok: true, value: { cwd: harness.home } });
  });

  it("passes the system prompt in a private file, never in the process's argv", async () => {
    const harness = (h = await startHarness());
    const { core, api, turnEnded } = harness;
    const secret = 'Answer as the pirate captain zyx-4411.';
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop', systemPrompt: secret });
    await turnEnded(core.sessions.send(session.id, 'hello', desktopCaller).id);
    const pid = core.sessions.get(session.id).pid!;
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    expect(argv).not.toContain('zyx-4411');
    expect(argv).toContain('--append-system-prompt-file');
    expect(JSON.stringify(api.mainRequests().at(-1)!.body.system)).toContain('zyx-4411');
    const file = path.join(harness.dir, 'data', 'prompts', `${session.id}.txt`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await core.sessions.delete(session.id);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('tells whoever waits on a turn of a session deleted under it that it ended, at once rather than at its timeout', async () => {
    const harness = (h = await startHarness());
    const { core, api } = harness;
    api.reply({ kind: 'text', text: 'a long answer about penguins '.repeat(20), chunks: 20, chunkDelayMs: 100 });
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    const mcp = { surface: 'mcp', actor: 'mcp:client@12345678' } as const;
    const streaming = nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'text_delta');
    const running = core.router.call('sessions.ask', { id: session.id, text: 'tell me about penguins', timeoutMs: 60_000 }, mcp);
    // A second caller's message waits behind it (an MCP client, or a job's run with a timeout of a week).
    const queued = core.router.call('sessions.ask', { id: session.id, text: 'and puffins?', timeoutMs: 60_000 }, mcp);
    await streaming;
    const asked = Date.now();
    expect(await core.router.call('sessions.delete', { id: session.id }, desktopCaller)).toMatchObject({ ok: true });
    for (const answer of [await running, await queued]) {
      expect(answer).toMatchObject({ ok: true, value: { status: 'cancelled', timedOut: false, turn: { error: expect.stringContaining('deleted') } } });
    }
    expect(Date.now() - asked).toBeLessThan(10_000);
  });
});
