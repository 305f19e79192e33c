import { describe, expect, it } from 'vitest';
import type { Message, Turn } from '../../../../contract';
import { applyStream, EMPTY_LIVE, queuedTurns, refreshed, type OpenTranscript } from './transcript-model';

const turn = (id: string, status: Turn['status'], position: number | null, queuedAt = 0): Turn => ({
  id,
  sessionId: 's',
  seq: 0,
  surface: 'browser',
  actor: 'browser:test',
  prompt: id,
  status,
  position,
  resultText: null,
  error: null,
  costUsd: null,
  inputTokens: null,
  outputTokens: null,
  durationMs: null,
  denials: [],
  queuedAt,
  startedAt: null,
  endedAt: null,
});
const message = (id: number, turnId: string, role: Message['role'], text: string): Message => ({ id, sessionId: 's', turnId, role, kind: 'text', text, data: null, surface: null, createdAt: id });
const empty: OpenTranscript = { sessionId: 's', loading: false, turns: {}, messages: [], live: EMPTY_LIVE };

describe('the transcript model', () => {
  it('keeps conversation order while messages queue behind a streaming reply', () => {
    let t = applyStream(empty, 'q1', { kind: 'message', message: message(1, 'q1', 'user', 'Q1') });
    t = applyStream(t, 'q1', { kind: 'turn', turn: turn('q1', 'running', null) });
    t = applyStream(t, 'q1', { kind: 'text_delta', text: 'A1 so' });
    t = applyStream(t, 'q2', { kind: 'turn', turn: turn('q2', 'queued', 1, 2) });
    t = applyStream(t, 'q3', { kind: 'turn', turn: turn('q3', 'queued', 2, 3) });
    expect(t.messages.map((m) => m.text)).toEqual(['Q1']);
    expect(t.live.text).toBe('A1 so');
    expect(queuedTurns(t.turns).map((x) => x.id)).toEqual(['q2', 'q3']);
    t = applyStream(t, 'q1', { kind: 'message', message: message(2, 'q1', 'assistant', 'A1 so far') });
    t = applyStream(t, 'q1', { kind: 'turn', turn: turn('q1', 'done', null) });
    t = applyStream(t, 'q2', { kind: 'message', message: message(3, 'q2', 'user', 'Q2') });
    t = applyStream(t, 'q2', { kind: 'turn', turn: turn('q2', 'running', null) });
    t = applyStream(t, 'q3', { kind: 'turn', turn: turn('q3', 'queued', 1, 3) });
    expect(t.messages.map((m) => m.text)).toEqual(['Q1', 'A1 so far', 'Q2']);
    expect(t.live).toEqual(EMPTY_LIVE);
    expect(queuedTurns(t.turns).map((x) => [x.id, x.position])).toEqual([['q3', 1]]);
  });

  it('forgets a queued message that was taken back', () => {
    let t = applyStream(empty, 'q2', { kind: 'turn', turn: turn('q2', 'queued', 1) });
    t = applyStream(t, 'q2', { kind: 'removed', turnId: 'q2' });
    expect(queuedTurns(t.turns)).toEqual([]);
  });

  it('merges a load and the stream without doubles, in stored order', () => {
    const t = applyStream({ ...empty, messages: [message(1, 'a', 'user', 'x'), message(3, 'a', 'assistant', 'z')] }, 'a', { kind: 'message', message: message(2, 'a', 'assistant', 'y') });
    expect(applyStream(t, 'a', { kind: 'message', message: message(3, 'a', 'assistant', 'z') }).messages.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('takes a fresh read as the truth, unless the held turn ended after the read was made', () => {
    // Held while the window showed another screen: the turn was waiting on a question.
    const held: OpenTranscript = { ...empty, turns: { a: turn('a', 'running', null), b: turn('b', 'done', null), q: turn('q', 'queued', 1) }, messages: [message(1, 'a', 'user', 'A')], live: { turnId: 'a', text: 'par', thinking: '' } };
    const read = refreshed(held, [turn('a', 'done', null), turn('b', 'running', null)], [message(1, 'a', 'user', 'A'), message(2, 'a', 'assistant', 'reply')], null);
    expect(read.turns.a!.status).toBe('done');
    expect(read.turns.b!.status).toBe('done');
    expect(read.turns.q).toBeUndefined();
    expect(read.messages.map((m) => m.text)).toEqual(['A', 'reply']);
    expect(read.live).toEqual(EMPTY_LIVE);
  });
});
