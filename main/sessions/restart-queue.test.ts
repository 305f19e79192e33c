import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopCaller } from '../ipc/router';
import { nextEvent, startHarness, type Harness } from '../testing/claude-harness';
import { testCore } from '../testing/temp-core';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

// Finding 6 of the new user's run: the unsent message sat between a message and its partial reply.
describe('a message still queued when Switchboard stops', () => {
  it('comes after the partial reply of the turn it waited behind, marked not sent', async () => {
    const harness = (h = await startHarness());
    const { core, api, dir } = harness;
    const session = core.sessions.create({ permissionPolicy: 'ask', surface: 'desktop' });
    api.reply({ kind: 'hang', text: 'half an answer' });
    const turn = core.sessions.send(session.id, 'Crash2 SLOW', desktopCaller);
    await nextEvent(core.events, 'sessions.stream', (p) => p.sessionId === session.id && p.item.kind === 'text_delta');
    const queued = core.sessions.send(session.id, 'queued before restart', desktopCaller);
    await core.stop();
    const again = testCore(path.join(dir, 'data'), { env: harness.env });
    await again.start();
    try {
      const messages = again.sessions.transcript(session.id, 100).messages;
      expect(messages.map((m) => [m.text, m.turnId])).toEqual([
        ['Crash2 SLOW', turn.id],
        ['half an answer', turn.id],
        ['queued before restart', queued.id],
      ]);
      expect(messages.at(-1)!.data).toEqual({ notSent: true });
      expect(again.sessions.turn(queued.id).status).toBe('cancelled');
    } finally {
      await again.stop();
      await harness.api.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      h = null;
    }
  });
});
