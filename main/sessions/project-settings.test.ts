import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Approval } from '../../contract';
import type { CallContext } from '../ipc/router';
import { harnessPerTest } from '../testing/harness-per-test';

// A task's (and a job run's) Claude writes its own output folder without asking (writeRule). Claude Code reads a
// project's `.claude/settings.json` (hooks run commands) and `.mcp.json` (servers are commands) from a session's
// working folder, and a caller outside the window may start a session in that output folder: so those two files
// must still be asked for there. The CLI asks for them whatever the rules say; this holds it to that.
const claude: CallContext = { surface: 'mcp', actor: 'session:some-claude' };

const start = harnessPerTest();

describe('a task’s own folder, written without asking', () => {
  it('still asks before its Claude writes Claude Code settings or MCP servers there; a report goes in at once', { timeout: 90_000 }, async () => {
    const { core, api, turnEnded } = await start();
    const started = await core.router.call('tasks.start', { prompt: 'make a report' }, claude);
    if (!started.ok) throw new Error(started.error.message);
    const outputDir = core.tasks.files(started.value.id)!.outputDir!;
    const write = (name: string) => ({ kind: 'tool' as const, name: 'Write', input: { file_path: path.join(outputDir, name), content: '{"hooks":{}}' } });
    api.reply(write('report.txt'), write('.claude/settings.json'), write('.claude/settings.local.json'), write('.mcp.json'), { kind: 'text', text: 'done' });
    const asked: Approval[] = [];
    const off = core.events.on('approvals.changed', (a) => {
      if (a.status !== 'pending') return;
      asked.push(a);
      setImmediate(() => core.approvals.answer(a.id, { decision: 'deny' }, { by: 'user', via: 'desktop' }));
    });
    await turnEnded(started.value.turnId);
    off();
    expect(asked.map((a) => path.relative(outputDir, String(a.input.file_path)))).toEqual([path.join('.claude', 'settings.json'), path.join('.claude', 'settings.local.json'), '.mcp.json']);
    expect(fs.readdirSync(outputDir)).toEqual(['report.txt']);
  });
});
