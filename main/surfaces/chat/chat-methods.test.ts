import { describe, expect, it } from 'vitest';
import type { CallContext } from '../../ipc/router';
import { startTestCore } from '../../testing/temp-core';

// Which bot runs, with which token, and who may talk to it are the owner's: every chat.* method that changes
// them is refused to anyone outside the window, whatever surface reaches it later.
const outside: CallContext[] = [
  { surface: 'telegram', actor: 'telegram:1' },
  { surface: 'mcp', actor: 'session:a-claude' },
  { surface: 'hook', actor: 'hook:x' },
  { surface: 'schedule', actor: 'job:1' },
];

describe('chat access changes', () => {
  it('are the window’s only', async () => {
    const { core } = await startTestCore();
    for (const ctx of outside) {
      for (const [method, input] of [
        ['chat.connect', { surface: 'telegram', token: '123456:a-bot-token' }],
        ['chat.disconnect', { surface: 'telegram' }],
        ['chat.removeUser', { surface: 'telegram', userId: '1' }],
        ['chat.answerPairing', { surface: 'telegram', code: 'ABCDEF', accept: true }],
        ['chat.setTranscriptionKey', { key: 'k' }],
      ] as const) {
        expect(await core.router.call(method, input, ctx), `${method} ${ctx.actor}`).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      }
    }
  });
});
