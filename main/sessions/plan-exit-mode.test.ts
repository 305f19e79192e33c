import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Approval } from '../../contract';
import type { CallContext } from '../ipc/router';
import { harnessPerTest } from '../testing/harness-per-test';

// A plan approved from outside the window ends plan mode for Ask, never for a mode that acts without asking:
// the CLI's next edit in the same turn is still a question.
const phone: CallContext = { surface: 'telegram', actor: 'telegram:1001' };

const start = harnessPerTest();

describe('a plan approved from a chat', () => {
  it('leaves the session asking before it edits, in the CLI as in the store', { timeout: 90_000 }, async () => {
    const { core, api, dir, turnEnded } = await start();
    const project = path.join(dir, 'project');
    fs.mkdirSync(project);
    const session = core.sessions.create({ title: 'Plans first', permissionPolicy: 'plan', surface: 'telegram', cwd: project });
    const file = path.join(project, 'edited.txt');
    api.reply({ kind: 'tool', name: 'ExitPlanMode', input: { plan: '1. Write edited.txt' } }, { kind: 'tool', name: 'Write', input: { file_path: file, content: 'x' } }, { kind: 'text', text: 'done' });
    const asked: Approval[] = [];
    const off = core.events.on('approvals.changed', (a) => {
      if (a.status !== 'pending') return;
      asked.push(a);
      const decision = a.toolName === 'ExitPlanMode' ? 'once' : 'deny';
      setImmediate(() => void core.router.call('approvals.answer', { id: a.id, decision }, phone));
    });
    await turnEnded(core.sessions.send(session.id, 'plan it', phone).id);
    off();
    expect(asked.map((a) => a.toolName)).toEqual(['ExitPlanMode', 'Write']);
    expect(fs.existsSync(file)).toBe(false);
    expect(core.sessions.get(session.id).permissionPolicy).toBe('ask');
  });
});
