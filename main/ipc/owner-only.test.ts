import { describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../../contract';
import { startTestCore } from '../testing/temp-core';
import { desktopCaller, type CallContext } from './router';
import { OWNER_ONLY } from './owner';

// A terminal, settings, tokens, keys and Claude Code's own settings are the owner's alone: whatever surface
// reaches the router, anyone else is refused before the method does anything (even with an input it would take).
const outside: CallContext[] = [
  { surface: 'telegram', actor: 'telegram:1' },
  { surface: 'discord', actor: 'discord:1' },
  { surface: 'mcp', actor: 'mcp:inspector' },
  { surface: 'mcp', actor: 'session:a-claude' },
  { surface: 'hook', actor: 'hook:a-terminal' },
  { surface: 'schedule', actor: 'job:1' },
];
const inputs: Partial<Record<MethodName, unknown>> = {
  'terminals.open': { command: 'shell', cols: 80, rows: 24 },
  'terminals.attach': { id: 'no-such' },
  'terminals.ack': { id: 'no-such', viewer: 'v', offset: 0 },
  'terminals.detach': { id: 'no-such', viewer: 'v' },
  'terminals.write': { id: 'no-such', data: 'id\\n' },
  'terminals.resize': { id: 'no-such', cols: 80, rows: 24 },
  'terminals.close': { id: 'no-such' },
  'sessions.editQueued': { turnId: 'no-such', text: 'rm -rf ~' },
  'sessions.removeQueued': { turnId: 'no-such' },
  'settings.set': { key: 'appearance.theme', value: 'dark' },
  'system.rotateToken': { scope: 'mcp' },
  'memory.setEmbeddingKey': { key: 'sk-x' },
  'claudeCode.connect': {},
};

describe('the owner’s own methods', () => {
  it('refuse everyone outside the window, and take the window’s call', async () => {
    const { core } = await startTestCore();
    for (const method of OWNER_ONLY) {
      expect(methods[method], method).toBeDefined();
      for (const ctx of outside) {
        expect(await core.router.call(method, inputs[method] ?? {}, ctx), `${method} as ${ctx.actor}`).toMatchObject({ ok: false, error: { code: 'unauthorized', message: expect.stringContaining("Switchboard's window") } });
      }
    }
    expect(core.settings.get('appearance.theme')).not.toBe('dark');
    expect(await core.router.call('settings.set', { key: 'appearance.theme', value: 'dark' }, desktopCaller)).toMatchObject({ ok: true });
    expect(await core.router.call('terminals.list', {}, desktopCaller)).toMatchObject({ ok: true });
  });
});
