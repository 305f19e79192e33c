import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { money, type SessionCosts } from '../../contract';
import { desktopCaller } from '../ipc/router';
import { startHarness, type Harness } from '../testing/claude-harness';
import { nextEvent } from '../testing/wait';
import { costOf } from '../usage/prices';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** What Usage counts for a session: its line in the list by session, and its turns. */
const usageOf = (core: Harness['core'], sessionId: string) => ({
  session: core.usage.summary({ days: 1 }).bySession.find((s) => s.key === sessionId),
  turns: core.usage.turns(sessionId),
});

describe('one source for a turn’s and a session’s cost (the answers Usage counted)', { timeout: 90_000 }, () => {
  it('shows a turn’s cost in the session header, the transcript, the ask answer and Usage as one number, and tells the window when the answers are counted', async () => {
    h = await startHarness();
    const { core } = h;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    // What a window hears: the answers counted as the transcript is read (a turn's answer may be written over several lines).
    const heard: SessionCosts[] = [];
    const off = core.events.on('sessions.costs', (c) => {
      if (c.sessionId === session.id) heard.push(c);
    });
    const asked = await core.sessions.ask({ id: session.id, text: 'hello there', timeoutMs: 45_000 }, desktopCaller);
    off();
    expect(asked.status).toBe('done');
    expect(heard.length).toBeGreaterThan(0);
    const event = heard.at(-1)!;

    const usage = usageOf(core, session.id);
    expect(usage.turns).toHaveLength(1);
    const fromUsage = usage.turns[0]!;
    expect(fromUsage.turnId).toBe(asked.turn.id);
    expect(fromUsage.costUsd).toBeGreaterThan(0);
    const header = core.sessions.get(session.id).costUsd;
    const transcript = core.sessions.transcript(session.id, 100).turns[0]!;
    const listed = core.sessions.list().find((s) => s.id === session.id)!.costUsd;
    // The same sum everywhere (within float rounding of the day sums), so the same text on every screen.
    for (const figure of [header, transcript.costUsd!, listed, usage.session!.costUsd, asked.costUsd!, event.costUsd, event.turns[0]!.costUsd!]) {
      expect(figure).toBeCloseTo(fromUsage.costUsd, 12);
      expect(money(figure)).toBe(money(fromUsage.costUsd));
    }
    // The tokens beside it are the same answers' tokens: all it read in, and what it wrote.
    expect(transcript.inputTokens).toBe(fromUsage.input + fromUsage.cacheWrite + fromUsage.cacheRead);
    expect(transcript.outputTokens).toBe(fromUsage.output);
    expect(transcript.costUsd).toBeCloseTo(costOf(fromUsage.model, fromUsage)!, 12);

    // A second turn: the session's cost is the sum of its turns', as Usage says.
    const second = await core.sessions.ask({ id: session.id, text: 'and again', timeoutMs: 45_000 }, desktopCaller);
    const turns = core.sessions.transcript(session.id, 100).turns;
    expect(turns.map((t) => t.id)).toEqual([asked.turn.id, second.turn.id]);
    const sum = turns.reduce((a, t) => a + (t.costUsd ?? 0), 0);
    expect(core.sessions.get(session.id).costUsd).toBeCloseTo(sum, 12);
    expect(usageOf(core, session.id).session!.costUsd).toBeCloseTo(sum, 12);
  });

  it('gives an interrupted turn a cost only with the tokens it was charged for', async () => {
    h = await startHarness();
    const { core, api, turnEnded } = h;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'hang', text: 'thinking aloud' });
    const slow = core.sessions.send(session.id, 'a long one', desktopCaller);
    await nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'text_delta', 30_000);
    await core.sessions.interrupt(session.id);
    const ended = await turnEnded(slow.id);
    expect(ended.status).toBe('interrupted');
    // A turn after it: its answers are counted (read to the end of the transcript), so the interrupted one's are too.
    const next = await core.sessions.ask({ id: session.id, text: 'after that', timeoutMs: 45_000 }, desktopCaller);
    expect(next.status).toBe('done');
    const interrupted = core.sessions.turn(slow.id);
    const counted = core.usage.turns(session.id).find((t) => t.turnId === slow.id);
    if (!counted) {
      // No answer of it was written: no cost, and no tokens, rather than a cost beside 0 in / 0 out.
      expect(interrupted).toMatchObject({ costUsd: null, inputTokens: null, outputTokens: null });
    } else {
      expect(interrupted.costUsd).toBeCloseTo(counted.costUsd, 12);
      expect(interrupted.inputTokens).toBe(counted.input + counted.cacheWrite + counted.cacheRead);
      expect(interrupted.outputTokens).toBe(counted.output);
      expect(interrupted.inputTokens! + interrupted.outputTokens!).toBeGreaterThan(0);
    }
    // Either way a cost shown has tokens beside it, and the session adds up its turns.
    for (const t of core.sessions.transcript(session.id, 100).turns) if (t.costUsd) expect((t.inputTokens ?? 0) + (t.outputTokens ?? 0)).toBeGreaterThan(0);
    const sum = core.sessions.transcript(session.id, 100).turns.reduce((a, t) => a + (t.costUsd ?? 0), 0);
    expect(core.sessions.get(session.id).costUsd).toBeCloseTo(sum, 12);
    expect(usageOf(core, session.id).session!.costUsd).toBeCloseTo(sum, 12);
  });

  it('shows an imported session’s cost in Sessions as Usage counts it', async () => {
    h = await startHarness();
    const { core, home } = h;
    const claudeId = '7d0b5c1e-1111-4222-8333-444455556666';
    const cwd = path.join(h.dir, 'elsewhere');
    const file = path.join(home, '.claude', 'projects', '-elsewhere', `${claudeId}.jsonl`);
    const at = (s: number) => new Date(Date.now() - 60_000 + s * 1000).toISOString();
    const answer = (n: number, usage: [number, number, number, number]) => ({
      type: 'assistant',
      uuid: `a${n}`,
      sessionId: claudeId,
      cwd,
      timestamp: at(n),
      message: { id: `msg_ext_${n}`, model: 'claude-sonnet-4-5', role: 'assistant', content: [{ type: 'text', text: `answer ${n}` }], usage: { input_tokens: usage[0], output_tokens: usage[1], cache_creation_input_tokens: usage[2], cache_read_input_tokens: usage[3] } },
    });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Read by the first import or the live follower, whichever comes first: Usage says when it counted.
    const findExternal = () => core.sessions.list().find((s) => s.surface === 'external' && s.claudeSessionId === claudeId);
    const counted = nextEvent(core.events, 'usage.changed', () => !!findExternal() && core.usage.summary({ days: 1 }).bySession.some((g) => g.key === findExternal()!.id && g.requests === 2), 30_000);
    fs.writeFileSync(
      file,
      [{ type: 'user', uuid: 'u1', sessionId: claudeId, cwd, timestamp: at(0), message: { role: 'user', content: 'Refactor the parser' } }, answer(1, [1200, 800, 5000, 20_000]), answer(2, [300, 2500, 0, 26_000])]
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n',
    );
    await counted;
    const external = findExternal()!;
    const usage = usageOf(core, external.id).session!;
    // 1,500 new, 3,300 out, 5,000 cache written, 46,000 cache read at Sonnet's list price.
    expect(usage.costUsd).toBeCloseTo((1500 * 3 + 3300 * 15 + 5000 * 3.75 + 46_000 * 0.3) / 1_000_000, 12);
    expect(external.costUsd).toBeCloseTo(usage.costUsd, 12);
    expect(core.sessions.get(external.id).costUsd).toBeCloseTo(usage.costUsd, 12);
    expect(money(external.costUsd)).toBe(money(usage.costUsd));
  });
});
